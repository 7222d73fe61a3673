"""In-app notices: what a user is told (a return accepted or sent back, …)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import current_app
from flask_babel import force_locale, format_date, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Notification, User
from ...models.types import utcnow
from ..transitions import rowcount
from . import outbox

TEXTS = {
    "return.accepted": _l("Your return for %(period)s (version %(version)s) was accepted."),
    "return.returned": _l("Your return for %(period)s (version %(version)s) was returned for correction: %(reason)s"),
    "return.submitted": _l("%(country)s submitted its return for %(period)s (version %(version)s) for review."),
    "return.resubmitted": _l(
        "%(country)s resubmitted its return for %(period)s (version %(version)s) after correction."
    ),
    "return.revision": _l(
        "%(country)s submitted a revision of its accepted return for %(period)s (version %(version)s)."
    ),
    "query.opened": _l("The secretariat asks about %(cell)s in your %(period)s return: %(text)s"),
    "query.replied": _l("New reply on the query about %(cell)s (%(country)s %(period)s): %(text)s"),
    "query.answered": _l("%(country)s answered the query about %(cell)s for %(period)s: %(text)s"),
    "query.resolved": _l("The secretariat resolved the query about %(cell)s in your %(period)s return."),
    "query.reopened": _l("The secretariat reopened the query about %(cell)s in your %(period)s return: %(text)s"),
    "library.published": _l("“%(title)s” was published in the library."),
    "library.returned": _l("“%(title)s” was sent back for changes: %(reason)s"),
    "reminder.due": _l("Reminder: the %(country)s return for %(period)s is due on %(due)s (in %(days)s)."),
    "reminder.today": _l("Reminder: the %(country)s return for %(period)s is due today (%(due)s)."),
    "reminder.overdue30": _l(
        "Seriously overdue: the %(country)s return for %(period)s was due on %(due)s, %(days)s ago, and has "
        "not been submitted. Please submit it or tell the secretariat when it will come."
    ),
    "reminder.overdue": _l(
        "Overdue: the %(country)s return for %(period)s was due on %(due)s and has not been submitted."
    ),
    "digest.overdue": _l("Overdue returns for %(period)s: %(countries)s."),
    "brief.draft": _l("A draft edition %(edition)s of “%(title)s” was compiled for the meeting on %(date)s."),
    "quality.flag": _l(
        "Data-quality sweep: %(count)s accepted returns would fail the current template's rules: %(list)s."
    ),
}


def _reader_date(value: str) -> str:
    try:
        return format_date(date.fromisoformat(value), "long")
    except ValueError:
        return value


def text(notification: Notification) -> str:
    template = TEXTS.get(notification.kind)
    if template is None:
        return notification.kind
    params = defaultdict(str, notification.params)  # a parameter not given reads as ""
    if isinstance(params.get("due"), str):  # a due date, stored as ISO: in the reader's language
        params["due"] = _reader_date(params["due"])
    if isinstance(params.get("days"), int):  # "1 day", "21 days"; Russian has three forms
        params["days"] = ngettext("%(num)d day", "%(num)d days", params["days"])
    if "indicator" in params:  # a query's cell, its breakdown in the reader's language
        params["cell"] = _cell(params["indicator"], params.get("breakdown", ""))
    if isinstance(params.get("change"), dict):  # a changed value, in the reader's number format
        from ..returns.query_changes import change_text

        params["text"] = change_text(params["change"])
    if not params["reason"] and isinstance(params.get("cells"), list):  # sent back with its queries
        from ..returns.queries import quoted

        params["reason"] = quoted(
            "; ".join(
                f"{_cell(c.get('indicator', ''), c.get('breakdown', ''))}: {c.get('text', '')}" for c in params["cells"]
            )
        )
    return str(template) % params


def _cell(indicator: str, breakdown: str) -> str:
    """A return's cell named in the reader's language: "REP01 · Girls" / "REP01 · Девочки"."""
    from ..returns.captions import column_captions

    return f"{indicator} · {column_captions().get(breakdown, breakdown)}"


# Notices every recipient gets by e-mail, whatever their setting (the rest can be turned off).
ESSENTIAL = {"return.returned", "reminder.overdue", "reminder.overdue30", "query.opened", "query.reopened"}


def notify(user: User, kind: str, params: dict, *, link: str | None = None, dedupe_key: str | None = None) -> bool:
    """An in-app notice and (unless the user turned e-mail off for non-essential notices) an
    e-mail in the user's language, both written now, in the caller's transaction, and both
    exactly once per `dedupe_key`. Returns False if the notice already exists."""
    if dedupe_key and db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)):
        return False
    notice = Notification(user_id=user.id, kind=kind, params=params, link=link, dedupe_key=dedupe_key)
    try:
        with db.session.begin_nested():
            db.session.add(notice)
    except IntegrityError:
        return False  # a concurrent run wrote it first
    if kind in ESSENTIAL or user.email_notices:
        with force_locale(user.language or "en"):
            body = text(notice)
            subject = str(_l("PRR Council Portal")) + ": " + outbox.header_text(body, 120)  # one line
            url = current_app.config.get("PORTAL_URL", "") + (link or "/notifications")
            footer = str(_l("Open the portal: %(url)s", url=url))
            html = outbox.render_html("notice.html", body=body, url=url, footer=footer)
        outbox.enqueue(dedupe_key or f"notice:{notice.id}", user, subject, f"{body}\n\n{footer}\n", html)
    return True


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def for_user(user: User, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return rowcount(result) or 0


def mark_read(user: User, ids: list[int]) -> int:
    """Mark the notices `ids` of `user` read (those a page showed them); others' are untouched."""
    if not ids:
        return 0
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.id.in_(ids), Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) or 0
