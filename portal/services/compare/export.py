"""Exports of a comparison: Excel (a sheet per indicator and a tidy data sheet) and CSV.

Values come straight from the comparison's arrays, not from the page's cell objects: a full
section over 40 periods is ~94,000 values and ~850,000 cells, and a cell object each was too
slow (bench/compare.py times the export). tests/test_compare.py checks that every exported
value equals what the page shows.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from ..xlsx.safety import safe_row
from ..xlsx.stream import Workbook
from .aggregate import Comparison, positions
from .present import layouts

NOT_SHOWN = ("N/A", "N/AV")  # missing values whose status the table shows instead


def _objects(column: pd.Series) -> np.ndarray:
    """A column as Python objects, with None for missing (pandas shows absent text as NaN)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return np.asarray(column.cat.categories, dtype=object)[column.cat.codes.to_numpy()]
    return column.to_numpy(dtype=object, na_value=None)


def _numbers(value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Floats as Python objects with None where missing, and where they are present."""
    present = ~np.isnan(value)
    out = np.full(len(value), None, dtype=object)
    out[present] = value[present]
    return out, present


def _shown(rows: pd.DataFrame) -> np.ndarray:
    """What a country's cell holds in the workbook: the number; "c" for a value the
    comparison's audience may not see; N/A or N/AV where that was reported; else empty."""
    out, present = _numbers(rows["value"].to_numpy())
    status = _objects(rows["status"])
    stated = ~present & rows["has_return"].to_numpy() & np.isin(status, NOT_SHOWN)
    out[stated] = status[stated]
    out[rows["hidden"].to_numpy()] = "c"
    return out


def _total_shown(totals: pd.DataFrame) -> np.ndarray:
    out, _present = _numbers(totals["value"].to_numpy(dtype=float))
    out[totals["suppressed"].to_numpy(dtype=bool)] = "c"
    return out


def _sheet(values, row_pos, period_pos, columns, breakdowns, n_rows, n_periods):
    """Rows × (period, column) of one indicator, from flat arrays."""
    col_pos = positions(breakdowns, columns)
    ok = (row_pos >= 0) & (col_pos >= 0) & (period_pos >= 0)
    matrix = np.full((n_rows, n_periods * len(columns)), None, dtype=object)
    matrix[row_pos[ok], period_pos[ok] * len(columns) + col_pos[ok]] = values[ok]
    return matrix.tolist()


def tidy_rows(comparison: Comparison) -> list[tuple]:
    """Country, period, indicator, breakdown, value, status code, note, source version, remark."""
    rows = comparison.rows
    shown, _present = _numbers(rows["value"].to_numpy())
    shown[rows["hidden"].to_numpy()] = "c"  # also a CONF code given without its number
    version = rows["version_id"].to_numpy()
    version_id, known = _numbers(version)
    version_id[known] = version[known].astype(np.int64)
    remark = np.where(
        rows["provisional"].to_numpy(), _("provisional"), np.where(rows["has_return"].to_numpy(), "", _("no return"))
    ).astype(object)
    columns = [_objects(rows[c]) for c in ("country", "period", "indicator", "breakdown")]
    return list(
        zip(
            *(c.tolist() for c in columns),
            shown.tolist(),
            _objects(rows["status"]).tolist(),
            _objects(rows["note"]).tolist(),
            version_id.tolist(),
            remark.tolist(),
        )
    )


def tidy_header() -> list[str]:
    return [
        _("Country"),
        _("Period"),
        _("Indicator"),
        _("Breakdown"),
        _("Value"),
        _("Status code"),
        _("Notes"),
        _("Source version"),
        _("Remark"),
    ]


def to_csv(comparison: Comparison) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(tidy_header()))
    writer.writerows(safe_row(row) for row in tidy_rows(comparison))  # no live formulas
    return out.getvalue()


def to_xlsx(comparison: Comparison, locale: str) -> bytes:
    """A sheet per indicator (countries, then regional and council totals, by period and
    breakdown column) and the tidy Data sheet; written with the streaming writer in
    `services/xlsx/stream.py` (XlsxWriter missed the export target; bench/compare.py)."""
    rows, totals = comparison.rows, comparison.totals
    periods = comparison.selection.periods
    shown, total_shown = _shown(rows), _total_shown(totals)
    indicator, total_indicator = _objects(rows["indicator"]), totals["indicator"].to_numpy(dtype=object)
    wb = Workbook()
    for table in layouts(comparison, locale):
        ws = wb.add_sheet(table.code)
        ws.append([f"{table.code} — {table.label}"], bold=True)
        ws.append([table.caption])
        ws.append([_("Country")] + [f"{p} {c}" for p in table.periods for c in table.columns], bold=True)
        mine = indicator == table.code
        part = rows[mine]
        countries = _sheet(
            shown[mine],
            positions(_objects(part["country"]), [iso for iso, _n, _c in table.rows]),
            positions(_objects(part["period"]), periods),
            table.columns,
            _objects(part["breakdown"]),
            len(table.rows),
            len(periods),
        )
        mine = total_indicator == table.code
        part = totals[mine]
        groups = _sheet(
            total_shown[mine],
            positions(part["group"].to_numpy(dtype=object), [g for g, _n, _c in table.totals]),
            positions(part["period"].to_numpy(dtype=object), periods),
            table.columns,
            part["breakdown"].to_numpy(dtype=object),
            len(table.totals),
            len(periods),
        )
        for (_code, name, _cells), values in zip(table.rows + table.totals, countries + groups):
            ws.append([name, *values])
        ws.set_width(0, 34)
        ws.freeze(3, 1)
    data = wb.add_sheet(_("Data"))
    data.append(tidy_header(), bold=True)
    for row in tidy_rows(comparison):
        data.append(row)
    data.freeze(1, 0)
    return wb.to_bytes()
