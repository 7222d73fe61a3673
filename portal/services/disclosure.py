"""Disclosure control: the one place that decides what a viewer may see of any figure.

Audiences. The secretariat and administrators see everything. A country's focal points see
their own country's figures. Everyone else (delegates, other countries' focal points, and the
public) sees no CONF number and nothing from which one can be worked out.

What is hidden, per return version (so the answer never depends on what a page asked for,
and two outputs cannot be combined to undo it):

1. *Primary*: every CONF cell of a country the audience may not see; with a small-cell
   threshold, every count below it (``0 < n < threshold``; off for the council).
2. *Secondary*: the return's linear relations — each indicator's Total and its breakdown parts
   (rule ``breakdown_sum``) and the template's equalities (rule ``equal``, e.g. REP01O.Total =
   REP01.Total) — must each hold 0 or at least 2 hidden cells. Where one holds exactly one, the
   smallest visible non-zero contributor (a part; the Total when no part is left) is hidden too,
   until nothing changes. Then an exact check (linear algebra over all relations of the
   version) confirms that no hidden cell is determined by the visible ones; if one is, another
   cell of its relations is hidden and the check runs again.
3. *Derived figures* are computed only from visible values, and hidden where a term is hidden:
   a change whose either period is hidden, a cumulative sum from the first hidden period on, a
   share with a hidden term, a regional or council total with a hidden contributor (so a total
   is never computed from a hidden number, and no selection of countries can be subtracted
   from another to recover one). See ``services/compare/aggregate.py`` and ``totals.py``.

A hidden cell's note is withheld too (notes often restate the number), for every cell of
its indicator in that version.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from flask import current_app

from ..models import STAFF_ROLES, Role
from .returns import template_cache
from .returns.rules import ADDITIVE_UNITS, expand_refs, le_pairs

Cell = tuple[str, str]  # (indicator code, breakdown column)
MISSING_STATUSES = ("N/A", "N/AV")


@dataclass(frozen=True)
class Audience:
    """Who is looking: what they may see of figures."""

    key: str  # secretariat | council | public
    sees_all: bool = False
    own_countries: frozenset[str] = frozenset()  # ISO codes whose figures they see in full
    small_cells: int = 0  # counts below this are hidden (0: off)

    def sees(self, iso2: str) -> bool:
        """Whether every figure of this country is visible to the audience."""
        return self.sees_all or iso2 in self.own_countries


SECRETARIAT = Audience("secretariat", sees_all=True)


def council(own_countries: Iterable[str] = ()) -> Audience:
    return Audience(
        "council",
        own_countries=frozenset(own_countries),
        small_cells=current_app.config["SMALL_CELL_THRESHOLD_COUNCIL"],
    )


def public() -> Audience:
    """The audience of public outputs (releases, public pages)."""
    return Audience("public", small_cells=current_app.config["SMALL_CELL_THRESHOLD_PUBLIC"])


def audience_for(user) -> Audience:
    """The audience a user belongs to (anonymous: the public)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return public()
    if user.role in STAFF_ROLES:
        return SECRETARIAT
    if user.role == Role.FOCAL_POINT and user.country is not None:
        return council([user.country.iso2])
    return council()


@dataclass
class Relation:
    """sum(left) == sum(right) over cells of one return; `parts` are the contributors that a
    complementary suppression prefers."""

    left: list[Cell]
    right: list[Cell]
    parts: list[Cell] = field(default_factory=list)

    @property
    def cells(self) -> list[Cell]:
        return self.left + self.right


def relations(template) -> list[Relation]:
    """The linear relations a return of this template satisfies."""
    indicators = {ind.code: ind for ind in template.indicators}
    out: list[Relation] = []
    for rule in template.rules:
        if rule.kind == "breakdown_sum":
            units = rule.params.get("units", list(ADDITIVE_UNITS))
            for ind in indicators.values():
                columns = template.columns(ind.breakdown)
                parts = [c for c in columns if c != "Total"]
                if ind.unit in units and "Total" in columns and parts:
                    cells = [(ind.code, c) for c in parts]
                    out.append(Relation([(ind.code, "Total")], cells, cells))
        elif rule.kind == "equal":
            for lhs, rhs in expand_refs(_columns(template), rule.params["left"], rule.params["right"]):
                out.append(Relation(lhs, rhs, lhs + rhs))
    return out


def bounds(template) -> list[tuple[list[Cell], list[Cell]]]:
    """The template's inequalities (rule ``le``), each as (left, right): sum(left) <= sum(right).
    A hidden cell squeezed between two equal visible bounds would be known."""
    return [
        sides
        for rule in template.rules
        if rule.kind == "le"
        for left, right in le_pairs(rule.params)
        for sides in expand_refs(_columns(template), left, right)
    ]


