"""The user's own workbook back, with every problem cell highlighted and commented."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from .report import ValidationReport

ERROR_FILL = PatternFill("solid", fgColor="F4B6B6")
WARNING_FILL = PatternFill("solid", fgColor="FFE699")


def mark_up(data: bytes, report: ValidationReport, locale: str) -> bytes:
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
