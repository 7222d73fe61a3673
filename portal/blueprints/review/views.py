"""The secretariat's review: returns awaiting review, accept or return with a reason,
and the completeness matrix."""

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...forms import ConfirmForm
from ...models import Return, Role
from ...security import roles_required
from ...services.returns import listing, workflow
from ...services.returns.export import export_matrix
from ...services.returns.matrix import completeness_matrix, on_time_rates
from ...services.returns.timeliness import rate_text
from ...services.xlsx import XLSX_MIMETYPE
from .blueprint import bp


@bp.before_request
@roles_required(Role.ADMIN, Role.SECRETARIAT)
def require_staff():
    """The review pages are for the secretariat (and administrators)."""


@bp.route("/")
def index():
    return render_template("review/index.html", waiting=listing.awaiting_review())


@bp.route("/<int:return_id>/accept", methods=["POST"])
def accept(return_id: int):
    ret = db.get_or_404(Return, return_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    version = workflow.accept_return(ret, current_user)
    db.session.commit()
    flash(
        _(
            "Version %(n)d of %(country)s %(period)s accepted.",
            n=version.number,
            country=ret.country.name_en,
            period=ret.period.label,
        ),
        "success",
    )
    return redirect(url_for("returns.detail", return_id=ret.id))


@bp.route("/<int:return_id>/return", methods=["POST"])
def send_back(return_id: int):
    ret = db.get_or_404(Return, return_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    reason = request.form.get("reason", "").strip()
    workflow.send_back(ret, current_user, reason)
    db.session.commit()
    if reason:
        flash(_("The return was sent back to the focal point with your reason."), "success")
    else:
        flash(_("The return was sent back to the focal point with its open queries."), "success")
    return redirect(url_for("returns.detail", return_id=ret.id))


@bp.route("/matrix")
def matrix():
    countries, periods, cells = completeness_matrix()
    rates = on_time_rates(countries, periods, cells)
    return render_template(
        "review/matrix.html", countries=countries, periods=periods, cells=cells, rates=rates, rate_text=rate_text
    )


@bp.route("/matrix.xlsx")
def matrix_xlsx():
    return send_file(
        BytesIO(export_matrix()), as_attachment=True, download_name="PRR-completeness.xlsx", mimetype=XLSX_MIMETYPE
    )
