"""The aggregation service: accepted values → indicator × country × period, with regional
subtotals, a council total, derived shares, change and cumulative sums.

Three SQL queries (see `_query`), then numpy over integer codes; the result is a pandas frame.
Semantics: missing is not zero (a country without a value is
listed as missing and left out of totals, which are then marked partial); NIL counts as 0;
N/A and N/AV are missing; EST values count and are flagged. What an audience may not see
(CONF, and what would give it away: services/disclosure.py) is hidden before anything is
computed from it. Every value keeps its note and the id of the return version it came from.
"""

from __future__ import annotations

import itertools
from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import exists, or_, select
from sqlalchemy.engine import Row as ResultRow
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Country, ReportingPeriod, Return, ReturnValue, ReturnVersion
from ..disclosure import Audience
from .columns import fetch_columns, fetch_json, in_json, json_column
from .hidden import hidden_rows
from .selection import Selection
from .totals import Grid, derived_shares, totals


@dataclass
class Comparison:
    selection: Selection
    rows: pd.DataFrame  # one row per country × period × indicator × breakdown column
    totals: pd.DataFrame  # one row per region (and the council) × period × indicator × column
    derived: pd.DataFrame  # derived shares per country × period
    missing: dict = field(default_factory=dict)  # period -> countries with no return version used

    def records(self, *columns: str):
        """The rows as named tuples, column by column: itertuples() on string columns costs
        about ten times more (pandas 3 boxes every element)."""
        fields = columns or tuple(self.rows.columns)
        Row = namedtuple("Row", fields)  # type: ignore[misc]  # fields are the columns asked for, known at run time
        lists = [self.rows[c].tolist() for c in fields]
        return map(Row._make, zip(*lists))

    @property
    def empty(self) -> bool:
        return bool(self.rows["value"].isna().all()) if len(self.rows) else True


def _versions(selection: Selection, periods: list[str], *columns):
    """Per return, the version to use: the last accepted one, or (provisional) the last submitted.
    Written as "no later such version exists", which both planners run as an anti-join (with a
    join on max(number) PostgreSQL misjudged the rows and took 2,400 nested index scans)."""
    stamp = "submitted_at" if selection.provisional else "accepted_at"
    later = aliased(ReturnVersion)
    return (
        select(*columns)
        .select_from(ReturnVersion)
        .join(Return, Return.id == ReturnVersion.return_id)
        .join(Country, Country.id == Return.country_id)
        .join(ReportingPeriod, ReportingPeriod.id == Return.period_id)
        .where(
            getattr(ReturnVersion, stamp).is_not(None),
            ~exists().where(
                later.return_id == ReturnVersion.return_id,
                later.number > ReturnVersion.number,
                getattr(later, stamp).is_not(None),
            ),
            ReportingPeriod.label.in_(periods),
            Country.iso2.in_(selection.countries),
        )
    )


VERSION_COLUMNS = ("id", "country", "period", "number", "provisional")
FIGURE_COLUMNS = ("version_id", "indicator", "breakdown", "number", "status")


def _query(
    selection: Selection, periods: list[str], withheld: bool = False
) -> tuple[dict, dict, Sequence[ResultRow], str]:
    """Three queries: the return version used per (country, period); the figures of those
    versions as columns, read from the covering index ix_return_value_figures, without repeating
    country, period and version per value; the few cells with a text or a note, through the
    partial index ix_return_value_annotated. The version ids found by the first go to the others
    as one JSON parameter. With `withheld`, the first also reads what each version hides from
    outsiders (services/disclosure.py)."""
    columns = [
        ReturnVersion.id,
        Country.iso2,
        ReportingPeriod.label,
        ReturnVersion.number,
        ReturnVersion.accepted_at.is_(None),
    ]
    texts = fetch_json(
        _versions(selection, periods, *(json_column(c) for c in columns + [ReturnVersion.withheld] * withheld))
    )
    versions = dict(zip(VERSION_COLUMNS + ("withheld",) * withheld, map(orjson.loads, texts)))
    where = (ReturnValue.indicator.in_(selection.indicators), in_json(ReturnValue.version_id, texts[0]))
    figures = dict(
        zip(
            FIGURE_COLUMNS,
            fetch_columns(select(*(json_column(getattr(ReturnValue, c)) for c in FIGURE_COLUMNS)).where(*where)),
        )
    )
    annotated = db.session.execute(
        select(ReturnValue.version_id, ReturnValue.indicator, ReturnValue.breakdown, ReturnValue.text, ReturnValue.note)
        .where(*where, or_(ReturnValue.text.is_not(None), ReturnValue.note.is_not(None)))
        # Without statistics SQLite would read every figure's row for its text and note.
        .with_hint(ReturnValue, "INDEXED BY ix_return_value_annotated", "sqlite")
    ).all()
    return versions, figures, annotated, texts[0]


