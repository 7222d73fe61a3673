"""Correcting a return without a workbook: values typed in the browser (or sent to the API)
are checked exactly as an upload is and stored as the return's next version, with the
workbook the portal writes for them.

The cells not sent keep the latest version's content. Parsing is the reader's (one
CellValueField per unit, `cells.cells_report`), the rules are the upload's
(`rules.apply_rules` with the previous accepted figures), identification is the upload's
(`validate.identify`: closed periods, another country, roles) and storing is the upload's
(`workflow.store_version`). Callers commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from ...extensions import db
from ...models import Return, ReturnVersion, User
from ...schemas.values import CellValue
from ..errors import Conflict, NotFound, ServiceError
from .cells import Cell, cells_report, stored_cells, typed
from .layout import NOTES
from .prefill import workbook_name, write_workbook
from .report import Issue, ValidationReport
from .rules import apply_rules
from .template_xlsx import identity, signer
from .validate import Identified, completeness, identify, previous_accepted_values
from .workflow import lock_return, store_version

MAX_ENTRIES = 5000  # a full return has ~730 cells
VALUE_TYPES = (str, int, float, bool)
CONTROL_CHARACTER = _l("The text holds a control character that a workbook cannot keep; remove it.")


class StaleForm(Conflict):
    """The return has a newer version than the one the form was opened on."""

    def __init__(self, message, changes: list[dict]):
        super().__init__(message)
        self.changes = changes


@dataclass
class EntryResult:
    report: ValidationReport
    ident: Identified
    raw: dict[Cell, object]  # every non-blank cell as typed (sent, or kept from the latest version)
    notes: dict[str, str]  # the notes as they will be stored
    refused: list[Issue] = field(default_factory=list)  # entries that name no usable cell
    changes: list[dict] = field(default_factory=list)  # cells that differ from the latest version
    version: ReturnVersion | None = None

    @property
    def errors(self) -> list[Issue]:
        return self.refused + self.report.errors

    @property
    def warnings(self) -> list[Issue]:
        return self.report.warnings

    @property
    def ok(self) -> bool:
        return not self.errors


def editable_return(user: User, return_id: int) -> Return:
    """The return if `user` may correct it (access.can_submit: the country's focal points and
    the secretariat); NotFound otherwise, as for a return they may not see."""
    from .access import can_submit
    from .listing import visible_return

    ret = visible_return(user, return_id)
    if not can_submit(user, ret):
        raise NotFound(_l("There is no such return."))
    return ret


def identified(ret: Return, user: User | None) -> Identified:
    """The upload's identification of this return's current template: the same refusals
    (closed period for a focal point, another country, a role that cannot upload)."""
    template, country, period = ret.period.template, ret.country, ret.period
    meta = {
        "template_version": str(template.version),
        "country": country.iso2,
        "period": period.label,
        "signature": signer().dumps(identity(template, country, period)),
    }
    return identify(meta, user)


def version_of(ret: Return, number: int | None = None) -> ReturnVersion | None:
    """Version `number` of the return (the latest when None), without loading every version of
    the return as Return.latest_version does."""
    stmt = select(ReturnVersion).where(ReturnVersion.return_id == ret.id)
    if number is not None:
        stmt = stmt.where(ReturnVersion.number == number)
    return db.session.scalar(stmt.order_by(ReturnVersion.number.desc()).limit(1))


def current_cells(ret: Return, template, stored=None) -> tuple[dict[Cell, object], dict[str, str]]:
    """The latest version's cells as a person would type them, and its notes (only the cells
    and notes the template has); `stored`: that version's `cells.stored_cells`, when read."""
    if stored is None:
        version = version_of(ret)
        if version is None:
            return {}, {}
        stored = stored_cells(version)
    cells, notes = stored
    units = {ind.code: ind.unit for ind in template.indicators}
    allowed = {(ind.code, c) for ind in template.indicators for c in template.columns(ind.breakdown)}
    raw = {key: typed(value, units[key[0]]) for key, value in cells.items() if key in allowed}
    return raw, {code: note for code, note in notes.items() if code in units}


