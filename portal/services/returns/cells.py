"""Cells as a person types them, both ways: a dict of raw cells → the ValidationReport that
reading a filled template gives (`cells_report`), and a stored version or parsed cells →
the raw cells that, typed into the template, read back the same (`typed_cells`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from openpyxl.utils import get_column_letter

from ...schemas.values import CellValue, CellValueField
from .layout import FIRST_DATA_ROW, MAX_NOTE, NOTES, section_columns
from .report import Issue, ParsedCell, ValidationReport

Cell = tuple[str, str]  # (indicator code, breakdown column)


POSITIONS: dict[tuple, dict[Cell, tuple[str, str]]] = {}  # per loaded template (which never changes)


def positions(template) -> dict[Cell, tuple[str, str]]:
    """(sheet, A1 reference) of every input cell of the template, as template_xlsx lays them out."""
    key = (template.id, template.version, template.loaded_at)
    found = POSITIONS.get(key)
    if found is not None:
        return found
    where = {}
    for section in template.sections:
        columns = section_columns(template, section)
        for r, ind in enumerate(section.indicators, start=FIRST_DATA_ROW):
            for column in template.columns(ind.breakdown):
                where[(ind.code, column)] = (section.sheet, f"{get_column_letter(4 + columns.index(column))}{r}")
    if len(POSITIONS) > 32:
        POSITIONS.clear()
    POSITIONS[key] = where
    return where


def note_ref(template, section, row: int) -> str:
    return f"{get_column_letter(4 + len(section_columns(template, section)))}{row}"


def long_note(n: int) -> object:
    """The reader's message for a note over MAX_NOTE characters (the same text)."""
    return _l(
        "The note has %(n)s characters; a note takes at most %(max)s. Shorten it, or send the "
        "details to the secretariat separately.",
        n=f"{n:,}",
        max=f"{MAX_NOTE:,}",
    )


def cells_report(template, values: dict, notes: dict | None = None) -> ValidationReport:
    """The ValidationReport that reading a filled template holding `values` ({(code, column):
    raw cell}) and `notes` ({code: text}) gives, before the rules: the same per-unit parsing
    (CellValueField), the same sheet/cell positions and the same note check as
    `reader.read_values`, without a workbook. Cells or notes the template does not have are
    a KeyError (callers check them first)."""
    pending, notes = dict(values), dict(notes or {})
    report = ValidationReport(template_version=template.version)
    for section in template.sections:
        columns = section_columns(template, section)
        for r, ind in enumerate(section.indicators, start=FIRST_DATA_ROW):
            note = notes.pop(ind.code, None)
            note = str(note).strip() if note not in (None, "") else None
            if note and len(note) > MAX_NOTE:
                report.add(
                    Issue(
                        "error",
                        "NOTE",
                        long_note(len(note)),
                        sheet=section.sheet,
                        cell=note_ref(template, section, r),
                        indicator=ind.code,
                        column=NOTES,
                    )
                )
                note = None
            if note:
                report.notes[ind.code] = note
            field = CellValueField(ind.unit, ind.maximum())
            for column in template.columns(ind.breakdown):
                ref = f"{get_column_letter(4 + columns.index(column))}{r}"
                report.positions[(ind.code, column)] = (section.sheet, ref)
                raw = pending.pop((ind.code, column), None)
                raw = "" if raw is None else raw  # an empty cell, as calamine reads it
                try:
                    value = field.deserialize(raw)
                except ValidationError as exc:
                    messages = exc.messages
                    report.failed.add((ind.code, column))
                    report.add(
                        Issue(
                            "error",
                            exc.kwargs.get("rule", "R1"),
                            messages[0] if isinstance(messages, list) else str(messages),
                            sheet=section.sheet,
                            cell=ref,
                            indicator=ind.code,
                            column=column,
                        )
                    )
                    continue
                if value is not None and not value.blank:
                    report.cells[(ind.code, column)] = ParsedCell(value, section.sheet, ref, note)
    if pending or notes:
        raise KeyError(f"cells not in the template: {sorted(pending)[:5]} {sorted(notes)[:5]}")
    return report


def plain_number(x: float) -> str:
    """A number as a person types it, exactly: 12, 45.5, 1000000000 (never 1e+09)."""
    if x.is_integer() and abs(x) < 2**53:
        return str(int(x))
    return repr(x)


def cell_number(x: float) -> int | float:
    """A number as it goes into a spreadsheet cell: whole numbers as integers."""
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def typed(value: CellValue, unit: str, yes_no: tuple[str, str] = ("yes", "no")) -> object:
    """What a person types into a cell for `value` so that reading it back gives `value`:
    a number, a status code ("N/A", "NIL", "CONF"), a code with its number ("EST 120"), a text,
    or the answer of a yes/no cell in the workbook's language."""
    if value.status is not None:
        rest = value.text if value.text is not None else None
        if rest is None and value.number is not None:
            rest = plain_number(value.number)
        return f"{value.status} {rest}" if rest is not None else value.status
    if value.text is not None:
        return value.text
    if value.number is None:
        return None
    if unit == "boolean":
        return yes_no[0] if value.number == 1.0 else yes_no[1]
    return cell_number(value.number)


def typed_text(value: CellValue, unit: str) -> str:
    """`typed` as the text of a form input."""
    raw = typed(value, unit)
    if raw is None:
        return ""
    return raw if isinstance(raw, str) else plain_number(float(raw))  # type: ignore[arg-type]


def stored_cells(version) -> tuple[dict[Cell, CellValue], dict[str, str]]:
    """A stored version's cells ({(code, column): CellValue}) and notes ({code: text}), read as
    plain rows (a full return has ~730: no ORM object for each)."""
    from sqlalchemy import select

    from ...extensions import db
    from ...models import ReturnValue

    cells: dict[Cell, CellValue] = {}
    notes: dict[str, str] = {}
    rows = db.session.execute(
        select(
            ReturnValue.indicator,
            ReturnValue.breakdown,
            ReturnValue.number,
            ReturnValue.text,
            ReturnValue.status,
            ReturnValue.note,
        )
        .where(ReturnValue.version_id == version.id)
        .order_by(ReturnValue.id)
    )
    for indicator, breakdown, number, text, status, note in rows:
        cells[(indicator, breakdown)] = CellValue(number=number, text=text, status=status)
        if note:
            notes.setdefault(indicator, note)
    return cells, notes