def _grid(selection: Selection) -> Grid:
    """Every cell the comparison shows — for each (indicator, breakdown column), each country,
    and each period whose template has the cell — so that a missing value is a row, not an
    absence. Integer codes, sorted by (cell, country, period)."""
    periods = [label for label, _template in selection.history]
    by_template: dict[int, list[tuple]] = {}
    found: dict[tuple[str, str], tuple[str, str, list[int]]] = {}
    for i, (_label, template) in enumerate(selection.history):
        if template.id not in by_template:
            cells = by_template[template.id] = []
            indicators = {ind.code: ind for ind in template.indicators}
            for code in selection.indicators:
                ind = indicators.get(code)
                if ind is None:
                    continue
                columns = template.columns(ind.breakdown)
                if not selection.breakdown:
                    columns = [c for c in columns if c in ("Total", "Value")]
                cells.extend(((code, column), ind.kind, ind.unit) for column in columns)
        for key, kind, unit in by_template[template.id]:
            found.setdefault(key, (kind, unit, []))[2].append(i)
    found = dict(sorted(found.items()))
    countries = sorted(selection.countries)
    n_c = len(countries)
    cell, country, period = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for k, (_kind, _unit, period_list) in enumerate(found.values()):
        pos = np.array(period_list, dtype=np.int64)
        cell.append(np.full(n_c * len(pos), k, dtype=np.int64))
        country.append(np.repeat(np.arange(n_c, dtype=np.int64), len(pos)))
        period.append(np.tile(pos, n_c))
    return Grid(
        cells=list(found),
        kinds=np.array([v[0] for v in found.values()], dtype=object),
        units=np.array([v[1] for v in found.values()], dtype=object),
        countries=countries,
        regions=[selection.regions[c] for c in countries],
        periods=periods,
        cell=np.concatenate(cell),
        country=np.concatenate(country),
        period=np.concatenate(period),
    )


def positions(values, labels: list) -> np.ndarray:
    """Each value's position in `labels` (-1 if absent)."""
    lookup = {label: i for i, label in enumerate(labels)}
    return np.fromiter(map(lookup.get, values, itertools.repeat(-1)), dtype=np.intp, count=len(values))


@dataclass
class _Versions:
    """The fetched versions: their ids, and each one's country and period as grid codes."""

    ids: pd.Index
    country: np.ndarray
    period: np.ndarray


def _locate(grid: Grid, versions: _Versions, version_ids, indicators, breakdowns) -> tuple[np.ndarray, ...]:
    """For fetched cells (columns of version id, indicator, breakdown): their rows in the grid
    (binary search on the integer keys), which of the cells have one, and each cell's version."""
    n = len(grid.cell)
    at_version = versions.ids.get_indexer(np.asarray(version_ids, dtype=np.int64))
    ind_labels = list(dict.fromkeys(i for i, _c in grid.cells))
    col_labels = list(dict.fromkeys(c for _i, c in grid.cells))
    cell_of = np.full((max(1, len(ind_labels)), max(1, len(col_labels))), -1, dtype=np.int64)
    for k, (code, column) in enumerate(grid.cells):
        cell_of[ind_labels.index(code), col_labels.index(column)] = k
    di, dc = positions(indicators, ind_labels), positions(breakdowns, col_labels)
    dk = np.where((di >= 0) & (dc >= 0), cell_of[np.maximum(di, 0), np.maximum(dc, 0)], -1)
    # A figure of a version not in `versions` (accepted between the two queries) is left out.
    known = at_version >= 0
    safe = np.where(known, at_version, 0)
    country = versions.country[safe] if len(versions.ids) else np.zeros(len(safe), dtype=np.intp)
    period = versions.period[safe] if len(versions.ids) else np.zeros(len(safe), dtype=np.intp)
    keys = (dk * len(grid.countries) + country) * len(grid.periods) + period
    at = np.searchsorted(grid.keys, keys) if n else np.zeros(len(keys), dtype=np.intp)
    ok = (dk >= 0) & known & (at < n)
    ok[ok] = grid.keys[at[ok]] == keys[ok]
    return at[ok], np.nonzero(ok)[0], at_version


