"""Turning a Comparison into what people read: tables per indicator, charts, captions."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from ...extensions import db
from ...models import Country, Region
from .. import formatting
from ..returns.rules import ADDITIVE_UNITS
from .charts import ChartText, bar_chart, line_chart

if TYPE_CHECKING:
    from .aggregate import Comparison
from . import COUNCIL

INTEGER_UNITS = ("count", "days")  # whole numbers: the axis ticks are whole numbers too

MEASURES = {
    "REP01_minors": _l("Minors among nationals returned (REP01), per cent"),
    "CHL_enrolled": _l("School-age returnee children enrolled (CHL02 / CHL01), per cent"),
    "PRS_convicted": _l("Convicted among those charged (PRS04 / PRS03), per cent"),
}


def fmt(value: float | None, locale: str | None = None) -> str:
    """A figure as the reader writes it ("1 234", "73,3"; services/formatting.py)."""
    return formatting.number(value, locale)


@dataclass
class Cell:
    display: str
    value: float | None = None
    note: str | None = None
    version_id: int | None = None
    flags: list[str] = field(default_factory=list)  # est, conf, provisional, missing, partial
    title: str = ""


@dataclass
class IndicatorTable:
    code: str
    label: str
    unit: str
    kind: str
    periods: list[str]
    columns: list[str]
    rows: list[tuple[str, str, dict]]  # (iso2, name, {(period, column): Cell})
    totals: list[tuple[str, str, dict]]  # (group code, name, {(period, column): Cell})
    caption: str
    bar_svg: str | None = None
    line_svg: str | None = None
    chart_caption: str = ""
    # The page's table: the periods of one page of them, each row's cells as HTML written once.
    shown_periods: list[str] = field(default_factory=list)
    page: int = 1  # 1: the latest periods
    pages: int = 1
    row_html: list[tuple[str, Markup]] = field(default_factory=list)  # (name, the row's <td>s)
    total_html: list[tuple[str, str, Markup]] = field(default_factory=list)  # (group, name, <td>s)


def _texts() -> dict[str, str]:
    """Cell titles, translated once per table rather than once per cell (~100k cells in an export)."""
    return {
        "no_return": _("no return for this period"),
        "not_reported": _("not reported"),
        "suppressed": _("c: not shown, to protect a confidential figure"),
        "none": _("no country reported"),
        # The translated pattern, filled per total below (gettext with arguments does the same).
        "partial": get_translations().gettext("partial: missing %(countries)s"),
    }


def _cell(r, texts: dict[str, str]) -> Cell:
    flags = []
    if r.provisional:
        flags.append("provisional")
    if not r.has_return:
        return Cell("—", flags=["missing"], title=texts["no_return"])
    if r.hidden:
        return Cell("c", flags=flags + ["conf"], version_id=int(r.version_id), title=texts["suppressed"])
    if math.isnan(r.value):
        shown = r.status if isinstance(r.status, str) and r.status in ("N/A", "N/AV") else "—"
        return Cell(
            shown,
            note=r.note if isinstance(r.note, str) else None,
            version_id=int(r.version_id) if r.version_id == r.version_id else None,
            flags=flags + ["missing"],
            title=texts["not_reported"],
        )
    if r.est:
        flags.append("est")
    if r.conf:
        flags.append("conf")
    return Cell(fmt(r.value), float(r.value), r.note if isinstance(r.note, str) else None, int(r.version_id), flags)


def _total_cell(t, texts: dict[str, str]) -> Cell:
    if t.suppressed:
        return Cell("c", flags=["conf"], title=texts["suppressed"])
    if t.contributors == 0:
        return Cell("—", flags=["missing"], title=texts["none"])
    flags = (["partial"] if t.partial else []) + (["est"] if t.est else [])
    title = texts["partial"] % {"countries": ", ".join(t.missing)} if t.partial else ""
    return Cell(fmt(t.value), float(t.value), flags=flags, title=title)


def layouts(comparison: Comparison, locale: str) -> list[IndicatorTable]:
    """The per-indicator tables' frame — labels, columns, country and group rows, caption — with
    empty cells: `tables` fills them for the page, the Excel export writes values straight from
    the comparison's arrays."""
    sel = comparison.selection
    names = {c.iso2: c.name(locale) for c in db.session.scalars(select(Country))}
    regions = {r.code: r.name(locale) for r in db.session.scalars(select(Region))}
    regions[COUNCIL] = _("Council total")
    template = sel.templates[-1]
    shown = comparison.rows[["indicator", "breakdown"]].drop_duplicates()
    present_columns: dict[str, set[str]] = {}
    for code, column in zip(shown["indicator"].tolist(), shown["breakdown"].tolist()):
        present_columns.setdefault(code, set()).add(column)
    group_sets: dict[str, set[str]] = {}
    for code, group in zip(comparison.totals["indicator"].tolist(), comparison.totals["group"].tolist()):
        group_sets.setdefault(code, set()).add(group)
    reported = {p: len(sel.countries) - len(comparison.missing.get(p, [])) for p in sel.periods}
    caption = "; ".join(
        _("%(period)s: %(n)d of %(total)d countries with a return", period=p, n=reported[p], total=len(sel.countries))
        for p in sel.periods
    )
    out = []
    for code in sel.indicators:
        ind = template.indicator(code) or next(t.indicator(code) for t in sel.templates if t.indicator(code))
        columns = [c for t in sel.templates if t.indicator(code) for c in t.columns(t.indicator(code).breakdown)]
        columns = [c for c in dict.fromkeys(columns) if c in present_columns.get(code, ())]
        groups = group_sets.get(code, set())
        order = [g for g in regions if g in groups and g != COUNCIL] + ([COUNCIL] if COUNCIL in groups else [])
        out.append(
            IndicatorTable(
                code,
                ind.label(locale),
                ind.unit,
                ind.kind,
                sel.periods,
                columns,
                [(iso, names[iso], {}) for iso in sel.countries],
                [(g, regions.get(g, g), {}) for g in order],
                caption,
            )
        )
    return out


