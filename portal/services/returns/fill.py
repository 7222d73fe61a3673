"""Filling a downloaded template programmatically (demo data, backfills, tests, benchmarks),
the way a person would in Excel: values typed into the input cells."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from .layout import HEADER_ROW, NOTES


def fill_template(
    template_bytes: bytes, values: dict[tuple[str, str], object], notes: dict[str, str] | None = None
) -> bytes:
    """values: {(indicator code, column): number or text}; notes: {indicator code: text}."""
    wb = load_workbook(BytesIO(template_bytes))
    notes = notes or {}
    pending = dict(values)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible" or ws.cell(HEADER_ROW, 1).value != "Code":
            continue
        columns = {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
        for r in range(HEADER_ROW + 1, ws.max_row + 1):
            code = ws.cell(r, 1).value
            if not code:
                continue
            for (ind, column), value in list(pending.items()):
                if ind == code and column in columns:
                    ws.cell(r, columns[column], value)
                    del pending[(ind, column)]
            if code in notes:
                ws.cell(r, columns[NOTES], notes[code])
    if pending:
        raise KeyError(f"cells not in the template: {sorted(pending)[:5]}")
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
