"""A generic "nothing hidden can be worked out" checker, independent of the portal's own
disclosure code.

An output (page, API answer, CSV, workbook, brief snapshot, ...) is read into *figures*: a
dict from a variable to the number it shows. Variables:

    ("v", country, period, indicator, column)     a reported cell
    ("t", group, period, indicator, column)       a regional or council total
    ("ch", country, period, indicator, column)    change against the previous period
    ("cum", country, period, indicator, column)   running sum of a flow indicator
    ("sh", measure, country, period)              a derived share, per cent

`Structure` knows the true data (what was reported) and the template, and so every linear
relation an attacker may use: Total = sum of parts, the template's equalities, totals = sum of
their countries, change = this period - previous, running sums, and share x Total = 100 x
parts. `leaks()` puts the shown figures in and says which secret cells are then determined
(exactly: a cell is determined when its unit vector lies in the row space of the relations
restricted to the figures not shown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

SHARES = {"REP01_minors": ([("REP01", "Boys"), ("REP01", "Girls")], ("REP01", "Total"))}


def number(raw) -> float | None:
    """A shown figure as a number ("7 919", "7,919", 12.0 ...); None for "c", "—", "" and text."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    text = re.sub(r"[\s\u202f\u00a0,]", "", str(raw))
    try:
        return float(text)
    except ValueError:
        return None


@dataclass
class Structure:
    template: object  # the return template (indicators, columns, rules)
    regions: dict[str, str]  # country -> region code
    periods: list[str]  # oldest first
    truth: dict[tuple, float] = field(default_factory=dict)  # ("v", ...) -> reported number

    def _columns(self, code: str) -> list[str]:
        ind = self.template.indicator(code)
        return self.template.columns(ind.breakdown)

    def equations(self) -> list[dict]:
        """Every linear relation, as {variable: coefficient} with sum == 0 (constants are
        themselves variables: a shown figure)."""
        eqs: list[dict] = []
        cells = {(k[1], k[2], k[3]) for k in self.truth}
        countries = sorted({k[1] for k in self.truth})
        codes = sorted({k[3] for k in self.truth})
        have = lambda c, p, i, col: ("v", c, p, i, col) in self.truth  # noqa: E731
        for country, period, code in cells:
            columns = self._columns(code)
            ind = self.template.indicator(code)
            parts = [c for c in columns if c != "Total"]
            # An attacker takes a part not given as zero: Total = the parts given.
            given = [c for c in parts if have(country, period, code, c)]
            if ind.unit == "count" and "Total" in columns and given and have(country, period, code, "Total"):
                eq = {("v", country, period, code, "Total"): 1.0}
                eq.update({("v", country, period, code, c): -1.0 for c in given})
                eqs.append(eq)
        for rule in self.template.rules:
            if rule.kind == "equal":
                refs = [tuple(r.split(".", 1)) for r in rule.params["left"] + rule.params["right"]]
                signs = [1.0] * len(rule.params["left"]) + [-1.0] * len(rule.params["right"])
                for country in countries:
                    for period in self.periods:
                        if all(have(country, period, i, c) for i, c in refs):
                            eq: dict = {}
                            for (i, c), s in zip(refs, signs):
                                eq[("v", country, period, i, c)] = eq.get(("v", country, period, i, c), 0.0) + s
                            eqs.append(eq)
        groups = {g: [c for c in countries if self.regions[c] == g] for g in set(self.regions.values())}
        groups["council"] = countries
        for code in codes:
            kind = self.template.indicator(code).kind
            for column in self._columns(code):
                for period in self.periods:
                    for group, members in groups.items():
                        eq = {("t", group, period, code, column): 1.0}
                        eq.update(
                            {("v", c, period, code, column): -1.0 for c in members if have(c, period, code, column)}
                        )
                        eqs.append(eq)
                for country in countries:
                    running = None
                    for i, period in enumerate(self.periods):
                        v = ("v", country, period, code, column)
                        if (
                            i
                            and have(country, period, code, column)
                            and have(country, self.periods[i - 1], code, column)
                        ):
                            eqs.append(
                                {
                                    ("ch", country, period, code, column): 1.0,
                                    v: -1.0,
                                    ("v", country, self.periods[i - 1], code, column): 1.0,
                                }
                            )
                        if kind != "flow":
                            continue
                        cum = ("cum", country, period, code, column)
                        if running is None and have(country, period, code, column):
                            eqs.append({cum: 1.0, v: -1.0})
                            running = cum
                        elif running is not None:
                            eq = {cum: 1.0, running: -1.0}
                            if have(country, period, code, column):
                                eq[v] = -1.0
                            eqs.append(eq)
                            running = cum
        return eqs

    def share_equations(self, figures: dict) -> list[dict]:
        """A shown share s gives s x Total - 100 x (parts) = 0."""
        eqs = []
        for key, s in figures.items():
            if key[0] == "sh" and key[1] in SHARES:
                parts, total = SHARES[key[1]]
                _sh, _m, country, period = key
                eq = {("v", country, period, *total): s}
                for part in parts:
                    eq[("v", country, period, *part)] = eq.get(("v", country, period, *part), 0.0) - 100.0
                eqs.append(eq)
        return eqs

    def leaks(self, figures: dict, secrets: list[tuple]) -> list[tuple]:
        """The secret cells that `figures` show or determine."""
        shown = {k for k, v in figures.items() if v is not None}
        out = [s for s in secrets if s in shown]
        eqs = self.equations() + self.share_equations({k: v for k, v in figures.items() if v is not None})
        unknown = sorted({k for eq in eqs for k in eq if k not in shown}, key=repr)
        index = {k: i for i, k in enumerate(unknown)}
        rows = []
        for eq in eqs:
            row = np.zeros(len(unknown))
            for k, coef in eq.items():
                if k in index:
                    row[index[k]] += coef
            if row.any():
                rows.append(row)
        if not rows:
            return out
        matrix = np.array(rows)
        rank = np.linalg.matrix_rank(matrix)
        for secret in secrets:
            if secret in index and secret not in out:
                unit = np.zeros(len(unknown))
                unit[index[secret]] = 1.0
                if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
                    out.append(secret)
        return out
