"""One rule engine for the declarative consistency rules of a return template.

A reference is "CODE.Column" or "CODE" (= each breakdown column the referenced
indicators share). Values: a number, EST or CONF with its number, NIL as 0; blank, N/A,
N/AV and a bare CONF are missing, and a comparison with a missing term is not made.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .report import Issue, ParsedCell, ValidationReport

ADDITIVE_UNITS = ("count", "amount")  # the units whose Total is the sum of its parts


def _fmt(x: float) -> str:
    return f"{x:g}"


class Values:
    def __init__(self, template, report: ValidationReport):
        self.template = template
        self.cells: dict[tuple[str, str], ParsedCell] = report.cells
        self.positions = report.positions
        self.failed = report.failed
        self.indicators = {i.code: i for i in template.indicators}

    def number(self, code: str, column: str) -> float | None:
        cell = self.cells.get((code, column))
        if cell is None:
            return None
        if cell.value.status == "NIL":
            return 0.0
        if cell.value.status in (None, "EST", "CONF"):  # CONF may carry its number
            return cell.value.number
        return None

    def reported(self, code: str, column: str) -> bool:
        return (code, column) in self.cells

    def where(self, code: str, column: str) -> tuple[str, str | None]:
        """(sheet, cell) of a reference, for the report."""
        if (code, column) in self.positions:
            return self.positions[(code, column)]
        return self.indicators[code].section.sheet, None

    def columns(self, code: str) -> list[str]:
        return self.template.columns(self.indicators[code].breakdown)


def expand_refs(columns, left: list[str], right: list[str]):
    """Yield (left_refs, right_refs) with every reference resolved to CODE.Column; a bare
    "CODE" stands for each column the bare references share (`columns(code)` gives them).
    Also used by disclosure control, which reads the same rules as relations."""
    per_cell = [r for r in left + right if "." not in r]
    if not per_cell:
        yield [tuple(r.split(".", 1)) for r in left], [tuple(r.split(".", 1)) for r in right]
        return
    shared = None
    for ref in per_cell:
        cols = columns(ref)
        shared = [c for c in (cols if shared is None else shared) if c in cols]
    for column in shared or []:

        def resolve(r: str, column: str = column) -> tuple:
            return tuple(r.split(".", 1)) if "." in r else (r, column)

        yield [resolve(r) for r in left], [resolve(r) for r in right]


def _sum(values: Values, refs) -> float | None:
    total = 0.0
    for code, column in refs:
        n = values.number(code, column)
        if n is None:
            return None
        total += n
    return total


def _names(refs) -> str:
    return " + ".join(f"{c} {col}" for c, col in refs)


def _issue(rule, level, message, values: Values, ref, report: ValidationReport) -> None:
    code, column = ref
    sheet, cell = values.where(code, column)
    report.add(Issue(level, rule.rule_id, message, sheet=sheet, cell=cell, indicator=code, column=column))


def check_breakdown_sum(rule, values: Values, report, previous=None) -> None:
    units = rule.params.get("units", ADDITIVE_UNITS)
    for ind in values.template.indicators:
        cols = values.columns(ind.code)
        if ind.unit not in units or "Total" not in cols:
            continue
        parts = [c for c in cols if c != "Total"]
        if any((ind.code, c) in values.failed for c in cols):
            continue  # already reported as unreadable
        given = [c for c in parts if values.reported(ind.code, c)]
        if given and not values.reported(ind.code, "Total"):
            _issue(
                rule,
                rule.level,
                _l("The Total is required when a part is given (%(parts)s).", parts=", ".join(given)),
                values,
                (ind.code, "Total"),
                report,
            )
            continue
        total = values.number(ind.code, "Total")
        known = [values.number(ind.code, c) for c in parts]
        if total is None:
            continue
        part_sum = sum(n for n in known if n is not None)
        if part_sum > total:
            _issue(
                rule,
                rule.level,
                _l(
                    "The parts add up to %(sum)s, more than the Total %(total)s.", sum=_fmt(part_sum), total=_fmt(total)
                ),
                values,
                (ind.code, "Total"),
                report,
            )
        elif all(n is not None for n in known) and part_sum != total:
            _issue(
                rule,
                rule.level,
                _l(
                    "All parts are given and add up to %(sum)s, but the Total is %(total)s.",
                    sum=_fmt(part_sum),
                    total=_fmt(total),
                ),
                values,
                (ind.code, "Total"),
                report,
            )


def _compare(rule, values, report, pairs, equal: bool) -> None:
    for left, right in pairs:
        for lrefs, rrefs in expand_refs(values.columns, left, right):
            lsum, rsum = _sum(values, lrefs), _sum(values, rrefs)
            if lsum is None or rsum is None:
                continue
            failed = (lsum != rsum) if equal else (lsum > rsum)
            if failed:
                sides = {"left": _names(lrefs), "l": _fmt(lsum), "right": _names(rrefs), "r": _fmt(rsum)}
                message = (
                    _l("%(left)s (%(l)s) must equal %(right)s (%(r)s).", **sides)
                    if equal
                    else _l("%(left)s (%(l)s) is more than %(right)s (%(r)s).", **sides)
                )
                _issue(rule, rule.level, message, values, lrefs[0], report)


def check_equal(rule, values, report, previous=None) -> None:
    _compare(rule, values, report, [(rule.params["left"], rule.params["right"])], equal=True)


def le_pairs(params: dict) -> list[tuple[list[str], list[str]]]:
    """A `le` rule's (left, right) reference lists: its pairs, and each step of its chain."""
    pairs = [(p[0], p[1]) for p in params.get("pairs", [])]
    chain = params.get("chain", [])
    return pairs + [([a], [b]) for a, b in zip(chain, chain[1:])]


