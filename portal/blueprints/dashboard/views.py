"""The home page: a dashboard that fits the signed-in user's role, with its to-do; the notices."""

from flask import abort, redirect, render_template, url_for
from flask_babel import format_date
from flask_login import current_user, login_required

from ...extensions import db
from ...forms import ConfirmForm
from ...models.types import utcnow
from ...services import dashboard, todo
from ...services.notices import notifications as notices
from .blueprint import bp


@bp.route("/")
@login_required
def index():
    return render_template(
        "dashboard/index.html",
        **dashboard.summary_for(current_user),
        **todo.todo_for(current_user, utcnow().date()),
        format_date=format_date,
    )


@bp.route("/notifications")
@login_required
def notifications():
    """Opening the page marks what it shows as read (they still show as new this once)."""
    items = notices.for_user(current_user)
    unread = {n.id for n in items if n.read_at is None}
    if unread:
        notices.mark_read(current_user, sorted(unread))
        db.session.commit()
    return render_template(
        "dashboard/notifications.html",
        items=items,
        unread=unread,
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
