"""Regional comparisons: the selection lives in the URL, so a comparison can be shared."""

from io import BytesIO

from flask import Response, render_template, request, send_file
from flask_login import current_user, login_required

from ...i18n import current_language
from ...services import reference
from ...services.compare import export, present
from ...services.compare.aggregate import compare
from ...services.compare.selection import selection_from_args
from ...services.disclosure import audience_for
from ...services.returns.access import is_staff
from ...services.returns.template_versions import latest_template
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
        "template": latest_template(),
        "regions": reference.regions(),
        "args": request.args,
    }
    if not request.args:
        return render_template("compare/index.html", comparison=None, **context)
    comparison = _comparison()
    locale = current_language()
    tables = present.tables(comparison, locale)
    return render_template(
        "compare/index.html",
        comparison=comparison,
        tables=tables,
        derived=present.derived_rows(comparison, locale),
        **context,
    )


@bp.route("/export.xlsx")
@login_required
def export_xlsx():
    comparison = _comparison()
    data = export.to_xlsx(comparison, current_language())
    return send_file(BytesIO(data), as_attachment=True, download_name="PRR-comparison.xlsx", mimetype=XLSX_MIMETYPE)


@bp.route("/export.csv")
@login_required
def export_csv():
    comparison = _comparison()
    return Response(
        export.to_csv(comparison),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=PRR-comparison.csv"},
    )
