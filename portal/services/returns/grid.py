"""The review grid: one return as the secretariat reviews it, as plain data.

Sections → indicator rows → cells (indicator × breakdown). Each cell holds the value of the
version under review (status codes as written), the previous period's accepted value (the
same country, the latest earlier period with an accepted version, as rule R11 reads it), the
change against it, the version's warnings on the cell, whether it differs from the return's
accepted version, and the cell's query.

Everything is loaded in a fixed number of statements, however many values the return holds:
the template (sections and indicators), the versions' values, the previous period's version
and values, and the return's queries. The figures pass through `disclosure.visible_values`
for the secretariat's audience (the grid is the secretariat's page: it sees CONF figures)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    AWAITING_COUNTRY,
    UNRESOLVED,
    ReportingPeriod,
    Return,
    ReturnTemplate,
    ReturnValue,
    ReturnVersion,
    TemplateIndicator,
    TemplateSection,
    ValueQuery,
)
from .. import disclosure
from ..errors import ServiceError
from .validate import previous_accepted_version
from .workflow import display

# The filters of the grid (GET checkboxes); a cell is shown when it meets every one asked for.
FLAGGED, CHANGED, QUERIED = "flagged", "changed", "queried"
FILTERS = (FLAGGED, CHANGED, QUERIED)

Key = tuple[str, str]  # (indicator code, breakdown column)


@dataclass
class GridCell:
    indicator: str
    column: str
    value: ReturnValue | None  # in the version under review; None: blank
    shown: str  # the value as written ("N/A", "EST 120", "CONF 12", "3"); "" when blank
    number: float | None  # the figure it contributes (NIL is 0; N/A, N/AV, text: None)
    previous: ReturnValue | None = None  # in the previous period's accepted version
    previous_number: float | None = None
    change: float | None = None  # number - previous_number; None where not computable
    change_pct: float | None = None  # change / previous_number × 100; None also when previous is 0
    accepted_value: ReturnValue | None = None  # in the return's accepted version
    changed: bool = False  # differs from the return's accepted version (value, status or note)
    warnings: list[dict] = field(default_factory=list)  # the version's warnings on this cell
    query: ValueQuery | None = None  # the cell's query, in any state

    @property
    def flagged(self) -> bool:
        return bool(self.warnings)

    @property
    def queried(self) -> bool:
        """Has a query that is not resolved."""
        return self.query is not None and self.query.state in UNRESOLVED

    def matches(self, filters: Iterable[str]) -> bool:
        return all(getattr(self, name) for name in filters)


@dataclass
class GridRow:
    indicator: TemplateIndicator
    cells: list[GridCell]
    note: str | None  # the indicator's note in the version under review
    warnings: list[dict]  # every warning of the version on this indicator (with its cells')

    @property
    def code(self) -> str:
        return self.indicator.code


@dataclass
class GridSection:
    section: TemplateSection
    rows: list[GridRow]


@dataclass
class Grid:
    ret: Return
    version: ReturnVersion | None  # the version under review (None: nothing uploaded yet)
    accepted: ReturnVersion | None  # the return's accepted version, what "changed" compares with
    previous: ReturnVersion | None  # the previous period's accepted version of the country
    previous_period: ReportingPeriod | None
    filters: tuple[str, ...]
    sections: list[GridSection]
    counts: dict[str, int]  # cells per filter over the whole return (before filtering)
    total_cells: int
    # The queries still waiting for the country (open, reopened), in the template's order,
    # whatever the filters: they go with a return for correction.
    awaiting: list[ValueQuery] = field(default_factory=list)


def figure(value: ReturnValue | None) -> float | None:
    """The figure a value contributes to a change (as rule R11 reads it: NIL is 0, EST and
    CONF count with their number; N/A, N/AV, texts and blanks none)."""
    if value is None:
        return None
    if value.status == "NIL":
        return 0.0
    if value.status in (None, "EST", "CONF") and value.number is not None:
        return float(value.number)
    return None


def change(now: float | None, before: float | None) -> tuple[float | None, float | None]:
    """(absolute, %) change from `before` to `now`; None where it cannot be computed (either
    missing; the % also when `before` is 0)."""
    if now is None or before is None:
        return None, None
    difference = now - before
    return difference, (difference / before * 100.0 if before != 0 else None)


def parse_filters(names: Iterable[str]) -> tuple[str, ...]:
    """The filters asked for, in FILTERS order; an unknown name is a refusal naming it."""
    asked = set(names)
    unknown = sorted(asked - set(FILTERS))
    if unknown:
        raise ServiceError(_l("Unknown filter: %(names)s.", names=", ".join(unknown)), field="filter")
    return tuple(name for name in FILTERS if name in asked)


def _template(template_id: int) -> ReturnTemplate:
    """The template with its sections and indicators, in three statements."""
    stmt = (
        select(ReturnTemplate)
        .where(ReturnTemplate.id == template_id)
        .options(selectinload(ReturnTemplate.sections).selectinload(TemplateSection.indicators))
    )
    return db.session.scalars(stmt).one()


def _values(versions: Iterable[ReturnVersion]) -> None:
    """Load the values of these versions in one statement (fills each `version.values`)."""
    ids = list({v.id for v in versions})
    if ids:
        db.session.scalars(
            select(ReturnVersion).where(ReturnVersion.id.in_(ids)).options(selectinload(ReturnVersion.values))
        ).all()


def _queries(ret: Return) -> dict[Key, ValueQuery]:
    stmt = select(ValueQuery).where(ValueQuery.return_id == ret.id).options(selectinload(ValueQuery.messages))
    return {(q.indicator, q.breakdown): q for q in db.session.scalars(stmt)}


def _warnings(version: ReturnVersion) -> tuple[dict[Key, list[dict]], dict[str, list[dict]]]:
    """The version's warnings by cell, and by indicator (those of its cells and any without a cell)."""
    by_cell: dict[Key, list[dict]] = {}
    by_indicator: dict[str, list[dict]] = {}
    for warning in version.warnings or []:
        if warning.get("level", "warning") != "warning" or not warning.get("indicator"):
            continue
        by_indicator.setdefault(warning["indicator"], []).append(warning)
        if warning.get("column"):
            by_cell.setdefault((warning["indicator"], warning["column"]), []).append(warning)
    return by_cell, by_indicator


