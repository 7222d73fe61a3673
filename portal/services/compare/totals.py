"""Regional and council totals and derived shares, computed over the comparison's integer grid.

Totals: the sum of present values per (region or council, period, cell); countries without a
value are listed as missing and the total is marked partial; a total with a contributor the
audience may not see is hidden ("c": it is never computed from a hidden number, so no two
selections of countries can be subtracted to recover one), and so is a count total under the
audience's small-cell threshold; only counts and amounts are summed.
Shares: a missing term gives no share (missing is not zero); a hidden term hides the share.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TypedDict

import numpy as np
import pandas as pd

from ..returns.rules import ADDITIVE_UNITS
from . import COUNCIL


class DerivedSpec(TypedDict):
    """A share: the sum of the numerator cells over the sum of the denominator cells, in per cent."""

    id: str
    num: list[tuple[str, str]]  # (indicator, breakdown column)
    den: list[tuple[str, str]]


DERIVED: list[DerivedSpec] = [
    {"id": "REP01_minors", "num": [("REP01", "Boys"), ("REP01", "Girls")], "den": [("REP01", "Total")]},
    {"id": "CHL_enrolled", "num": [("CHL02", "Total")], "den": [("CHL01", "Total")]},
    {"id": "PRS_convicted", "num": [("PRS04", "Total")], "den": [("PRS03", "Total")]},
]
TOTAL_COLUMNS = [
    "group",
    "period",
    "indicator",
    "breakdown",
    "value",
    "contributors",
    "missing",
    "partial",
    "est",
    "suppressed",
    "additive",
]


@dataclass
class Grid:
    """Every cell a comparison shows, as integer codes sorted by (cell, country, period)."""

    cells: list[tuple[str, str]]  # (indicator, breakdown column), sorted
    kinds: np.ndarray  # per cell: flow | stock
    units: np.ndarray  # per cell: count, amount, …
    countries: list[str]  # ISO codes, sorted
    regions: list[str]  # region code per country
    periods: list[str]  # labels, oldest first
    cell: np.ndarray
    country: np.ndarray
    period: np.ndarray

    @cached_property
    def keys(self) -> np.ndarray:
        return (self.cell * len(self.countries) + self.country) * len(self.periods) + self.period


def totals(grid: Grid, chosen: np.ndarray, flags: dict[str, np.ndarray], small_cells: int = 0) -> pd.DataFrame:
    """Totals per region and for the council, over the rows `chosen` (indices into the grid)."""
    if not len(grid.cells):
        return pd.DataFrame(columns=TOTAL_COLUMNS)
    additive = np.isin(grid.units, ADDITIVE_UNITS)
    idx = chosen[additive[grid.cell[chosen]]]
    if not len(idx):
        return pd.DataFrame(columns=TOTAL_COLUMNS)
    groups = sorted(set(grid.regions)) + [COUNCIL]
    region_of = np.array([groups.index(r) for r in grid.regions], dtype=np.int64)
    n_cells, n_p = len(grid.cells), len(grid.periods)
    by_region = (region_of[grid.country[idx]] * n_cells + grid.cell[idx]) * n_p + grid.period[idx]
    council = ((len(groups) - 1) * n_cells + grid.cell[idx]) * n_p + grid.period[idx]
    keys = np.concatenate([by_region, council])
    rows = np.concatenate([idx, idx])
    uniq, inverse = np.unique(keys, return_inverse=True)
    size = len(uniq)
    known = flags["present"][rows]
    present = known | flags["hidden"][rows]  # a hidden value is there, only not shown

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=mask.astype(float), minlength=size).astype(np.int64)

    value = np.bincount(inverse, weights=np.where(known, flags["value"][rows], 0.0), minlength=size)
    contributors = count(present)
    cells = np.bincount(inverse, minlength=size)
    est = count(flags["est"][rows] & present) > 0
    absent = np.nonzero(~present)[0]
    absent = absent[np.argsort(inverse[absent], kind="stable")]  # rows run by country: lists come out sorted
    names = np.array(grid.countries, dtype=object)[grid.country[rows[absent]]].tolist()
    ends = np.cumsum(np.bincount(inverse[absent], minlength=size)).tolist()
    missing = [names[start:end] for start, end in zip([0, *ends[:-1]], ends)]
    suppressed = count(flags["hidden"][rows]) > 0
    group_i, rest = np.divmod(uniq, n_cells * n_p)
    cell_i, period_i = np.divmod(rest, n_p)
    if small_cells:
        counts = grid.units[cell_i] == "count"
        suppressed |= counts & (value > 0) & (value < small_cells)
    value[suppressed | (contributors == 0)] = np.nan
    label = lambda names, codes: np.array(names, dtype=object)[codes]  # noqa: E731
    return pd.DataFrame(
        {
            "group": label(groups, group_i),
            "period": label(grid.periods, period_i),
            "indicator": label([c for c, _b in grid.cells], cell_i),
            "breakdown": label([b for _c, b in grid.cells], cell_i),
            "value": value,
            "contributors": contributors,
            "missing": missing,
            "partial": contributors < cells,
            "est": est,
            "suppressed": suppressed,
            "additive": True,
        }
    )[TOTAL_COLUMNS]


def derived_shares(grid: Grid, chosen: np.ndarray, value: np.ndarray, hidden: np.ndarray) -> pd.DataFrame:
    """Shares per country and period, ordered by country, then period; `hidden` where a term is."""
    index = {cell: k for k, cell in enumerate(grid.cells)}
    specs = [spec for spec in DERIVED if all(term in index for term in spec["num"] + spec["den"])]
    if not specs:
        return pd.DataFrame(columns=["measure", "country", "period", "share", "hidden"])
    shape = (len(grid.countries), len(grid.periods))
    exists = np.zeros(shape, dtype=bool)
    terms, secret = {}, {}
    cell = grid.cell[chosen]
    for term in {t for spec in specs for t in spec["num"] + spec["den"]}:
        rows = chosen[cell == index[term]]
        matrix = np.full(shape, np.nan)
        matrix[grid.country[rows], grid.period[rows]] = value[rows]
        exists[grid.country[rows], grid.period[rows]] = True
        terms[term] = matrix
        mask = np.zeros(shape, dtype=bool)
        mask[grid.country[rows], grid.period[rows]] = hidden[rows]
        secret[term] = mask
    ci, pi = np.nonzero(exists)
    out = []
    for spec in specs:
        num = sum(terms[t] for t in spec["num"])
        den = sum(terms[t] for t in spec["den"])
        masked = np.logical_or.reduce([secret[t] for t in spec["num"] + spec["den"]])
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(den > 0, num / np.where(den > 0, den, 1.0) * 100, np.nan)
        share[masked] = np.nan
        out.append(
            pd.DataFrame(
                {
                    "measure": spec["id"],
                    "country": np.array(grid.countries, dtype=object)[ci],
                    "period": np.array(grid.periods, dtype=object)[pi],
                    "share": share[ci, pi],
                    "hidden": masked[ci, pi],
                }
            )
        )
    return pd.concat(out, ignore_index=True)
