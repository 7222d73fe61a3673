"""The aggregation service: accepted values → indicator × country × period, with regional
subtotals, a council total, derived shares, change and cumulative sums.

One SQL query, then pandas. Semantics: missing is not zero (a country without a value is
listed as missing and left out of totals, which are then marked partial); NIL counts as 0;
N/A and N/AV are missing; EST values count and are flagged; CONF values count in a total
only when at least three countries contribute to it, otherwise the total is suppressed
("c"). Every value keeps its note and the id of the return version it came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, select

from ...extensions import db
from ...models import Country, Region, ReportingPeriod, Return, ReturnValue, ReturnVersion
from .selection import Selection

CONF_MIN_CONTRIBUTORS = 3
COUNCIL = "council"
DERIVED = [
    {"id": "REP01_minors", "num": [("REP01", "Boys"), ("REP01", "Girls")], "den": [("REP01", "Total")]},
    {"id": "CHL_enrolled", "num": [("CHL02", "Total")], "den": [("CHL01", "Total")]},
    {"id": "PRS_convicted", "num": [("PRS04", "Total")], "den": [("PRS03", "Total")]},
]
ROW_COLUMNS = ["country", "region", "period", "indicator", "breakdown", "number", "text", "status",
               "note", "version_id", "version", "provisional"]


@dataclass
class Comparison:
    selection: Selection
    rows: pd.DataFrame            # one row per country × period × indicator × breakdown column
    totals: pd.DataFrame          # one row per region (and the council) × period × indicator × column
    derived: pd.DataFrame         # derived shares per country × period
    missing: dict = field(default_factory=dict)  # period -> countries with no return version used

    @property
    def empty(self) -> bool:
        return bool(self.rows["value"].isna().all()) if len(self.rows) else True


def _versions_used(provisional: bool):
    """Per return, the version to use: the last accepted one, or (provisional) the last submitted."""
    stamp = ReturnVersion.submitted_at if provisional else ReturnVersion.accepted_at
    return (select(ReturnVersion.return_id, func.max(ReturnVersion.number).label("number"))
            .where(stamp.is_not(None)).group_by(ReturnVersion.return_id).subquery())


def _query(selection: Selection, periods: list[str]) -> pd.DataFrame:
    used = _versions_used(selection.provisional)
    stmt = (
        select(Country.iso2, Region.code, ReportingPeriod.label, ReturnValue.indicator, ReturnValue.breakdown,
               ReturnValue.number, ReturnValue.text, ReturnValue.status, ReturnValue.note, ReturnVersion.id,
               ReturnVersion.number, ReturnVersion.accepted_at.is_(None))
        .join(ReturnVersion, ReturnValue.version_id == ReturnVersion.id)
        .join(used, and_(used.c.return_id == ReturnVersion.return_id, used.c.number == ReturnVersion.number))
        .join(Return, Return.id == ReturnVersion.return_id)
        .join(Country, Country.id == Return.country_id)
        .join(Region, Region.id == Country.region_id)
        .join(ReportingPeriod, ReportingPeriod.id == Return.period_id)
        .where(ReturnValue.indicator.in_(selection.indicators), ReportingPeriod.label.in_(periods),
               Country.iso2.in_(selection.countries))
    )
    # The driver's own rows (plain tuples, no per-row result processing): one indicator over
    # 60 countries × 40 periods is 12k rows, and building Row objects cost more than the query.
    result = db.session.connection().execute(stmt)
    frame = pd.DataFrame(result.cursor.fetchall(), columns=ROW_COLUMNS)
    result.close()
    frame["provisional"] = frame["provisional"].astype(bool)
    return frame


def _reported_returns(selection: Selection, periods: list[str]) -> set[tuple[str, str]]:
    used = _versions_used(selection.provisional)
    stmt = (select(Country.iso2, ReportingPeriod.label).select_from(Return)
            .join(used, used.c.return_id == Return.id).join(Country).join(ReportingPeriod)
            .where(ReportingPeriod.label.in_(periods), Country.iso2.in_(selection.countries)))
    return {tuple(r) for r in db.session.connection().execute(stmt)}


def _grid(selection: Selection, periods: list[str]) -> pd.DataFrame:
    """Every cell the comparison shows, so that a missing value is a row, not an absence."""
    templates = {p.label: p.template for p in db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.label.in_(periods)))}
    regions = dict(db.session.execute(select(Country.iso2, Region.code).join(Region)).all())
    # One block per (indicator, its columns): periods that share a template share the block.
    blocks: dict[tuple, list[str]] = {}
    for period in periods:
        template = templates[period]
        for code in selection.indicators:
            ind = template.indicator(code)
            if ind is None:
                continue
            columns = template.columns(ind.breakdown)
            if not selection.breakdown:
                columns = [c for c in columns if c in ("Total", "Value")]
            blocks.setdefault((code, tuple(columns), ind.kind, ind.unit), []).append(period)
    countries = np.array(selection.countries, dtype=object)
    parts = []
    for (code, columns, kind, unit), block_periods in blocks.items():
        per_period = len(columns) * len(countries)
        parts.append(pd.DataFrame({
            "country": np.tile(countries, len(columns) * len(block_periods)),
            "period": np.repeat(np.array(block_periods, dtype=object), per_period),
            "indicator": code,
            "breakdown": np.tile(np.repeat(np.array(columns, dtype=object), len(countries)), len(block_periods)),
            "kind": kind, "unit": unit,
        }))
    grid = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["country", "period", "indicator", "breakdown", "kind", "unit"])
    grid.insert(1, "region", grid["country"].map(regions))
    return grid


def compare(selection: Selection) -> Comparison:
    all_periods = [p.label for p in db.session.scalars(
        select(ReportingPeriod).order_by(ReportingPeriod.start_date))]
    upto = all_periods[: all_periods.index(selection.periods[-1]) + 1]
    grid = _grid(selection, upto)
    data = _query(selection, upto)
    rows = grid.merge(data.drop(columns=["region"]), how="left",
                      on=["country", "period", "indicator", "breakdown"])
    status = rows["status"]
    rows["value"] = np.where(status == "NIL", 0.0,
                             np.where(status.isin(["N/A", "N/AV"]) | rows["number"].isna(), np.nan, rows["number"]))
    rows["value"] = rows["value"].astype(float)
    rows["est"] = status == "EST"
    rows["conf"] = status == "CONF"
    rows["provisional"] = rows["provisional"].fillna(False).astype(bool)
    reported = _reported_returns(selection, upto)
    rows["has_return"] = pd.MultiIndex.from_arrays([rows["country"], rows["period"]]).isin(list(reported)) \
        if reported else False
    rows["period_order"] = rows["period"].map({p: i for i, p in enumerate(all_periods)})
    rows = rows.sort_values(["indicator", "breakdown", "country", "period_order"]).reset_index(drop=True)
    rows["present"] = rows["value"].notna()
    groups = rows.groupby(["country", "indicator", "breakdown"], sort=False)
    rows["previous"] = groups["value"].shift(1)
    rows["change"] = rows["value"] - rows["previous"]
    # Cumulative sums for flow indicators since reporting began (vectorised, no per-group Python).
    rows["_filled"] = rows["value"].fillna(0.0)
    rows["_gaps"] = (~rows["present"]).astype(int)
    running = rows.groupby(["country", "indicator", "breakdown"], sort=False)["_filled"].cumsum()
    reported_so_far = groups["present"].cumsum()
    gaps_so_far = rows.groupby(["country", "indicator", "breakdown"], sort=False)["_gaps"].cumsum()
    flows = rows["kind"] == "flow"
    rows["cumulative"] = np.where(flows & (reported_so_far > 0), running, np.nan)
    rows["cumulative_partial"] = flows & (gaps_so_far > 0)
    rows = rows.drop(columns=["_filled", "_gaps"])
    rows = rows[rows["period"].isin(selection.periods)].reset_index(drop=True)
    missing = {p: sorted(set(selection.countries) - {c for c, q in reported if q == p}) for p in selection.periods}
    return Comparison(selection, rows, _totals(rows), _derived(rows), missing)


def _aggregate(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Totals per group of `keys`, vectorised: sum of present values, contributors, missing list."""
    work = pd.DataFrame({
        **{k: rows[k] for k in keys},
        "value": rows["value"],
        "contributors": rows["present"].astype(np.int32),
        "size": np.ones(len(rows), dtype=np.int32),
        "conf": (rows["conf"] & rows["present"]).astype(np.int32),
        "est": (rows["est"] & rows["present"]).astype(np.int32),
    })
    out = work.groupby(keys, sort=False).sum(min_count=0)
    out["value"] = work.groupby(keys, sort=False)["value"].sum()  # NaN-skipping sum
    out["conf"], out["est"] = out["conf"] > 0, out["est"] > 0
    absent = rows.loc[~rows["present"], [*keys, "country"]].sort_values("country")
    lists: dict[tuple, list] = {}
    for *key, country in zip(*(absent[k].to_numpy() for k in keys), absent["country"].to_numpy()):
        lists.setdefault(tuple(key), []).append(country)
    out = out.reset_index()
    out["missing"] = [lists.get(key, []) for key in zip(*(out[k].to_numpy() for k in keys))]
    out["suppressed"] = out["conf"] & (out["contributors"] < CONF_MIN_CONTRIBUTORS)
    out.loc[out["suppressed"] | (out["contributors"] == 0), "value"] = np.nan
    out["partial"] = out["contributors"] < out["size"]
    return out.drop(columns=["size", "conf"])