def _state(value: ReturnValue | None) -> tuple:
    """What "changed" compares (as workflow.diff_versions does)."""
    return (value.number, value.text, value.status, value.note) if value else (None, None, None, None)


def review_grid(ret: Return, *, version: ReturnVersion | None = None, filters: Iterable[str] = ()) -> Grid:
    """The review grid of `ret` for `version` (default: its latest), with only the rows that
    have a cell meeting every filter in `filters` (FILTERS: flagged, changed, queried)."""
    asked = parse_filters(filters)
    version = version or ret.latest_version
    accepted = ret.accepted_version
    previous = previous_accepted_version(ret.country_id, ret.period.start_date) if version is not None else None
    if version is None:
        return Grid(ret, None, accepted, None, None, asked, [], dict.fromkeys(FILTERS, 0), 0)
    template = _template(version.template_id)
    _values([v for v in (version, accepted, previous) if v is not None])
    audience = disclosure.SECRETARIAT
    current = disclosure.visible_values(version, audience)
    values = current.values
    before = disclosure.visible_values(previous, audience).values if previous is not None else {}
    kept = (
        disclosure.visible_values(accepted, audience).values
        if accepted is not None and accepted.id != version.id
        else values
    )
    queries = _queries(ret)
    cell_warnings, indicator_warnings = _warnings(version)
    counts = dict.fromkeys(FILTERS, 0)
    total = 0
    awaiting = []
    sections = []
    for section in template.sections:
        rows = []
        for ind in section.indicators:
            cells = []
            for column in template.columns(ind.breakdown):
                key = (ind.code, column)
                value, old = values.get(key), before.get(key)
                number, previous_number = figure(value), figure(old)
                difference, pct = change(number, previous_number)
                # with no accepted version yet, every reported cell is new
                is_changed = (value is not None) if accepted is None else _state(value) != _state(kept.get(key))
                cell = GridCell(
                    ind.code,
                    column,
                    value,
                    display(value),
                    number,
                    old,
                    previous_number,
                    difference,
                    pct,
                    accepted_value=kept.get(key) if accepted is not None else None,
                    changed=is_changed,
                    warnings=cell_warnings.get(key, []),
                    query=queries.get(key),
                )
                total += 1
                for name in FILTERS:
                    counts[name] += bool(getattr(cell, name))
                if cell.query is not None and cell.query.state in AWAITING_COUNTRY:
                    awaiting.append(cell.query)
                cells.append(cell)
            note = next((current.note(v) for c in cells if (v := c.value) is not None and current.note(v)), None)
            row = GridRow(ind, cells, note, indicator_warnings.get(ind.code, []))
            if not asked or any(c.matches(asked) for c in cells):
                rows.append(row)
        if rows:
            sections.append(GridSection(section, rows))
    return Grid(
        ret,
        version,
        accepted,
        previous,
        previous.return_.period if previous is not None else None,
        asked,
        sections,
        counts,
        total,
        awaiting,
    )


def cell_value(
    ret: Return, indicator: str, breakdown: str, audience: disclosure.Audience
) -> tuple[ReturnValue | None, bool]:
    """One cell's value in the return's latest version as `audience` may see it: (the value or
    None, whether it is hidden from them)."""
    version = ret.latest_version
    if version is None:
        return None, False
    shown = disclosure.visible_values(version, audience)
    return shown.values.get((indicator, breakdown)), (indicator, breakdown) in shown.hidden
