"""The home page: a dashboard that fits the signed-in user's role."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...extensions import db
from ...forms import ConfirmForm
from ...services import dashboard
from ...services.notices import notifications as notices
from .blueprint import bp


@bp.route("/")
@login_required
def index():
    return render_template("dashboard/index.html", **dashboard.summary_for(current_user))


@bp.route("/notifications")
@login_required
def notifications():
    return render_template(
        "dashboard/notifications.html",
        items=notices.for_user(current_user),
        text=notices.text,
        confirm_form=ConfirmForm(),
    )


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    notices.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("dashboard.notifications"))