def check_le(rule, values, report, previous=None) -> None:
    _compare(rule, values, report, le_pairs(rule.params), equal=False)


def check_blank_when_zero(rule, values, report, previous=None) -> None:
    code, column = rule.params["when"].split(".", 1)
    if values.number(code, column) != 0:
        return
    for target in rule.params["blank"]:
        for col in values.columns(target):
            cell = values.cells.get((target, col))
            if cell is not None and cell.value.status != "N/A":
                _issue(
                    rule,
                    rule.level,
                    _l("Leave this blank or write N/A: %(code)s Total is 0 (no one convicted).", code=code),
                    values,
                    (target, col),
                    report,
                )


def check_change_vs_previous(rule, values, report, previous=None) -> None:
    if not previous:
        return
    kinds = rule.params.get("kinds", ["stock"])
    max_fall, max_rise = rule.params.get("max_fall", 0.5), rule.params.get("max_rise", 2.0)
    for ind in values.template.indicators:
        if ind.kind not in kinds or ind.unit not in ("count", "amount"):
            continue
        column = "Total" if "Total" in values.columns(ind.code) else "Value"
        now, before = values.number(ind.code, column), previous.get((ind.code, column))
        if now is None or before is None or before <= 0:
            continue
        change = (now - before) / before
        if change < -max_fall or change > max_rise:
            _issue(
                rule,
                rule.level,
                _l(
                    "Changed by %(pct)s%% against the last accepted return (%(before)s → %(now)s): explain in the "
                    "note or fix.",
                    pct=f"{change * 100:+.0f}",
                    before=_fmt(before),
                    now=_fmt(now),
                ),
                values,
                (ind.code, column),
                report,
            )


def check_required_note(rule, values, report, previous=None) -> None:
    units = rule.params.get("units", ["boolean"])
    for ind in values.template.indicators:
        if ind.unit not in units:
            continue
        for column in values.columns(ind.code):
            if values.number(ind.code, column) == 1.0 and not report.notes.get(ind.code):
                _issue(
                    rule,
                    rule.level,
                    _l("Answered yes: give the title or name in the note."),
                    values,
                    (ind.code, column),
                    report,
                )


CHECKS = {
    "breakdown_sum": check_breakdown_sum,
    "equal": check_equal,
    "le": check_le,
    "blank_when_zero": check_blank_when_zero,
    "change_vs_previous": check_change_vs_previous,
    "required_note": check_required_note,
    # unit_range and status_with_number are applied to every cell while reading.
}


def apply_rules(template, report: ValidationReport, previous: dict | None = None) -> None:
    values = Values(template, report)
    for rule in template.rules:
        check = CHECKS.get(rule.kind)
        if check is not None:
            check(rule, values, report, previous)
    for issue in report.warnings:
        issue.explained = bool(issue.indicator and report.notes.get(issue.indicator))
