"""The caller's notices: GET /api/v1/notifications (read only; the Notices page marks them read,
as does POST /api/v1/notifications/read)."""

from flask import jsonify
from flask_login import current_user, login_required

from ...extensions import db
from ...services.notices import notifications as notices
from .blueprint import bp


def _iso(moment):
    return moment.isoformat() if moment else None


@bp.route("/notifications")
@login_required
def list_notifications():
    """{"notifications": [{"id", "kind", "text" (in the caller's language), "link",
    "created_at", "read_at"}], "unread": n}, the newest first (the Notices page's 50)."""
    return jsonify(
        notifications=[
            {
                "id": n.id,
                "kind": n.kind,
                "text": notices.text(n),
                "link": n.link,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in notices.for_user(current_user)
        ],
        unread=notices.unread_count(current_user),
    )


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_notifications_read():
    """Mark all the caller's notices read → {"marked": n}."""
    marked = notices.mark_all_read(current_user)
    db.session.commit()
    return jsonify(marked=marked)
