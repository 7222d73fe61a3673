"""Exports of a comparison: Excel (a sheet per indicator and a tidy data sheet) and CSV."""
from __future__ import annotations

import csv
import io
import math

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .aggregate import Comparison
from .present import IndicatorTable

BOLD = Font(bold=True)


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
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(table.code[:31])
        ws.append([f"{table.code} — {table.label}"])
        ws["A1"].font = BOLD
        ws.append([table.caption])
        header = [_("Country")] + [f"{p} {c}" for p in table.periods for c in table.columns]
        ws.append(header)
        for cell in ws[3]:
            cell.font = BOLD
        for iso, name, cells in table.rows + table.totals:
            ws.append([name] + [_excel(cells.get((p, c))) for p in table.periods for c in table.columns])
        ws.column_dimensions["A"].width = 34
    data = wb.create_sheet(_("Data"))
    data.append(tidy_header())
    for cell in data[1]:
        cell.font = BOLD
    for row in tidy_rows(comparison, staff):
        data.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _excel(cell):
    if cell is None:
        return None
    if cell.value is not None:
        return cell.value
    return cell.display if cell.display not in ("—", "") else None
