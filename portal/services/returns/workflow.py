"""Returns and their versions: store a validated upload as a new immutable version, and
the workflow draft → submitted → accepted | returned → (new version) → submitted …

Nothing is overwritten or deleted. Callers commit."""

from __future__ import annotations

import hashlib
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Return, ReturnEvent, ReturnStatus, ReturnValue, ReturnVersion, Role, User
from ...models.types import utcnow
from .. import audit, disclosure, files
from ..errors import Conflict, NotFound, ServiceError
from ..notices import notifications
from ..transitions import compare_and_set
from ..xlsx import SPREADSHEET_MIMETYPES
from . import queries, query_changes, states
from .guard_ods import kind_of
from .report import ValidationReport
from .validate import Identified

MAX_VERSION_RETRIES = 5


def get_return(return_id: int) -> Return:
    ret = db.session.get(Return, return_id)
    if ret is None:
        raise NotFound(_l("There is no such return."))
    return ret


def find_return(country_id: int, period_id: int) -> Return | None:
    return db.session.scalar(select(Return).where(Return.country_id == country_id, Return.period_id == period_id))


def lock_return(ret: Return) -> None:
    """Hold the return until the transaction ends, so that two saves of it run one after the
    other and the second reads what the first stored. PostgreSQL: the row's lock. SQLite: the
    database's write lock, taken by an UPDATE that changes nothing (pysqlite begins a transaction
    only before a write, and a SAVEPOINT outside one would commit on its release)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Return).where(Return.id == ret.id).values(id=Return.id))
    else:
        db.session.execute(select(Return.id).where(Return.id == ret.id).with_for_update())


def _get_or_create_return(ident: Identified) -> Return:
    ret = find_return(ident.country.id, ident.period.id)
    if ret is not None:
        return ret
    try:
        with db.session.begin_nested():
            ret = Return(country=ident.country, period=ident.period, status=ReturnStatus.DRAFT)
            db.session.add(ret)
    except IntegrityError:  # created at the same moment by another upload
        ret = find_return(ident.country.id, ident.period.id)
        assert ret is not None  # the row whose (country, period) refused ours
    return ret


def store_version(
    report: ValidationReport,
    ident: Identified,
    data: bytes,
    filename: str,
    user: User | None,
    source: str = "web",
    submit: bool = False,
) -> ReturnVersion:
    """Store a validated upload (no errors) as the return's next version."""
    if not report.ok:
        raise ServiceError(_l("The workbook has errors; fix them before it can be stored."))
    sha = hashlib.sha256(data).hexdigest()
    stored = files.put(data, SPREADSHEET_MIMETYPES[kind_of(data)])  # .xlsx or .ods, as uploaded
    ret = _get_or_create_return(ident)
    lock_return(ret)  # the version and its values are written together, one save at a time
    on_behalf = user is not None and user.role in (Role.ADMIN, Role.SECRETARIAT)
    for _attempt in range(MAX_VERSION_RETRIES):
        number = (
            db.session.scalar(select(func.max(ReturnVersion.number)).where(ReturnVersion.return_id == ret.id)) or 0
        ) + 1
        try:
            with db.session.begin_nested():
                version = ReturnVersion(
                    return_=ret,
                    number=number,
                    template_id=ident.template.id,  # a cached copy: never assigned to a session
                    uploaded_by=user,
                    on_behalf=on_behalf,
                    source=source,
                    original_filename=(filename or "return.xlsx")[:255],
                    file_sha256=sha,
                    stored_path=stored,
                    completeness=report.completeness,
                    warnings=[w.stored() for w in report.warnings],
                )
                db.session.add(version)
                db.session.flush()
        except IntegrityError:
            continue  # another upload took this number: take the next one
        break
    else:
        raise Conflict(_l("Too many uploads at the same moment; try again."))
    db.session.add_all(
        ReturnValue(
            version_id=version.id,
            indicator=code,
            breakdown=column,
            number=cell.value.number,
            text=cell.value.text,
            status=cell.value.status,
            note=report.notes.get(code),
        )
        for (code, column), cell in sorted(report.cells.items())
    )
    query_changes.on_new_version(ret, query_changes.previous_version(version), version, user)
    version.withheld = disclosure.withheld(
        {key: (cell.value.number, cell.value.status) for key, cell in report.cells.items()}, ident.template
    )
    ret.status = ReturnStatus.DRAFT
    ret.updated_at = utcnow()
    db.session.add(ReturnEvent(return_=ret, version=version, action="upload", actor=user))
    audit.record(
        "return.upload",
        actor=user,
        obj=version,
        country=ident.country.iso2,
        period=ident.period.label,
        version=version.number,
        sha256=sha,
        on_behalf=on_behalf,
        via=source,
    )
    if submit:
        submit_return(ret, user)
    return version