def _columns(template):
    """An indicator's breakdown columns, by code (as the rule engine reads references)."""
    indicators = {ind.code: ind for ind in template.indicators}
    return lambda code: template.columns(indicators[code].breakdown)


def related_indicators(template, codes: Iterable[str]) -> set[str]:
    """The indicators whose cells can decide what is hidden of `codes`: those tied to them,
    directly or through others, by a relation (a breakdown sum stays within its indicator, an
    equality such as REP01O.Total = REP01.Total joins two)."""
    links: dict[str, set[str]] = {}
    for tied_cells in [rel.cells for rel in relations(template)] + [left + right for left, right in bounds(template)]:
        tied = {code for code, _c in tied_cells}
        for code in tied:
            links.setdefault(code, set()).update(tied)
    found, todo = set(codes), list(codes)
    while todo:
        for other in links.get(todo.pop(), ()):
            if other not in found:
                found.add(other)
                todo.append(other)
    return found


def figure(number: float | None, status: str | None) -> float | None:
    """The number a cell contributes to a relation (NIL is 0; N/A, N/AV and a bare CONF none)."""
    if status == "NIL":
        return 0.0
    if status in MISSING_STATUSES or number is None or (isinstance(number, float) and math.isnan(number)):
        return None
    return float(number)


def primary(
    cells: Mapping[Cell, tuple[float | None, str | None]], units: Mapping[str, str], audience: Audience
) -> set[Cell]:
    """Cells hidden for what they are: CONF, and small counts under a threshold."""
    hidden = {key for key, (_n, status) in cells.items() if status == "CONF"}
    if audience.small_cells:
        for key, (number, status) in cells.items():
            value = figure(number, status)
            if value is not None and units.get(key[0]) == "count" and 0 < value < audience.small_cells:
                hidden.add(key)
    return hidden


def _smallest(candidates: list[Cell], values: Mapping[Cell, float]) -> Cell:
    """The complementary cell: the smallest visible non-zero contributor (a zero beside a hidden
    cell would let a hidden zero be told), then the smallest; ties by the relation's order."""
    order = {c: i for i, c in enumerate(candidates)}
    return min(candidates, key=lambda c: (values[c] <= 0, values[c], order[c]))


def determined(hidden: set[Cell], values: Mapping[Cell, float], rels: list[Relation]) -> list[Cell]:
    """Hidden cells whose value follows from the visible ones through the relations (exact:
    a hidden cell is determined when its unit vector lies in the row space of the relations
    restricted to hidden cells, i.e. every solution gives it the same value)."""
    unknown = sorted(c for c in hidden if c in values)
    if not unknown:
        return []
    index = {c: i for i, c in enumerate(unknown)}
    rows = []
    for rel in rels:
        row = np.zeros(len(unknown))
        for sign, side in ((1.0, rel.left), (-1.0, rel.right)):
            for c in side:
                if c in index:
                    row[index[c]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return []
    matrix = np.array(rows)
    _u, s, vt = np.linalg.svd(matrix)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]  # a basis of the solutions' free directions
    free = np.abs(null).sum(axis=0) > 1e-9 if len(null) else np.zeros(len(unknown), dtype=bool)
    return [c for c, f in zip(unknown, free) if not f]


def _overlapping(hidden: set[Cell], rels: list[Relation]) -> bool:
    """Whether two relations share a hidden cell. If none do, each relation stands alone, and
    one with two or more hidden cells determines none of them: the exact check is not needed."""
    seen: set[Cell] = set()
    for rel in rels:
        mine = {c for c in rel.cells if c in hidden}
        if mine & seen:
            return True
        seen |= mine
    return False


def suppress(
    cells: Mapping[Cell, tuple[float | None, str | None]],
    hidden: set[Cell],
    rels: list[Relation],
    limits: Sequence[tuple[list[Cell], list[Cell]]] = (),
) -> set[Cell]:
    """Add complementary cells to `hidden` until no hidden cell can be worked out."""
    values = {k: v for k, (n, s) in cells.items() if (v := figure(n, s)) is not None}
    hidden = set(hidden)
    # A bare CONF (no number given) is an unknown term too: beside the Total and the other
    # parts it would be their difference.
    terms = dict(values) | {k: math.nan for k in hidden if k not in values and cells.get(k, (None, None))[1] == "CONF"}
    active = [r for r in rels if sum(c in terms for c in r.cells) > 1]
    if not any(c in terms for r in active for c in r.cells if c in hidden):
        return _bounded(hidden, values, limits)  # no hidden figure takes part in a relation
    while True:
        changed = True
        while changed:
            changed = False
            for rel in active:
                shown = [c for c in rel.cells if c in terms]
                if sum(c in hidden for c in shown) != 1:
                    continue
                candidates = [c for c in rel.parts if c in values and c not in hidden] or [
                    c for c in shown if c not in hidden
                ]
                if candidates:
                    hidden.add(_smallest(candidates, values))
                    changed = True
        leaks = determined(hidden, terms, active) if _overlapping(hidden, active) else []
        if not leaks:
            return _bounded(hidden, values, limits)
        grown = False
        for cell in leaks:
            candidates = [
                c for rel in active if cell in rel.cells for c in rel.cells if c in values and c not in hidden
            ]
            if candidates:
                hidden.add(_smallest(list(dict.fromkeys(candidates)), values))
                grown = True
                break
        if not grown:
            return _bounded(hidden, values, limits)


