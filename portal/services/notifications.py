"""In-app notices: what a user is told (a return accepted or sent back, …)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Notification, User
from ..models.types import utcnow

TEXTS = {
    "return.accepted": _l("Your return for %(period)s (version %(version)s) was accepted."),
    "return.returned": _l("Your return for %(period)s (version %(version)s) was returned for correction: %(reason)s"),
    "library.published": _l("“%(title)s” was published in the library."),
    "library.returned": _l("“%(title)s” was sent back for changes: %(reason)s"),
}


def text(notification: Notification) -> str:
    template = TEXTS.get(notification.kind)
    if template is None:
        return notification.kind
    params = {"period": "", "version": "", "reason": "", "title": "", **notification.params}
    return str(template) % params


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def for_user(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def mark_all_read(user: User) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0
