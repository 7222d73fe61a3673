"""The aggregation service: accepted values → indicator × country × period, with regional
subtotals, a council total, derived shares, change and cumulative sums.

Two SQL queries, then numpy over integer codes; the result is a pandas frame. Semantics: missing is not zero (a country without a value is
listed as missing and left out of totals, which are then marked partial); NIL counts as 0;
N/A and N/AV are missing; EST values count and are flagged; CONF values count in a total
only when at least three countries contribute to it, otherwise the total is suppressed
("c"). Every value keeps its note and the id of the return version it came from.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, select

from ...extensions import db
from ...models import Country, Region, ReportingPeriod, Return, ReturnValue, ReturnVersion
from .selection import Selection

from .totals import Grid, derived_shares, totals


@dataclass
class Comparison:
    selection: Selection
    rows: pd.DataFrame            # one row per country × period × indicator × breakdown column
    totals: pd.DataFrame          # one row per region (and the council) × period × indicator × column
    derived: pd.DataFrame         # derived shares per country × period
    missing: dict = field(default_factory=dict)  # period -> countries with no return version used

    def records(self, *columns: str):
        """The rows as named tuples, column by column: itertuples() on string columns costs
        about ten times more (pandas 3 boxes every element)."""
        fields = columns or tuple(self.rows.columns)
        Row = namedtuple("Row", fields)
        lists = [self.rows[c].tolist() for c in fields]
        return map(Row._make, zip(*lists))

    @property
    def empty(self) -> bool:
        return bool(self.rows["value"].isna().all()) if len(self.rows) else True


def _versions_used(provisional: bool):
    """Per return, the version to use: the last accepted one, or (provisional) the last submitted."""
    stamp = ReturnVersion.submitted_at if provisional else ReturnVersion.accepted_at
    return (select(ReturnVersion.return_id, func.max(ReturnVersion.number).label("number"))
            .where(stamp.is_not(None)).group_by(ReturnVersion.return_id).subquery())


def _fetch(stmt) -> list[tuple]:
    # The driver's own rows (plain tuples, no per-row result processing): one indicator over
    # 60 countries × 40 periods is 12k rows, and building Row objects cost more than the query.
    result = db.session.connection().execute(stmt)
    rows = result.cursor.fetchall()
    result.close()
    return rows


def _versions(selection: Selection, periods: list[str], *columns):
    used = _versions_used(selection.provisional)
    return (select(*columns)
            .join(used, and_(used.c.return_id == ReturnVersion.return_id, used.c.number == ReturnVersion.number))
            .join(Return, Return.id == ReturnVersion.return_id)
            .join(Country, Country.id == Return.country_id)
            .join(ReportingPeriod, ReportingPeriod.id == Return.period_id)
            .where(ReportingPeriod.label.in_(periods), Country.iso2.in_(selection.countries)))


def _query(selection: Selection, periods: list[str]) -> tuple[list[tuple], list[tuple]]:
    """Two queries: the return version used per (country, period) — a few thousand rows — and
    the values of those versions, without repeating country, period and version per value
    (each string column costs about as much to fetch as the query itself)."""
    versions = _fetch(_versions(selection, periods, ReturnVersion.id, Country.iso2, ReportingPeriod.label,
                                ReturnVersion.number, ReturnVersion.accepted_at.is_(None)))
    stmt = (select(ReturnValue.version_id, ReturnValue.indicator, ReturnValue.breakdown, ReturnValue.number,
                   ReturnValue.text, ReturnValue.status, ReturnValue.note)
            .where(ReturnValue.indicator.in_(selection.indicators),
                   ReturnValue.version_id.in_(_versions(selection, periods, ReturnVersion.id))))
    return versions, _fetch(stmt)


def _grid(selection: Selection, periods: list[str]) -> Grid:
    """Every cell the comparison shows — for each (indicator, breakdown column), each country,
    and each period whose template has the cell — so that a missing value is a row, not an
    absence. Integer codes, sorted by (cell, country, period)."""
    templates = {p.label: p.template for p in db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.label.in_(periods)))}
    found: dict[tuple[str, str], tuple[str, str, list[int]]] = {}
    for i, period in enumerate(periods):
        template = templates[period]
        for code in selection.indicators:
            ind = template.indicator(code)
            if ind is None:
                continue
            columns = template.columns(ind.breakdown)
            if not selection.breakdown:
                columns = [c for c in columns if c in ("Total", "Value")]
            for column in columns:
                found.setdefault((code, column), (ind.kind, ind.unit, []))[2].append(i)
    found = dict(sorted(found.items()))
    countries = sorted(selection.countries)
    region_of = dict(db.session.execute(select(Country.iso2, Region.code).join(Region)).all())
    n_c = len(countries)
    cell, country, period = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for k, (_kind, _unit, positions) in enumerate(found.values()):
        pos = np.array(positions, dtype=np.int64)
        cell.append(np.full(n_c * len(pos), k, dtype=np.int64))
        country.append(np.repeat(np.arange(n_c, dtype=np.int64), len(pos)))
        period.append(np.tile(pos, n_c))
    return Grid(cells=list(found), kinds=np.array([v[0] for v in found.values()], dtype=object),
                units=np.array([v[1] for v in found.values()], dtype=object), countries=countries,
                regions=[region_of[c] for c in countries], periods=periods, cell=np.concatenate(cell),
                country=np.concatenate(country), period=np.concatenate(period))


def _codes(values, labels: list) -> np.ndarray:
    return pd.Index(labels).get_indexer(np.array(values, dtype=object)) if len(values) else np.zeros(0, dtype=np.intp)


def _place(grid: Grid, versions: list[tuple], values: list[tuple]) -> dict[str, np.ndarray]:
    """Put each fetched value at its row of the grid (binary search on the integer keys)."""
    n = len(grid.cell)
    keys = grid.keys
    v_ids = np.array([v[0] for v in versions], dtype=np.int64)
    v_country = _codes([v[1] for v in versions], grid.countries)
    v_period = _codes([v[2] for v in versions], grid.periods)
    data = dict(zip(["version_id", "indicator", "breakdown", "number", "text", "status", "note"],
                    list(zip(*values)) if values else [()] * 7))
    at_version = pd.Index(v_ids).get_indexer(np.array(data["version_id"], dtype=np.int64))
    indicators = list(dict.fromkeys(i for i, _c in grid.cells))
    columns = list(dict.fromkeys(c for _i, c in grid.cells))
    cell_of = np.full((max(1, len(indicators)), max(1, len(columns))), -1, dtype=np.int64)
    for k, (code, column) in enumerate(grid.cells):
        cell_of[indicators.index(code), columns.index(column)] = k
    di, dc = _codes(data["indicator"], indicators), _codes(data["breakdown"], columns)
    dk = np.where((di >= 0) & (dc >= 0), cell_of[np.maximum(di, 0), np.maximum(dc, 0)], -1)
    data_keys = (dk * len(grid.countries) + v_country[at_version]) * len(grid.periods) + v_period[at_version]
    at = np.searchsorted(keys, data_keys) if n else np.zeros(len(data_keys), dtype=np.intp)
    ok = (dk >= 0) & (at_version >= 0) & (at < n)
    ok[ok] = keys[at[ok]] == data_keys[ok]
    at, src = at[ok], np.nonzero(ok)[0]
    data["version"] = np.array([v[3] for v in versions], dtype=float)[at_version]
    data["provisional"] = np.array([bool(v[4]) for v in versions], dtype=bool)[at_version]
    out = {}
    for column, fill, dtype in [("status", None, object), ("number", np.nan, float), ("text", None, object),
                                ("note", None, object), ("version_id", np.nan, float), ("version", np.nan, float),
                                ("provisional", False, bool)]:
        out[column] = np.full(n, fill, dtype=dtype)
        out[column][at] = np.asarray(data[column], dtype=dtype)[src]
    has = np.zeros((max(1, len(grid.countries)), max(1, len(grid.periods))), dtype=bool)
    has[v_country, v_period] = True
    out["has_return"] = has[grid.country, grid.period]
    return out


def _within_groups(group: np.ndarray, value: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, ...]:
    """Previous value, running sum, values seen and gaps so far, per (cell, country) series."""
    starts = np.ones(len(group), dtype=bool)
    starts[1:] = group[1:] != group[:-1]
    previous = np.empty(len(group))
    previous[0:1] = np.nan
    previous[1:] = value[:-1]
    previous[starts] = np.nan
    by = pd.Series(group)
    running = pd.Series(np.nan_to_num(value)).groupby(by).cumsum().to_numpy()
    seen = pd.Series(present.astype(np.int64)).groupby(by).cumsum().to_numpy()
    gaps = pd.Series((~present).astype(np.int64)).groupby(by).cumsum().to_numpy()
    return previous, running, seen, gaps


def _labels(names: list[str], codes: np.ndarray) -> pd.Categorical:
    """A column of repeated labels as a categorical built from the integer codes we already
    have: no string per row (pandas would otherwise convert every row to its string type)."""
    categories, inverse = np.unique(np.array(names or [""], dtype=object), return_inverse=True)
    return pd.Categorical.from_codes(inverse[codes], categories=categories)


def compare(selection: Selection) -> Comparison:
    """Rows are laid out as a grid of integer keys (cell, country, period), sorted, so that
    placing values, previous-period change, running sums and totals are array operations
    rather than merges and group-bys over strings (bench/compare.py)."""
    all_periods = [p.label for p in db.session.scalars(
        select(ReportingPeriod).order_by(ReportingPeriod.start_date))]
    upto = all_periods[: all_periods.index(selection.periods[-1]) + 1]
    grid = _grid(selection, upto)
    versions, values = _query(selection, upto)
    data = _place(grid, versions, values)
    status = data["status"]
    value = np.where(status == "NIL", 0.0, np.where((status == "N/A") | (status == "N/AV"), np.nan, data["number"]))
    present = ~np.isnan(value)
    previous, running, seen, gaps = _within_groups(grid.keys // max(1, len(upto)), value, present)
    flows = grid.kinds[grid.cell] == "flow" if len(grid.cells) else np.zeros(0, dtype=bool)
    rows = pd.DataFrame({
        "country": _labels(grid.countries, grid.country), "region": _labels(grid.regions, grid.country),
        "period": _labels(upto, grid.period), "indicator": _labels([c for c, _b in grid.cells], grid.cell),
        "breakdown": _labels([b for _c, b in grid.cells], grid.cell),
        "kind": _labels(list(grid.kinds), grid.cell), "unit": _labels(list(grid.units), grid.cell),
        **{k: data[k] for k in ("number", "text", "status", "note", "version_id", "version", "provisional")},
        "value": value, "est": status == "EST", "conf": status == "CONF", "has_return": data["has_return"],
        "period_order": grid.period, "present": present, "previous": previous, "change": value - previous,
        "cumulative": np.where(flows & (seen > 0), running, np.nan), "cumulative_partial": flows & (gaps > 0),
    })
    chosen = np.nonzero(np.isin(grid.period, [upto.index(p) for p in selection.periods]))[0]
    with_return: dict[str, set[str]] = {}
    for _id, country, period, *_rest in versions:
        with_return.setdefault(period, set()).add(country)
    missing = {p: sorted(set(selection.countries) - with_return.get(p, set())) for p in selection.periods}
    flags = {"value": value, "present": present, "conf": status == "CONF", "est": status == "EST"}
    return Comparison(selection, rows.iloc[chosen].reset_index(drop=True), totals(grid, chosen, flags),
                      derived_shares(grid, chosen, value), missing)