STATUSES = [None, "N/A", "N/AV", "NIL", "EST", "CONF"]  # the return's codes (spec §4), validated on upload
NA, NAV, NIL, EST, CONF = range(1, 6)


def _place(grid: Grid, versions: dict, figures: dict, annotated: Sequence[ResultRow]) -> dict[str, Any]:
    """Put each fetched figure, text and note at its row of the grid."""
    n = len(grid.cell)
    coded = _Versions(
        pd.Index(np.asarray(versions["id"], dtype=np.int64)),
        positions(versions["country"], grid.countries),
        positions(versions["period"], grid.periods),
    )
    at, src, at_version = _locate(grid, coded, figures["version_id"], figures["indicator"], figures["breakdown"])
    codes = positions(figures["status"], STATUSES)[src]
    status = np.zeros(n, dtype=np.intp)  # codes into STATUSES; 0 is none (or one not known here)
    status[at] = np.maximum(codes, 0)
    out: dict[str, Any] = {
        "status": np.array(STATUSES, dtype=object)[status],
        "status_code": status,
        "number": np.full(n, np.nan),
        "version_id": np.full(n, np.nan),
        "version": np.full(n, np.nan),
        "provisional": np.zeros(n, dtype=bool),
    }
    if (codes < 0).any():
        out["status"][at[codes < 0]] = np.asarray(figures["status"], dtype=object)[src[codes < 0]]
    out["number"][at] = np.asarray(figures["number"], dtype=float)[src]
    used = at_version[src]
    out["version_id"][at] = np.asarray(versions["id"], dtype=float)[used]
    out["version"][at] = np.asarray(versions["number"], dtype=float)[used]
    out["provisional"][at] = np.asarray(versions["provisional"], dtype=bool)[used]
    for column in ("text", "note"):
        out[column] = np.full(n, None, dtype=object)
    if annotated:
        notes = list(zip(*annotated))
        at, src, _ = _locate(grid, coded, *notes[:3])
        out["text"][at] = np.asarray(notes[3], dtype=object)[src]
        out["note"][at] = np.asarray(notes[4], dtype=object)[src]
    has = np.zeros((max(1, len(grid.countries)), max(1, len(grid.periods))), dtype=bool)
    has[coded.country, coded.period] = True
    out["has"] = has
    out["has_return"] = has[grid.country, grid.period]
    out["locate"] = lambda vids, inds, cols: _locate(grid, coded, vids, inds, cols)[:2]
    return out


def _shift(group: np.ndarray, array: np.ndarray, fill) -> np.ndarray:
    """Each element's predecessor in its (cell, country) series (`fill` at a series' start)."""
    starts = np.ones(len(group), dtype=bool)
    starts[1:] = group[1:] != group[:-1]
    out = np.empty(len(group), dtype=array.dtype)
    out[0:1] = fill
    out[1:] = array[:-1]
    out[starts] = fill
    return out


