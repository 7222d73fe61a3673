"""Regional comparisons: the selection lives in the URL, so a comparison can be shared."""

from dataclasses import replace
from io import BytesIO
from urllib.parse import urlencode

from flask import Response, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ...errors import abort_with
from ...i18n import current_language
from ...services import memory, reference
from ...services.compare import charts, compare, page_cache, present, to_csv, to_xlsx
from ...services.compare.selection import selection_from_args
from ...services.disclosure import audience_for
from ...services.returns import template_cache
from ...services.returns.access import is_staff
from ...services.xlsx import XLSX_MIMETYPE
from .blueprint import bp


def _comparison():
    selection = selection_from_args(request.args, provisional_allowed=is_staff(current_user))
    return compare(selection, audience_for(current_user))


@bp.route("/")
@login_required
def index():
    context = {
        "periods": reference.periods(),
        "countries": reference.countries_by_region(),
        "template": template_cache.latest(),
        "regions": reference.regions(),
        "args": request.args,
    }
    results = None
    if request.args:
        selection = selection_from_args(request.args, provisional_allowed=is_staff(current_user))
        audience, locale = audience_for(current_user), current_language()

        page = request.args.get("page", 1, type=int) or 1

        def page_query(number: int) -> str:  # the same comparison, another page of the tables' periods
            args = request.args.copy()
            args["page"] = str(number)
            return urlencode(list(args.items(multi=True)))

        def build() -> str:
            comparison = compare(selection, audience)
            return render_template(
                "compare/_results.html",
                comparison=comparison,
                tables=present.tables(comparison, locale, page=page),
                derived=present.derived_rows(comparison, locale),
                page_query=page_query,
            )

        results = Markup(
            page_cache.rendered((page_cache.selection_key(selection), request.query_string, audience, locale), build)
        )
    return render_template("compare/index.html", results=results, **context)


@bp.route("/export.xlsx")
@login_required
def export_xlsx():
    comparison = _comparison()
    data = to_xlsx(comparison, current_language())
    del comparison
    memory.give_back()  # what building the workbook took (~100 MiB) goes back to the system
    return send_file(BytesIO(data), as_attachment=True, download_name="PRR-comparison.xlsx", mimetype=XLSX_MIMETYPE)


@bp.route("/export.csv")
@login_required
def export_csv():
    text = to_csv(_comparison(), current_language())
    memory.give_back()
    return Response(
        text,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=PRR-comparison.csv"},
    )


@bp.route("/chart.<any(svg, png):fmt>")
@login_required
def chart(fmt: str):
    """One chart of the comparison in the URL (`code`, `kind` bar or line) as a file: the same
    SVG the page shows, or a PNG of it."""
    code, kind = request.args.get("code", ""), request.args.get("kind", "")
    if kind not in ("bar", "line"):
        abort_with(400, _("Choose the chart: kind=bar or kind=line."))
    selection = selection_from_args(request.args, provisional_allowed=is_staff(current_user))
    if code not in selection.indicators:
        abort_with(
            400, _("Choose one of the comparison's indicators: code=%(codes)s.", codes=", ".join(selection.indicators))
        )
    selection = replace(selection, indicators=[code])  # only the chart's indicator is computed
    page = request.args.get("page", 1, type=int) or 1  # the bars follow the page of the table's periods
    table = present.tables(compare(selection, audience_for(current_user)), current_language(), page=page)[0]
    svg = table.bar_svg if kind == "bar" else table.line_svg
    if svg is None:
        abort_with(404, _("This comparison has no %(kind)s chart of %(code)s.", kind=kind, code=code))
    return chart_file(svg, f"PRR-{code}-{kind}", fmt)


def chart_file(svg: str, name: str, fmt: str):
    """A chart as a download: its SVG, or a PNG of it (the brief's charts too)."""
    if fmt == "png":
        data, mimetype = charts.to_png(svg), "image/png"
    else:
        data, mimetype = svg.encode(), "image/svg+xml"
    return send_file(BytesIO(data), as_attachment=True, download_name=f"{name}.{fmt}", mimetype=mimetype)
