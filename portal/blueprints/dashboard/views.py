"""The home page: a dashboard that fits the signed-in user's role."""
from flask import render_template
from flask_login import current_user, login_required

from ...services import dashboard
from . import bp


@bp.route("/")
@login_required
def index():
    return render_template(
        "dashboard/index.html", **dashboard.summary_for(current_user)
    )
