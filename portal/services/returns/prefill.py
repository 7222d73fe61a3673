"""A version as a workbook: the signed template of its country, period and template version,
filled with its values and notes exactly as a person would type them, so that reading the
file back gives the same cells. For a returned return the unresolved queries are
highlighted and each thread is a cell comment.

Only for those who see the whole return (access.can_see_history: the secretariat and the
country's own focal points), whose disclosure audience sees every figure of the country."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from io import BytesIO

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from sqlalchemy import select

from ...models import Country, ReportingPeriod, ReturnTemplate
from .cells import Cell, note_ref, positions, stored_cells, typed
from .fill import fill_cells
from .layout import FIRST_DATA_ROW
from .template_xlsx import build_template, column_captions

QUERY_FILL = PatternFill("solid", fgColor="F8CBAD")
BLANK_TEMPLATES: OrderedDict[tuple, bytes] = OrderedDict()  # the last few blank templates built
KEEP_TEMPLATES = 32


def blank_template(template: ReturnTemplate, country: Country, period: ReportingPeriod, locale: str) -> bytes:
    """`template_xlsx.build_template`, kept for the next save of the same return (building it
    takes ten times longer than filling it). A loaded template version never changes; the key
    holds everything the workbook shows or signs."""
    key = (
        hashlib.sha256(str(current_app.config["SECRET_KEY"]).encode()).hexdigest(),
        current_app.config.get("SECRETARIAT_EMAIL"),
        template.id,
        template.version,
        template.loaded_at,
        country.iso2,
        country.name_en,
        country.name_ru,
        period.label,
        locale,
    )
    data = BLANK_TEMPLATES.get(key)
    if data is None:
        data = build_template(template, country, period, locale)
        BLANK_TEMPLATES[key] = data
        while len(BLANK_TEMPLATES) > KEEP_TEMPLATES:
            BLANK_TEMPLATES.popitem(last=False)
    return data


def _thread(query) -> str:
    states = {
        "open": _("open"),
        "answered": _("answered"),
        "resolved": _("resolved"),
        "reopened": _("reopened"),
    }
    lines = [_("Query (%(state)s)", state=states.get(query.state, query.state))]
    for message in query.messages:
        who = message.author.name if message.author else _("system")
        lines.append(f"{who}, {message.created_at.strftime('%Y-%m-%d %H:%M')} UTC: {message.text}")
    if query.suggested:
        lines.append(_("Suggested value: %(value)s", value=query.suggested))
    return "\n".join(lines)


def write_workbook(
    template: ReturnTemplate,
    country: Country,
    period: ReportingPeriod,
    cells: Mapping[Cell, object],
    notes: Mapping[str, str],
    *,
    locale: str = "en",
    queries: Iterable | None = None,
) -> bytes:
    """The signed template filled with `cells` ({(code, column): CellValue}) and `notes`
    ({code: text}); `queries` (ValueQuery rows) highlighted with their threads as comments."""
    where = positions(template)
    units = {ind.code: ind.unit for ind in template.indicators}
    with force_locale(locale):
        yes_no = (_("yes"), _("no"))
        typed_in: dict[tuple[str, str], object] = {}
        for key, value in cells.items():
            typed_in[where[key]] = typed(value, units[key[0]], yes_no)  # type: ignore[arg-type]
        for section in template.sections:
            for r, ind in enumerate(section.indicators, start=FIRST_DATA_ROW):
                if notes.get(ind.code):
                    typed_in[(section.sheet, note_ref(template, section, r))] = notes[ind.code]
        data = fill_cells(blank_template(template, country, period, locale), typed_in)
        queried = [q for q in queries or () if (q.indicator, q.breakdown) in where]
        if not queried:
            return data
        wb = load_workbook(BytesIO(data))
        captions = column_captions()
        for query in queried:
            sheet, ref = where[(query.indicator, query.breakdown)]
            cell = wb[sheet][ref]
            cell.fill = QUERY_FILL
            title = f"{query.indicator} {captions.get(query.breakdown, query.breakdown)}"
            cell.comment = Comment(f"{title}\n{_thread(query)}", _("PRR secretariat"), width=360, height=180)
        out = BytesIO()
        wb.save(out)
        return out.getvalue()


def filled_workbook(ret, version, *, locale: str = "en", queries=None) -> bytes:
    """The workbook of `version` of the return `ret` (see the module's docstring)."""
    cells, notes = stored_cells(version)
    return write_workbook(version.template, ret.country, ret.period, cells, notes, locale=locale, queries=queries)


def workbook_name(ret, number: int | None) -> str:
    suffix = f"version{number}" if number is not None else "form"
    return f"PRR-return_{ret.country.iso2}_{ret.period.label}_{suffix}.xlsx"


def version_workbook(ret, number: int, locale: str) -> tuple[bytes, str]:
    """The workbook of version `number` of `ret` and its file name; for a returned return, its
    unresolved queries highlighted. The caller checks access.can_see_history."""
    from ...extensions import db
    from ...models import UNRESOLVED, ReturnStatus, ReturnVersion, ValueQuery
    from ..errors import NotFound

    version = db.session.scalar(
        select(ReturnVersion).where(ReturnVersion.return_id == ret.id, ReturnVersion.number == number)
    )
    if version is None:
        raise NotFound(_("This return has no version %(n)s.", n=number))
    queries = []
    if ret.status == ReturnStatus.RETURNED:
        queries = list(
            db.session.scalars(
                select(ValueQuery)
                .where(ValueQuery.return_id == ret.id, ValueQuery.state.in_([s.value for s in UNRESOLVED]))
                .order_by(ValueQuery.id)
            )
        )
    return filled_workbook(ret, version, locale=locale, queries=queries), workbook_name(ret, number)
