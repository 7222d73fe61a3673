"""Exports of a comparison: Excel (a sheet per indicator and a tidy data sheet) and CSV (with a
byte-order mark, codes and their names in the reader's language side by side).

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


def _labels(comparison: Comparison, locale: str) -> tuple[dict, dict]:
    """Country and indicator names in `locale`, by code."""
    from sqlalchemy import select

    from ...extensions import db
    from ...models import Country

    countries = {c.iso2: c.name(locale) for c in db.session.scalars(select(Country))}
    indicators: dict[str, str] = {}
    for template in comparison.selection.templates:  # the newest template's wording wins
        for code in comparison.selection.indicators:
            ind = template.indicator(code)
            if ind is not None:
                indicators[code] = ind.label(locale)
    return countries, indicators


def tidy_rows(comparison: Comparison, locale: str) -> list[tuple]:
    """Codes first, as machines read them (country, period, indicator, breakdown, value, status
    code, the country's note, source version, the state of the return), then the same codes'
    names in the reader's language (country, indicator, breakdown). A whole number is an int."""
    from ..returns.captions import column_captions

    rows = comparison.rows
    value = rows["value"].to_numpy()
    shown, present = _numbers(value)
    whole = present & (np.mod(np.nan_to_num(value), 1) == 0)
    shown[whole] = value[whole].astype(np.int64)
    shown[rows["hidden"].to_numpy()] = "c"  # also a CONF code given without its number
    version = rows["version_id"].to_numpy()
    version_id, known = _numbers(version)
    version_id[known] = version[known].astype(np.int64)
    remark = np.where(
        rows["provisional"].to_numpy(), _("provisional"), np.where(rows["has_return"].to_numpy(), "", _("no return"))
    ).astype(object)
    country, period, indicator, breakdown = (_objects(rows[c]) for c in ("country", "period", "indicator", "breakdown"))
    countries, indicators = _labels(comparison, locale)
    columns = column_captions()
    return list(
        zip(
            country.tolist(),
            period.tolist(),
            indicator.tolist(),
            breakdown.tolist(),
            shown.tolist(),
            _objects(rows["status"]).tolist(),
            _objects(rows["note"]).tolist(),
            version_id.tolist(),
            remark.tolist(),
            [countries.get(c, c) for c in country.tolist()],
            [indicators.get(i, i) for i in indicator.tolist()],
            [columns.get(b, b) for b in breakdown.tolist()],
        )
    )


def tidy_header() -> list[str]:
    return [
        _("Country code"),
        _("Period"),
        _("Indicator code"),
        _("Breakdown code"),
        _("Value"),
        _("Status code"),
        _("Country's note"),
        _("Source version"),
        _("Return state"),
        _("Country"),
        _("Indicator"),
        _("Breakdown"),
    ]


BOM = "\ufeff"  # so that Excel reads the file as UTF-8 (Cyrillic), as LibreOffice does anyway


def to_csv(comparison: Comparison, locale: str) -> str:
    """Comma-separated, decimal points, a header row: the form every spreadsheet's default
    import and every script reads as numbers, in any locale; the names are in `locale`."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(safe_row(tidy_header()))
    writer.writerows(safe_row(row) for row in tidy_rows(comparison, locale))  # no live formulas
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
    for row in tidy_rows(comparison, locale):
        data.append(row)
    data.freeze(1, 0)
    return wb.to_bytes()