def tables(comparison: Comparison, locale: str, charts: bool = True, page: int = 1) -> list[IndicatorTable]:
    """Per-indicator tables of cells, as the page shows them (the figures already as the
    comparison's audience may see them)."""
    out, texts = layouts(comparison, locale), _texts()
    rows = {table.code: {iso: cells for iso, _name, cells in table.rows} for table in out}
    for r in comparison.records(
        "indicator",
        "country",
        "period",
        "breakdown",
        "value",
        "status",
        "note",
        "version_id",
        "provisional",
        "has_return",
        "est",
        "conf",
        "hidden",
    ):
        rows[r.indicator][r.country][(r.period, r.breakdown)] = _cell(r, texts)
    groups = {table.code: {g: cells for g, _name, cells in table.totals} for table in out}
    for t in comparison.totals.itertuples(index=False, name="Total"):
        groups[t.indicator][t.group][(t.period, t.breakdown)] = _total_cell(t, texts)
    for table in out:
        _page_of(table, page)
        if charts:
            _charts(table, locale)
    return out


MARKS = {"partial": "<sup>*</sup>", "est": "<sup>e</sup>", "provisional": "<sup>p</sup>"}
CELL_MARKS, TOTAL_MARKS = ("est", "provisional"), ("partial", "est")
MAX_TABLE_CELLS = 36  # columns of one table on the page; more periods than fit are paged