def submit_return(ret: Return, user: User | None, *, notify: bool = True) -> ReturnVersion:
    """Submit the latest version for review; the secretariat is told (`notify`: the demo data
    turns it off for the returns it submits and accepts at once)."""
    version = ret.latest_version
    if version is None:
        raise ServiceError(_l("Upload the return before submitting it."))
    if ret.status in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED) and version.submitted_at is not None:
        raise Conflict(_l("This version has already been submitted."))
    kind = states.review_kind(ret)  # before this submission's event
    _transition(ret, version, (ReturnStatus.DRAFT, ReturnStatus.RETURNED), ReturnStatus.SUBMITTED)
    version.submitted_at = utcnow()
    db.session.add(ReturnEvent(return_=ret, version=version, action="submit", actor=user))
    audit.record("return.submit", actor=user, obj=ret, version=version.number)
    if notify:
        _notify_secretariat(ret, SUBMISSION_NOTICES[kind], version)
    return version


# What the secretariat is told of a submission, by states.review_kind.
SUBMISSION_NOTICES = {"new": "return.submitted", "resubmitted": "return.resubmitted", "revision": "return.revision"}


def _notify_secretariat(ret: Return, kind: str, version: ReturnVersion) -> None:
    """Each active secretariat user: in-app, and by e-mail in their language unless they turned
    e-mail notices off (notifications.notify); once per version and user. The link opens the
    review grid, where the secretariat reviews it."""
    for user in queries.secretariat():
        notifications.notify(
            user,
            kind,
            {"country": ret.country.iso2, "period": ret.period.label, "version": version.number},
            link=f"/review/{ret.id}",
            dedupe_key=f"{kind}:{ret.id}:{version.number}:{user.id}",
        )


LOST: dict[str, Any] = {
    ReturnStatus.SUBMITTED: _l("This return was already submitted by someone else."),
    ReturnStatus.ACCEPTED: _l("This return was already accepted by someone else."),
    ReturnStatus.RETURNED: _l("This return was already returned for correction by someone else."),
}


def _transition(ret: Return, version: ReturnVersion, expected: tuple[str, ...], status: str) -> None:
    """Compare-and-set: move `ret` to `status` only if it is still in one of `expected` and
    `version` is still its latest version; otherwise someone else acted first (409). Done
    before any event, notice or audit row is written, so the loser writes nothing."""
    latest = (
        select(func.max(ReturnVersion.number))
        .where(ReturnVersion.return_id == Return.id)
        .correlate(Return)
        .scalar_subquery()
    )
    if compare_and_set(
        Return, ret.id, [Return.status.in_(expected), latest == version.number], status=status, updated_at=utcnow()
    ):
        return
    now = db.session.scalar(select(Return.status).where(Return.id == ret.id))
    raise Conflict(LOST.get(now or "", _l("This return changed meanwhile; reload the page and try again.")))


def _under_review(ret: Return) -> ReturnVersion:
    if ret.status != ReturnStatus.SUBMITTED:
        raise Conflict(_l("Only a submitted return can be reviewed; this one is %(status)s.", status=ret.status))
    version = ret.latest_version
    assert version is not None  # a return is submitted with a version
    return version