def _bounded(hidden: set[Cell], values: Mapping[Cell, float], limits) -> set[Cell]:
    """Hide one more cell where the inequalities pin a hidden cell between two equal visible
    bounds (PRS08 <= PRS07 <= PRS09 with PRS08 == PRS09, or x <= 0 for a count)."""
    if not limits:
        return hidden
    while True:
        pinned = None
        for cell in sorted(c for c in hidden if c in values):
            low, high, sides = 0.0, math.inf, []
            for left, right in limits:
                for mine, other, is_upper in ((left, right, True), (right, left, False)):
                    if mine == [cell] and other and all(c in values and c not in hidden for c in other):
                        bound = sum(values[c] for c in other)
                        sides.append(other)
                        if is_upper:
                            high = min(high, bound)
                        else:
                            low = max(low, bound)
            if low == high:
                pinned = [c for side in sides for c in side]
                break
        if not pinned:
            return hidden
        hidden.add(_smallest(list(dict.fromkeys(pinned)), values))


@dataclass
class Rules:
    """What suppression needs of a template, worked out once per template."""

    units: dict[str, str]
    relations: list[Relation]
    by_indicator: dict[str, list[Relation]] = field(default_factory=dict)
    limits: list = field(default_factory=list)

    @classmethod
    def of(cls, template) -> Rules:
        rels = relations(template)
        by_indicator: dict[str, list[Relation]] = {}
        for rel in rels:
            for code in dict.fromkeys(code for code, _c in rel.cells):
                by_indicator.setdefault(code, []).append(rel)
        return cls({ind.code: ind.unit for ind in template.indicators}, rels, by_indicator, bounds(template))

    def touching(self, cells: Iterable[Cell]) -> list[Relation]:
        """The relations that involve any of these cells' indicators."""
        codes = dict.fromkeys(code for code, _c in cells)
        return list({id(r): r for code in codes for r in self.by_indicator.get(code, ())}.values())


def hidden_cells(
    cells: Mapping[Cell, tuple[float | None, str | None]],
    template,
    iso2: str,
    audience: Audience,
    rules: Rules | None = None,
) -> set[Cell]:
    """The cells of one return version that `audience` may not see."""
    if audience.sees(iso2):
        return set()
    rules = rules or Rules.of(template)
    first = primary(cells, rules.units, audience)
    if not first:
        return set()
    return suppress(cells, first, rules.touching(cells), rules.limits)


OUTSIDERS = Audience("council")  # everyone outside the secretariat and the country, no threshold


def withheld(cells: Mapping[Cell, tuple[float | None, str | None]], template) -> list[list[str]]:
    """What a return version hides from outsiders, to store with it (sorted [indicator, column])."""
    return sorted([code, column] for code, column in hidden_cells(cells, template, "", OUTSIDERS))


def stored_withheld(version, audience: Audience) -> set[Cell] | None:
    """The version's stored answer when it is the one `audience` needs (outsiders, no small-cell
    threshold); None when it has to be worked out."""
    if version.withheld is None or audience.small_cells:
        return None
    return {tuple(cell) for cell in version.withheld}


@dataclass
class VisibleValues:
    """A version's values as an audience may see them."""

    values: dict  # (indicator, column) -> ReturnValue, hidden ones left out
    hidden: set[Cell]  # shown as "c"
    notes_withheld: set[str]  # indicators whose note is withheld

    def note(self, value) -> str | None:
        return None if value is None or value.indicator in self.notes_withheld else value.note


def visible_values(version, audience: Audience) -> VisibleValues:
    """One return version's values for an audience: hidden cells removed (the caller shows
    them as "c"), notes of indicators with a hidden cell withheld."""
    values = {(v.indicator, v.breakdown): v for v in version.values}
    iso2 = version.return_.country.iso2
    hidden = set() if audience.sees(iso2) else stored_withheld(version, audience)
    if hidden is None:
        cells = {k: (v.number, v.status) for k, v in values.items()}
        hidden = hidden_cells(cells, template_cache.of(version.template), iso2, audience)
    return VisibleValues({k: v for k, v in values.items() if k not in hidden}, hidden, {code for code, _c in hidden})