def _plain(text: str) -> str:
    """A browser's line breaks (CR LF) as a workbook keeps them (LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _refusal(message, indicator=None, column=None) -> Issue:
    return Issue("error", "INPUT", message, indicator=indicator, column=column)


def _raw(entry: Mapping) -> tuple[object, object | None]:
    """(raw cell, problem): `value`, `status`, or the two together ("EST" and 120 → "EST 120")."""
    value, status = entry.get("value"), entry.get("status")
    for given in (value, status):
        if given is not None and not isinstance(given, VALUE_TYPES):
            return None, _l("The value must be a number or a text, as typed in the cell.")
    if status is not None and not isinstance(status, str):
        return None, _l("A status code is a text: N/A, N/AV, NIL, EST or CONF.")
    if status is not None and str(status).strip():
        if value is None or (isinstance(value, str) and not value.strip()):
            return status.strip(), None
        rest = value if isinstance(value, str) else f"{value}"
        return f"{status.strip()} {rest.strip()}", None
    return value, None


def merge(template, raw: dict[Cell, object], notes: dict[str, str], entries: list) -> list[Issue]:
    """Apply the sent entries to `raw` and `notes` in place; the entries that name no usable
    cell (an unknown indicator, a grey cell, a cell or note given twice, a value of the wrong
    kind) are returned as errors and change nothing."""
    indicators = {ind.code: ind for ind in template.indicators}
    refused: list[Issue] = []
    seen: set[Cell] = set()
    noted: dict[str, object] = {}
    for entry in entries:
        if not isinstance(entry, Mapping):
            refused.append(_refusal(_l("Each value is an object with its indicator and breakdown.")))
            continue
        code, column = entry.get("indicator"), entry.get("breakdown")
        code = code.strip() if isinstance(code, str) else code
        column = column.strip() if isinstance(column, str) else column
        shown = column if isinstance(column, str) else None
        if not isinstance(code, str) or not code:
            refused.append(_refusal(_l("Each value needs its indicator."), None, shown))
            continue
        ind = indicators.get(code)
        if ind is None:
            refused.append(
                _refusal(
                    _l("There is no indicator “%(code)s” in this return's template.", code=code[:40]), code[:40], shown
                )
            )
            continue
        if "note" in entry:
            note = entry["note"]
            if note is not None and not isinstance(note, str):
                refused.append(_refusal(_l("A note is a text."), code, NOTES))
            elif isinstance(note, str) and ILLEGAL_CHARACTERS_RE.search(note):
                refused.append(_refusal(CONTROL_CHARACTER, code, NOTES))
            elif code in noted and (noted[code] or "") != _plain(note or ""):
                refused.append(_refusal(_l("Indicator %(code)s is given two different notes.", code=code), code, NOTES))
            else:
                noted[code] = _plain(note or "")
        if "value" not in entry and "status" not in entry:
            if "note" not in entry:
                refused.append(_refusal(_l("Give a value, a status code or a note."), code, shown))
            continue
        if not isinstance(column, str) or not column:
            refused.append(_refusal(_l("Say which breakdown column of %(code)s the value is for.", code=code), code))
            continue
        if column not in template.columns(ind.breakdown):
            refused.append(
                _refusal(
                    _l(
                        "Indicator %(code)s has no “%(column)s” column: that cell is grey (not used) in the template.",
                        code=code,
                        column=column[:40],
                    ),
                    code,
                    column[:40],
                )
            )
            continue
        if (code, column) in seen:
            refused.append(
                _refusal(_l("The cell %(code)s %(column)s is given twice.", code=code, column=column), code, column)
            )
            continue
        seen.add((code, column))
        value, problem = _raw(entry)
        if problem is None and isinstance(value, str):
            value = _plain(value)
            if ILLEGAL_CHARACTERS_RE.search(value):
                problem = CONTROL_CHARACTER
        if problem is not None:
            refused.append(_refusal(problem, code, column))
            continue
        raw[(code, column)] = value
    for code, note in noted.items():
        text = note.strip() if isinstance(note, str) else ""
        if text:
            notes[code] = text
        else:
            notes.pop(code, None)
    return refused


def _key(cell: CellValue | None, note: str | None) -> tuple:
    if cell is None:
        return (None, None, None, None)
    return (cell.number, cell.text, cell.status, note)


def differences(version: ReturnVersion | None, report: ValidationReport, stored=None) -> list[dict]:
    """The cells whose value, status or note differ between a stored version and a report,
    as `workflow.diff_versions` compares two versions (`stored`: the version's cells, if read)."""
    if stored is None:
        stored = stored_cells(version) if version is not None else ({}, {})
    before, before_notes = stored
    changes = []
    for key in sorted(set(before) | set(report.cells)):
        old = before.get(key)
        new = report.cells[key].value if key in report.cells else None
        a = _key(old, before_notes.get(key[0]) if old is not None else None)
        b = _key(new, report.notes.get(key[0]) if new is not None else None)
        if a != b:
            changes.append({"indicator": key[0], "breakdown": key[1], "old": a, "new": b})
    return changes


def check_fresh(ret: Return, base_version: int | None, latest: ReturnVersion | None) -> None:
    """Refuse (409, naming what changed) a form opened on an older version than `latest`."""
    number = latest.number if latest is not None else 0
    if base_version is None or base_version == number:
        return
    if not isinstance(base_version, int) or base_version < 0 or base_version > number:
        raise ServiceError(
            _l("The form names version %(n)s, which this return does not have.", n=str(base_version)[:20]),
            field="base_version",
        )
    assert latest is not None  # number > base_version >= 0
    base = version_of(ret, base_version)
    from .workflow import diff_versions

    changes = diff_versions(base, latest) if base is not None else []
    cells = ", ".join(f"{c['indicator']} {c['breakdown']}" for c in changes[:20]) + (" …" if len(changes) > 20 else "")
    who = latest.uploaded_by.name if latest.uploaded_by else _l("the portal")
    raise StaleForm(
        _l(
            "This return changed after you opened the form (version %(base)s): version %(n)s was saved by %(who)s "
            "on %(when)s UTC, changing %(cells)s. Nothing was saved; reload the form and make your change again.",
            base=base_version,
            n=latest.number,
            who=who,
            when=latest.uploaded_at.strftime("%Y-%m-%d %H:%M"),
            cells=cells or _l("no cell (the same values)"),
        ),
        changes,
    )


def save_values(
    ret: Return,
    user: User | None,
    values: list[dict],
    *,
    base_version: int | None,
    dry_run: bool,
    source: str = "form",
    locale: str | None = None,
) -> EntryResult:
    """Check `values` ([{"indicator", "breakdown", "value" | "status", "note"}]) over the latest
    version's cells and, unless `dry_run` or there are errors, store them as the next version.
    Raises StaleForm (409) when the return has a newer version than `base_version`; the
    upload's refusals (validate.identify); ServiceError for a request that is not a list."""
    if not isinstance(values, list):
        raise ServiceError(_l("Send the values as a list."), field="values")
    if len(values) > MAX_ENTRIES:
        raise ServiceError(_l("Too many values in one request (at most %(n)s).", n=MAX_ENTRIES), field="values")
    ident = identified(ret, user)
    if not dry_run:
        lock_return(ret)  # a save made at the same moment waits, then reads what this one stored
    latest = version_of(ret)
    check_fresh(ret, base_version, latest)
    result = _checked(ret, ident, latest, values)
    if dry_run or not result.ok:
        return result
    data = write_workbook(
        ident.template,
        ident.country,
        ident.period,
        {key: cell.value for key, cell in result.report.cells.items()},
        result.report.notes,
        locale=locale or (user.language if user is not None else "en"),
    )
    result.version = store_version(result.report, ident, data, workbook_name(ret, None), user, source=source)
    return result


def _checked(ret: Return, ident, latest: ReturnVersion | None, values: list[dict]) -> EntryResult:
    """`values` merged over `latest`'s cells, parsed and checked as an upload is."""
    template = ident.template
    stored = stored_cells(latest) if latest is not None else ({}, {})
    raw, notes = current_cells(ret, template, stored)
    refused = merge(template, raw, notes, values)
    report = cells_report(template, raw, notes)
    report.country, report.period = ident.country.iso2, ident.period.label
    apply_rules(template, report, previous_accepted_values(ident.country, ident.period))
    report.completeness = completeness(template, report)
    return EntryResult(
        report=report,
        ident=ident,
        raw={k: v for k, v in raw.items() if v is not None and not (isinstance(v, str) and not v.strip())},
        notes=dict(report.notes),
        refused=refused,
        changes=differences(latest, report, stored),
    )
