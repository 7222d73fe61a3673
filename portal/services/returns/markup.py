"""The user's own workbook back, with every problem cell highlighted and commented.

An .xlsx upload is marked in place. openpyxl cannot read an .ods, and the portal does not run
LibreOffice, so the marked copy of an .ods upload is an .xlsx: the signed template of the same
country, period and version, in the reader's language, with every input cell (values and
notes) copied from the upload to the same sheet and cell as the user typed it, then marked.
The cell references of the report are the same in both, LibreOffice opens it, and uploaded
again (as .xlsx, or saved back as .ods) it is read as the same return."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from .guard import CheckedWorkbook, check_upload
from .reader import open_workbook
from .report import ValidationReport
from .template_xlsx import build_template
from .validate import Identified

ERROR_FILL = PatternFill("solid", fgColor="F4B6B6")
WARNING_FILL = PatternFill("solid", fgColor="FFE699")


def mark_up(data: bytes, report: ValidationReport, locale: str) -> bytes:
    """An .xlsx workbook with the report's problem cells filled and commented."""
    wb = load_workbook(BytesIO(data))
    by_cell: dict[tuple[str, str], list] = {}
    for issue in report.issues:
        if issue.sheet is not None and issue.sheet in wb.sheetnames and issue.cell:
            by_cell.setdefault((issue.sheet, issue.cell), []).append(issue)
    for (sheet, ref), issues in by_cell.items():
        cell = wb[sheet][ref]
        worst = "error" if any(i.level == "error" for i in issues) else "warning"
        cell.fill = ERROR_FILL if worst == "error" else WARNING_FILL
        text = "\n".join(f"[{i.rule}] {i.as_dict(locale)['message']}" for i in issues)
        cell.comment = Comment(text, "PRR portal", width=320, height=140)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def marked_copy(
    data: bytes, filename: str, report: ValidationReport, ident: Identified, locale: str
) -> tuple[bytes, str]:
    """The marked-up copy of an upload and its file name (always an .xlsx, see above)."""
    checked = check_upload(data)
    if checked.kind == "ods":
        data = _as_xlsx(checked, ident, locale)
        filename = f"{Path(filename).stem or 'return'}.xlsx"
    return mark_up(data, report, locale), f"checked_{filename}"


def _as_xlsx(checked: CheckedWorkbook, ident: Identified, locale: str) -> bytes:
    """The signed template with the input cells of the .ods copied in, cell for cell."""
    wb = load_workbook(BytesIO(build_template(ident.template, ident.country, ident.period, locale)))
    source = open_workbook(checked)
    try:
        for ws in wb.worksheets:
            if ws.title not in checked.sheets or not ws.protection.sheet:
                continue
            rows = source.get_sheet_by_name(ws.title).to_python(skip_empty_area=False)
            for line in ws.iter_rows():
                for cell in line:
                    r, c = cell.row - 1, cell.column - 1
                    if cell.protection.locked or r >= len(rows) or c >= len(rows[r]) or rows[r][c] in (None, ""):
                        continue
                    cell.value = rows[r][c]
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        cell.data_type = "s"  # the text as typed, never a formula
    finally:
        source.close()
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
