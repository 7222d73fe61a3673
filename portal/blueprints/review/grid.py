"""The review grid: the secretariat's page for one return (values, previous period, change,
warnings, queries; filters), with the accept and return-for-correction forms."""

from flask import abort, render_template, request

from ...extensions import db
from ...forms import ConfirmForm
from ...models import Return, ReturnStatus
from ...services.returns import grid as grid_service
from ...services.returns import listing, queries
from ...services.returns.captions import column_captions
from . import numbers
from .blueprint import bp


@bp.route("/<int:return_id>")
def grid(return_id: int):
    ret = db.get_or_404(Return, return_id)
    version = None
    asked = request.args.get("version", type=int)
    if asked:
        version = listing.version_of(ret, asked) or abort(404)
    data = grid_service.review_grid(ret, version=version, filters=request.args.getlist("filter"))
    return render_template(
        "review/grid.html",
        ret=ret,
        grid=data,
        filters=grid_service.FILTERS,
        under_review=ret.status == ReturnStatus.SUBMITTED and data.version is ret.latest_version,
        confirm_form=ConfirmForm(),
        question=queries.question,
        fmt=numbers.formatter(),
        captions=column_captions(),
    )
