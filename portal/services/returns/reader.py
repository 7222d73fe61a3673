"""Reading a checked workbook: its identity (_meta) and every input cell, with python-calamine."""

from __future__ import annotations

import re
from io import BytesIO

from defusedxml import ElementTree as SafeET
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from ...schemas.values import CellValueField
from .guard import CheckedWorkbook, UploadRejected
from .layout import CUSTOM_PROPERTY_PREFIX, FIXED_COLUMNS, MAX_NOTE, META_KEYS, META_SHEET, NOTES
from .report import Issue, ParsedCell, ValidationReport

FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*\br="([A-Z]+\d+)"[^>]*>(.*?)</(?:\w+:)?c>', re.S)
ODS_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
EXCEL_CELL_CHARACTERS = 32767  # calamine hands at most this many characters of a cell back


def open_workbook(checked: CheckedWorkbook) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(BytesIO(checked.data))
    except Exception:  # noqa: BLE001 - calamine raises several kinds; all mean unreadable
        raise UploadRejected(
            _l("The workbook cannot be read; it may be damaged. Save it again and re-upload.")
        ) from None


def _rows(workbook: CalamineWorkbook, name: str) -> list[list]:
    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001
        raise UploadRejected(_l("The sheet '%(sheet)s' cannot be read; it may be damaged.", sheet=name)) from None


def read_meta(checked: CheckedWorkbook, workbook: CalamineWorkbook) -> dict[str, str]:
    """The template identity from the _meta sheet, or from the custom document properties."""
    meta: dict[str, str] = {}
    if META_SHEET in checked.sheets:
        for row in _rows(workbook, META_SHEET):
            if len(row) >= 2 and str(row[0]).strip() in META_KEYS:
                value = row[1]
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                meta[str(row[0]).strip()] = str(value).strip()
    if "signature" not in meta:
        meta.update(_ods_properties(checked) if checked.kind == "ods" else _custom_properties(checked))
    return meta


def _custom_properties(checked: CheckedWorkbook) -> dict[str, str]:
    try:
        raw = checked.part("docProps/custom.xml")
    except KeyError:
        return {}
    try:
        root = SafeET.fromstring(raw)
    except Exception:  # noqa: BLE001 - unreadable properties: treated as absent
        return {}
    found = {}
    for prop in root:
        name = prop.get("name", "")
        if name.startswith(CUSTOM_PROPERTY_PREFIX) and len(prop):
            found[name[len(CUSTOM_PROPERTY_PREFIX) :]] = (prop[0].text or "").strip()
    return found


def _ods_properties(checked: CheckedWorkbook) -> dict[str, str]:
    """The custom document properties of an .ods: meta.xml's user-defined fields (what
    LibreOffice makes of docProps/custom.xml when it saves the template as .ods)."""
    try:
        root = SafeET.fromstring(checked.part("meta.xml"))  # checked by the guard: small, no entities
    except Exception:  # noqa: BLE001 - absent or unreadable properties: treated as absent
        return {}
    found = {}
    for prop in root.iter(f"{ODS_META}user-defined"):
        name = prop.get(f"{ODS_META}name", "")
        if name.startswith(CUSTOM_PROPERTY_PREFIX):
            found[name[len(CUSTOM_PROPERTY_PREFIX) :]] = (prop.text or "").strip()
    return found


def formulas_without_value(xml: bytes) -> set[str]:
    """Cells that hold a formula but no cached result (e.g. written by a script)."""
    missing = set()
    for match in FORMULA_CELL.finditer(xml):
        body = match.group(2)
        if re.search(rb"<(?:\w+:)?f\b", body) and not re.search(rb"<(?:\w+:)?v>[^<]+<", body):
            missing.add(match.group(1).decode())
    return missing


def _header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(rows[:12]):
        if row and str(row[0]).strip() == "Code":
            return r, {str(v).strip(): c for c, v in enumerate(row) if str(v).strip()}
    return None


