"""Value sets for the web-form tests: random but valid returns (`random_values`) and one
return with every kind of cell (`EVERY_KIND`)."""

from __future__ import annotations

import random

from portal.services.returns.cells import cells_report
from portal.services.returns.rules import apply_rules

# One of each: counts with a breakdown, an estimate, confidential with and without its number,
# the status codes, a decimal, yes/no, a large amount; notes in both scripts, one starting
# with characters a spreadsheet would read as a formula.
EVERY_KIND = {
    ("REP01", "Men"): 4,
    ("REP01", "Women"): 1,
    ("REP01", "Boys"): 3,
    ("REP01", "Girls"): 4,
    ("REP01", "Total"): 12,
    ("REP01O", "Syria"): 12,
    ("REP01O", "Total"): 12,
    ("REP02", "Total"): "N/AV",
    ("REP03", "Total"): "N/A",
    ("REP06", "Total"): "EST 300",
    ("PRS04", "Total"): "NIL",
    ("COM08", "Total"): "CONF 2",
    ("CUS01", "Total"): "CONF",
    ("COM02", "Value"): 45.5,
    ("CAP01", "Value"): "yes",
    ("CAP02", "Value"): "no",
    ("CAP05", "Value"): 1_000_000_000_000_000,
}
EVERY_NOTE = {"REP01": "Zhusan stage 5 — источник: МИД", "CAP01": "State Programme 2018–2022", "CAP05": "KZT"}
FORMULA_LIKE_NOTES = {"REP06": "=estimate from camp lists", "PRS04": "- none convicted", "CAP02": "@ministry"}

STATUS = ("N/A", "N/AV", "NIL", "CONF")
NOTES = ("source: MFA", "оценка МВД", "stage 5; see annex 2", "KZT, budget law 2025")


def _number(rng: random.Random, unit: str):
    if unit in ("years", "days"):
        return rng.choice([rng.randint(0, 30), round(rng.uniform(0, 30), 1)])
    if unit == "amount":
        return rng.choice([rng.randint(0, 10**6), 10**15, round(rng.uniform(0, 1000), 2)])
    return rng.choice([0, rng.randint(1, 50), rng.randint(100, 10**6), 10**9])


def _cell(rng: random.Random, unit: str):
    if unit == "boolean":
        return rng.choice(["yes", "no", "да", "нет", "N/A", "N/AV"])
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(STATUS)
    n = _number(rng, unit)
    if roll < 0.25:
        return f"EST {n}"
    if roll < 0.3:
        return f"CONF {n}"
    if roll < 0.35:
        return str(n)  # typed as text
    return n


def random_values(template, seed: int) -> tuple[dict, dict]:
    """A valid return (no errors; warnings allowed): ({(code, column): raw}, {code: note})."""
    rng = random.Random(seed)
    values: dict = {}
    notes: dict = {}
    for ind in template.indicators:
        columns = template.columns(ind.breakdown)
        shape = rng.random()
        if shape < 0.25:
            continue
        if shape < 0.5 or len(columns) == 1:
            values[(ind.code, columns[-1])] = _cell(rng, ind.unit)
        else:
            parts = [c for c in columns if c != "Total"]
            numbers = {c: rng.randint(0, 40) for c in parts if rng.random() < 0.8}
            for c, n in numbers.items():
                values[(ind.code, c)] = n
            values[(ind.code, "Total")] = sum(numbers.values()) + (
                0 if len(numbers) == len(parts) else rng.randint(0, 5)
            )
        if rng.random() < 0.3:
            notes[ind.code] = rng.choice(NOTES)
    for _round in range(10):  # blank what breaks a rule, until nothing does
        report = cells_report(template, values, notes)
        apply_rules(template, report)
        if report.ok:
            return values, notes
        bad = {e.indicator for e in report.errors}
        values = {k: v for k, v in values.items() if k[0] not in bad}
    raise AssertionError(f"seed {seed}: no valid value set")


def as_entries(values: dict, notes: dict, template, clear: bool = True) -> list[dict]:
    """The API's / the form's entries for `values` and `notes`; with `clear`, every other cell
    and note of the template is sent blank."""
    entries = []
    for ind in template.indicators:
        for column in template.columns(ind.breakdown):
            if (ind.code, column) in values:
                entries.append({"indicator": ind.code, "breakdown": column, "value": values[(ind.code, column)]})
            elif clear:
                entries.append({"indicator": ind.code, "breakdown": column, "value": None})
        if ind.code in notes or clear:
            entries.append({"indicator": ind.code, "note": notes.get(ind.code)})
    return entries
