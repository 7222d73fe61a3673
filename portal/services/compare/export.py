"""Exports of a comparison: Excel (a sheet per indicator and a tidy data sheet) and CSV."""
from __future__ import annotations

import csv
import io
import math

from flask_babel import gettext as _
import xlsxwriter

from .aggregate import Comparison
from .present import IndicatorTable


def tidy_rows(comparison: Comparison, staff: bool) -> list[list]:
    out = []
    for r in comparison.rows.itertuples():
        value = None if math.isnan(r.value) else float(r.value)
        if r.conf and not staff:
            value = "c"
        status = r.status if isinstance(r.status, str) else None
        out.append([r.country, r.period, r.indicator, r.breakdown, value, status,
                    r.note if isinstance(r.note, str) else None,
                    int(r.version_id) if r.version_id == r.version_id else None,
                    "provisional" if r.provisional else ("" if r.has_return else "no return")])
    return out


def tidy_header() -> list[str]:
    return [_("Country"), _("Period"), _("Indicator"), _("Breakdown"), _("Value"), _("Status code"),
            _("Notes"), _("Source version"), _("Remark")]


def to_csv(comparison: Comparison, staff: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(tidy_header())
    writer.writerows(tidy_rows(comparison, staff))
    return out.getvalue()


def to_xlsx(comparison: Comparison, tables: list[IndicatorTable], staff: bool) -> bytes:
    """XlsxWriter rather than openpyxl here: a full section over many periods is ~10⁶ cells,
    which XlsxWriter writes about five times faster (bench/compare.py)."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    for table in tables:
        ws = wb.add_worksheet(table.code[:31])
        ws.write_string(0, 0, f"{table.code} — {table.label}", bold)
        ws.write_string(1, 0, table.caption)
        header = [_("Country")] + [f"{p} {c}" for p in table.periods for c in table.columns]
        ws.write_row(2, 0, header, bold)
        keys = [(p, c) for p in table.periods for c in table.columns]
        for r, (_iso, name, cells) in enumerate(table.rows + table.totals, start=3):
            ws.write_string(r, 0, name)
            for c, key in enumerate(keys, start=1):
                _write(ws, r, c, _excel(cells.get(key)))
        ws.set_column(0, 0, 34)
        ws.freeze_panes(3, 1)
    data = wb.add_worksheet(_("Data"))
    data.write_row(0, 0, tidy_header(), bold)
    for r, row in enumerate(tidy_rows(comparison, staff), start=1):
        for c, value in enumerate(row):
            _write(data, r, c, value)
    data.freeze_panes(1, 0)
    wb.close()
    return out.getvalue()


def _write(ws, row: int, col: int, value) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        ws.write_string(row, col, value)
    else:
        ws.write_number(row, col, value)


def _excel(cell):
    if cell is None:
        return None
    if cell.value is not None:
        return cell.value
    return cell.display if cell.display not in ("—", "") else None