def read_values(checked: CheckedWorkbook, workbook: CalamineWorkbook, template, report: ValidationReport) -> None:
    """Parse every input cell of every section sheet into report.cells / report.issues."""
    for section in template.sections:
        sheet = section.sheet
        if sheet not in checked.sheets:
            report.add(
                Issue(
                    "error",
                    "LAYOUT",
                    _l("The sheet '%(sheet)s' is missing; use the portal's template unchanged.", sheet=sheet),
                    sheet=sheet,
                )
            )
            continue
        rows = _rows(workbook, sheet)
        found = _header(rows)
        if found is None:
            report.add(
                Issue(
                    "error",
                    "LAYOUT",
                    _l("The header row (starting with “Code”) is missing on this sheet."),
                    sheet=sheet,
                )
            )
            continue
        header_row, columns = found
        if checked.kind == "ods":  # found by the guard's scan of content.xml
            no_value = checked.no_value.get(sheet, set())
        else:
            try:
                no_value = formulas_without_value(checked.part(checked.sheets[sheet]))
            except KeyError:
                no_value = set()
        by_code: dict[str, int] = {}
        for r in range(header_row + 1, len(rows)):
            code = str(rows[r][0]).strip() if rows[r] else ""
            if code:
                by_code.setdefault(code, r)
        for ind in section.indicators:
            _read_indicator(ind, template, sheet, rows, columns, by_code, no_value, report)


def _read_indicator(ind, template, sheet, rows, columns, by_code, no_value, report) -> None:
    r = by_code.get(ind.code)
    if r is None:
        report.add(
            Issue(
                "error",
                "LAYOUT",
                _l("The row of indicator %(code)s is missing.", code=ind.code),
                sheet=sheet,
                indicator=ind.code,
            )
        )
        return
    row = rows[r]
    note = None
    if NOTES in columns and columns[NOTES] < len(row):
        raw_note = row[columns[NOTES]]
        note = str(raw_note).strip() if raw_note not in (None, "") else None
        if note and len(note) > MAX_NOTE:
            ref = f"{get_column_letter(columns[NOTES] + 1)}{r + 1}"
            report.add(
                Issue(
                    "error",
                    "NOTE",
                    _l(
                        "The note has %(n)s characters; a note takes at most %(max)s. Shorten it, or send the "
                        "details to the secretariat separately.",
                        n=f"{len(note):,}" + ("+" if len(note) >= EXCEL_CELL_CHARACTERS else ""),
                        max=f"{MAX_NOTE:,}",
                    ),
                    sheet=sheet,
                    cell=ref,
                    indicator=ind.code,
                    column=NOTES,
                )
            )
            note = None
    if note:
        report.notes[ind.code] = note
    field = CellValueField(ind.unit, ind.maximum())
    for column in template.columns(ind.breakdown):
        if column not in columns or column in FIXED_COLUMNS:
            report.add(
                Issue(
                    "error",
                    "LAYOUT",
                    _l("The column “%(column)s” is missing.", column=column),
                    sheet=sheet,
                    indicator=ind.code,
                    column=column,
                )
            )
            continue
        c = columns[column]
        ref = f"{get_column_letter(c + 1)}{r + 1}"
        raw = row[c] if c < len(row) else None
        report.positions[(ind.code, column)] = (sheet, ref)
        if ref in no_value:
            report.failed.add((ind.code, column))
            report.add(
                Issue(
                    "error",
                    "FORMULA",
                    _l(
                        "The cell holds a formula without a calculated value; open the file in Excel or LibreOffice "
                        "and save it, or type the number."
                    ),
                    sheet=sheet,
                    cell=ref,
                    indicator=ind.code,
                    column=column,
                )
            )
            continue
        try:
            value = field.deserialize(raw)
        except ValidationError as exc:
            message = exc.messages[0] if isinstance(exc.messages, list) else str(exc.messages)
            rule = exc.kwargs.get("rule", "R1")
            report.failed.add((ind.code, column))
            report.add(Issue("error", rule, message, sheet=sheet, cell=ref, indicator=ind.code, column=column))
            continue
        if value is not None and not value.blank:
            report.cells[(ind.code, column)] = ParsedCell(value, sheet, ref, note)