def _totals(rows: pd.DataFrame) -> pd.DataFrame:
    columns = ["group", "period", "indicator", "breakdown", "value", "contributors", "missing", "partial",
               "est", "suppressed", "additive"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    keys = ["period", "indicator", "breakdown"]
    by_region = _aggregate(rows, ["region", *keys]).rename(columns={"region": "group"})
    council = _aggregate(rows, keys)
    council.insert(0, "group", COUNCIL)
    totals = pd.concat([by_region, council], ignore_index=True)
    additive = set(rows.loc[rows["unit"].isin(["count", "amount"]), "indicator"])
    totals["additive"] = totals["indicator"].isin(additive)
    return totals[totals["additive"]][columns].reset_index(drop=True)  # means and years are not summed


def _derived(rows: pd.DataFrame) -> pd.DataFrame:
    """Shares per country and period; a missing term gives no share (missing is not zero)."""
    present = set(zip(rows["indicator"], rows["breakdown"]))
    specs = [spec for spec in DERIVED if set(spec["num"] + spec["den"]) <= present]
    if not specs:
        return pd.DataFrame(columns=["measure", "country", "period", "share"])
    needed = {term for spec in specs for term in spec["num"] + spec["den"]}
    subset = rows[pd.MultiIndex.from_arrays([rows["indicator"], rows["breakdown"]]).isin(list(needed))]
    wide = subset.pivot(index=["country", "period"], columns=["indicator", "breakdown"], values="value")
    out = []
    for spec in specs:
        num = sum(wide[term] for term in spec["num"])
        den = sum(wide[term] for term in spec["den"])
        frame = ((num / den.where(den > 0)) * 100).rename("share").reset_index()
        frame.insert(0, "measure", spec["id"])
        out.append(frame)
    return pd.concat(out, ignore_index=True)[["measure", "country", "period", "share"]]