def _within_groups(
    group: np.ndarray, value: np.ndarray, present: np.ndarray, hidden: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Previous value, running sum, values seen, gaps and hidden values so far, per (cell,
    country) series."""
    by = pd.Series(group)
    running = pd.Series(np.nan_to_num(value)).groupby(by).cumsum().to_numpy()
    seen = pd.Series(present.astype(np.int64)).groupby(by).cumsum().to_numpy()
    gaps = pd.Series((~present).astype(np.int64)).groupby(by).cumsum().to_numpy()
    return _shift(group, value, np.nan), running, seen, gaps, _any_so_far(group, hidden)


def _any_so_far(group: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """Whether `flag` was set at or before each element of its (sorted) series."""
    if not flag.any():
        return np.zeros(len(group), dtype=bool)
    count = np.cumsum(flag)
    starts = np.ones(len(group), dtype=bool)
    starts[1:] = group[1:] != group[:-1]
    start = np.maximum.accumulate(np.where(starts, np.arange(len(group)), 0))
    return count - np.where(start > 0, count[start - 1], 0) > 0


def _labels(names: list[str], codes: np.ndarray) -> pd.Categorical:
    """A column of repeated labels as a categorical built from the integer codes we already
    have: no string per row (pandas would otherwise convert every row to its string type)."""
    categories, inverse = np.unique(np.array(names or [""], dtype=object), return_inverse=True)
    return pd.Categorical.from_codes(inverse[codes], categories=categories)


def compare(selection: Selection, audience: Audience) -> Comparison:
    """The comparison as `audience` may see it (services/disclosure.py): a hidden figure is
    NaN here, flagged `hidden`, and every change, running sum, total and share that would use
    it is hidden too — nothing computed from it leaves this function.

    Rows are laid out as a grid of integer keys (cell, country, period), sorted, so that
    placing values, previous-period change, running sums and totals are array operations
    rather than merges and group-bys over strings (bench/compare.py)."""
    grid = _grid(selection)
    upto = grid.periods
    versions, figures, annotated, ids_json = _query(selection, upto, withheld=not audience.sees_all)
    data = _place(grid, versions, figures, annotated)
    hidden, withheld = hidden_rows(grid, selection, versions, ids_json, data["locate"], audience)
    status = data["status_code"]
    value = np.where(status == NIL, 0.0, np.where((status == NA) | (status == NAV), np.nan, data["number"]))
    value[hidden] = np.nan
    data["number"][hidden] = np.nan
    for column in ("text", "note"):
        data[column][hidden | withheld] = None
    # A hidden cell says nothing of itself: no status (NIL would tell a zero, CONF which of two
    # hidden cells is the confidential one), no estimate flag.
    data["status"][hidden] = None
    status = np.where(hidden, 0, data["status_code"])
    present = ~np.isnan(value)
    group = grid.keys // max(1, len(upto))
    previous, running, seen, gaps, secret = _within_groups(group, value, present, hidden)
    flows = grid.kinds[grid.cell] == "flow" if len(grid.cells) else np.zeros(0, dtype=bool)
    chosen = np.nonzero(np.isin(grid.period, [upto.index(p) for p in selection.periods]))[0]
    pick = (lambda a: a) if len(chosen) == len(grid.cell) else (lambda a: a[chosen])  # noqa: E731
    cell, country = pick(grid.cell), pick(grid.country)
    rows = pd.DataFrame(
        {
            "country": _labels(grid.countries, country),
            "region": _labels(grid.regions, country),
            "period": _labels(upto, pick(grid.period)),
            "indicator": _labels([c for c, _b in grid.cells], cell),
            "breakdown": _labels([b for _c, b in grid.cells], cell),
            "kind": _labels(list(grid.kinds), cell),
            "unit": _labels(list(grid.units), cell),
            **{k: pick(data[k]) for k in ("number", "text", "status", "note", "version_id", "version", "provisional")},
            "value": pick(value),
            "est": pick(status == EST),
            "conf": pick(status == CONF),
            "has_return": pick(data["has_return"]),
            "period_order": pick(grid.period),
            "present": pick(present),
            "previous": pick(previous),
            "change": pick(value - previous),
            "cumulative": pick(np.where(flows & (seen > 0) & ~secret, running, np.nan)),
            "cumulative_partial": pick(flows & (gaps > 0)),
            "hidden": pick(hidden),
            "change_hidden": pick(hidden | _shift(group, hidden, False)),
            "cumulative_hidden": pick(flows & secret),
        }
    )
    missing = {
        p: [c for c, has in zip(grid.countries, data["has"][:, upto.index(p)]) if not has] for p in selection.periods
    }
    flags = {"value": value, "present": present, "est": status == EST, "hidden": hidden}
    return Comparison(
        selection,
        rows,
        totals(grid, chosen, flags, audience.small_cells),
        derived_shares(grid, chosen, value, hidden),
        missing,
    )
