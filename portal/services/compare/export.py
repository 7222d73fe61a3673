"""Exports of a comparison: Excel (a sheet per indicator and a tidy data sheet) and CSV."""
from __future__ import annotations

import csv
import io
import math

from flask_babel import gettext as _

from ..xlsx_stream import Workbook
from .aggregate import Comparison
from .present import IndicatorTable


def tidy_rows(comparison: Comparison, staff: bool) -> list[list]:
    out = []
    for r in comparison.records("country", "period", "indicator", "breakdown", "value", "status", "note",
                                "version_id", "provisional", "has_return", "conf"):
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
    """A full section over many periods is ~650,000 cells: written with the streaming writer in
    `services/xlsx_stream.py` (XlsxWriter took ~5 s for it; bench/compare.py)."""
    wb = Workbook()
    for table in tables:
        ws = wb.add_sheet(table.code)
        ws.append([f"{table.code} — {table.label}"], bold=True)
        ws.append([table.caption])
        ws.append([_("Country")] + [f"{p} {c}" for p in table.periods for c in table.columns], bold=True)
        keys = [(p, c) for p in table.periods for c in table.columns]
        for _iso, name, cells in table.rows + table.totals:
            ws.append([name] + [_excel(cells.get(key)) for key in keys])
        ws.set_width(0, 34)
        ws.freeze(3, 1)
    data = wb.add_sheet(_("Data"))
    data.append(tidy_header(), bold=True)
    for row in tidy_rows(comparison, staff):
        data.append(row)
    data.freeze(1, 0)
    return wb.to_bytes()


def _excel(cell):
    if cell is None:
        return None
    if cell.value is not None:
        return cell.value
    return cell.display if cell.display not in ("—", "") else None