def accept_return(ret: Return, user: User | None) -> ReturnVersion:  # None: the seed
    version = _under_review(ret)
    _transition(ret, version, (ReturnStatus.SUBMITTED,), ReturnStatus.ACCEPTED)
    version.accepted_at = utcnow()
    db.session.add(ReturnEvent(return_=ret, version=version, action="accept", actor=user))
    audit.record("return.accept", actor=user, obj=ret, version=version.number)
    _notify_focal_points(ret, "return.accepted", version)
    return version


def send_back(ret: Return, user: User, reason: str = "") -> ReturnVersion:
    """Return a submitted return for correction with a reason, its open queries (the queries
    waiting for the country: they are the per-cell reasons, recorded in the event), or both."""
    reason = (reason or "").strip()
    if len(reason) > 5000:
        raise ServiceError(_l("The reason is too long (at most 5000 characters)."), field="reason")
    if "\x00" in reason:  # PostgreSQL cannot store it
        raise ServiceError(_l("The text contains a NUL character; remove it and send it again."), field="reason")
    cells = queries.snapshot(ret)
    if not reason and not cells:
        raise ServiceError(
            _l("Give the reason for returning the return, or open a query on the cells to correct."), field="reason"
        )
    version = _under_review(ret)
    _transition(ret, version, (ReturnStatus.SUBMITTED,), ReturnStatus.RETURNED)
    db.session.add(
        ReturnEvent(return_=ret, version=version, action="return", actor=user, reason=reason, cell_comments=cells)
    )
    audit.record("return.return", actor=user, obj=ret, version=version.number, queries=len(cells))
    # Without a reason the notice lists the queries, written out in each reader's language.
    listed = [] if reason else [{**c, "text": queries.quoted(c["text"])} for c in cells[:20]]
    _notify_focal_points(ret, "return.returned", version, reason=queries.quoted(reason), cells=listed)
    return version


def _notify_focal_points(ret: Return, kind: str, version: ReturnVersion, **params) -> None:
    for user in queries.focal_points(ret):
        notifications.notify(
            user,
            kind,
            {"country": ret.country.iso2, "period": ret.period.label, "version": version.number, **params},
            link=f"/returns/{ret.id}",
            dedupe_key=f"{kind}:{ret.id}:{version.number}:{user.id}",
        )


def values_of(version: ReturnVersion) -> dict[tuple[str, str], ReturnValue]:
    return {(v.indicator, v.breakdown): v for v in version.values}


def diff_versions(old: ReturnVersion, new: ReturnVersion) -> list[dict]:
    """Cells whose value, status or note changed between two versions of a return."""
    a, b = values_of(old), values_of(new)
    changes = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        sa = (va.number, va.text, va.status, va.note) if va else (None, None, None, None)
        sb = (vb.number, vb.text, vb.status, vb.note) if vb else (None, None, None, None)
        if sa != sb:
            changes.append(
                {
                    "indicator": key[0],
                    "breakdown": key[1],
                    "old": display(va),
                    "new": display(vb),
                    "old_note": sa[3],
                    "new_note": sb[3],
                }
            )
    return changes


def display(value: ReturnValue | None) -> str:
    if value is None:
        return ""
    if value.status and value.number is None:
        return value.status
    if value.text is not None:
        return value.text
    number = f"{value.number:g}" if value.number is not None else ""
    return f"{value.status} {number}" if value.status else number


def process_upload(
    data: bytes,
    filename: str,
    user: User | None,
    *,
    save: bool,
    submit: bool = False,
    source: str = "web",
    max_bytes: int | None = None,
):
    """Validate an upload and, when asked and it has no errors, store it as a new version.

    Returns (report, identified, version or None). Raises for unusable files (see validate)."""
    from .validate import validate_upload

    report, ident = validate_upload(data, user, max_bytes=max_bytes)
    version = None
    if report.ok and (save or submit):
        version = store_version(report, ident, data, filename, user, source=source, submit=submit)
    return report, ident, version