def _page_of(table: IndicatorTable, page: int) -> None:
    """The periods of page `page` (1: the latest) and the rows' cells written as HTML: a large
    table costs string joins, not template loops (60 countries × 40 periods was 2.4 MB)."""
    size = max(1, MAX_TABLE_CELLS // max(1, len(table.columns)))
    table.pages = max(1, math.ceil(len(table.periods) / size))
    table.page = min(max(1, page), table.pages)
    end = len(table.periods) - (table.page - 1) * size
    table.shown_periods = table.periods[max(0, end - size) : end]
    keys = [(p, c) for p in table.shown_periods for c in table.columns]
    table.row_html = [
        (name, Markup("".join(_td("cell", f"{iso}-{p}-{c}", cells.get((p, c)), False) for p, c in keys)))
        for iso, name, cells in table.rows
    ]
    table.total_html = [
        (group, name, Markup("".join(_td("total", f"{group}-{p}-{c}", cells.get((p, c)), True) for p, c in keys)))
        for group, name, cells in table.totals
    ]


def _td(kind: str, key: str, cell: Cell | None, total: bool) -> str:
    if cell is None:
        return f'<td class="text-end{" fw-semibold" if total else ""}" data-{kind}="{escape(key)}"></td>'
    classes = "text-end fw-semibold" if total else ("text-end text-muted" if "missing" in cell.flags else "text-end")
    title = cell.title if total else " ".join(t for t in (cell.title, cell.note) if t)
    marks = "".join(MARKS[f] for f in (TOTAL_MARKS if total else CELL_MARKS) if f in cell.flags)
    title_attr = f' title="{escape(title)}"' if title else ""
    return f'<td class="{classes}" data-{kind}="{escape(key)}"{title_attr}>{escape(cell.display)}{marks}</td>'


def _charts(table: IndicatorTable, locale: str) -> None:
    """The table's bar chart (countries; one bar per period, or the parts of the total stacked
    when one period is chosen and every country gave them) and, over two or more periods, its
    line chart; each with a caption counting the countries with a value in each period."""
    from ..returns.captions import column_captions

    captions = column_captions()
    text = ChartText(locale, _("no data"), _("gap: no value for the period"))
    integer = table.unit in INTEGER_UNITS
    headline = "Total" if "Total" in table.columns else table.columns[0]
    countries = [iso for iso, _n, _c in table.rows]

    def values(column: str, period: str) -> list[float | None]:
        return [cell.value if (cell := cells.get((period, column))) else None for _i, _n, cells in table.rows]

    shown = table.shown_periods or table.periods  # the bars: the periods of the table's page
    counts = {p: sum(v is not None for v in values(headline, p)) for p in shown}
    table.chart_caption = "; ".join(
        _("%(period)s: %(n)d of %(total)d countries with a value", period=p, n=n, total=len(countries))
        for p, n in counts.items()
    )
    parts = [c for c in table.columns if c not in ("Total", "Value")]
    period = table.periods[0]
    by_part = {p: values(p, period) for p in parts}
    complete = all(  # stack the parts only where every country with a total gave them all
        all(by_part[p][i] is not None for p in parts) for i, v in enumerate(values(headline, period)) if v is not None
    )
    additive = table.unit in ADDITIVE_UNITS and "Total" in table.columns  # a mean in years does not stack
    if len(table.periods) == 1 and len(parts) > 1 and complete and additive:
        table.bar_svg = bar_chart(
            countries,
            {captions.get(p, p): by_part[p] for p in parts},
            title=f"{table.code} · {period}",
            integer=integer,
            text=text,
            stacked=True,
        )
    else:
        table.bar_svg = bar_chart(
            countries,
            {p: values(headline, p) for p in shown},
            # one bar per country: no legend, so the title names the period
            title=f"{table.code} · {captions.get(headline, headline)}" + (f" · {shown[0]}" if len(shown) == 1 else ""),
            integer=integer,
            text=text,
        )
    if len(table.periods) > 1:
        lines = {
            iso: [cell.value if (cell := cells.get((p, headline))) else None for p in table.periods]
            for iso, _n, cells in table.rows
        }
        lines = {iso: series for iso, series in lines.items() if any(v is not None for v in series)}
        if lines:
            table.line_svg = line_chart(
                table.periods,
                lines,
                title=f"{table.code} · {captions.get(headline, headline)}",
                integer=integer,
                text=text,
            )


def derived_rows(comparison: Comparison, locale: str) -> list[dict]:
    names = {c.iso2: c.name(locale) for c in db.session.scalars(select(Country))}
    rows = []
    for r in comparison.derived.itertuples():
        if r.hidden:
            rows.append(
                {"measure": str(MEASURES[r.measure]), "country": names[r.country], "period": r.period, "share": "c"}
            )
        elif not math.isnan(r.share):
            rows.append(
                {
                    "measure": str(MEASURES[r.measure]),
                    "country": names[r.country],
                    "period": r.period,
                    "share": round(r.share, 1),
                }
            )
    return rows
