"""Writing the audit trail. Callers commit; this only adds to the session."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent, User


def record(
    action: str,
    *,
    actor: User | None = None,
    obj=None,
    object_type: str | None = None,
    object_id=None,
    ip_address: str | None = None,
    **details,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj.__tablename__
        db.session.flush()  # make sure a new object has its id
        object_id = obj.id if object_id is None else object_id
    event = AuditEvent(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip_address=ip_address,
        details=details,
    )
    db.session.add(event)
    return event


def recent(limit: int = 20) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def page(number: int, per_page: int):
    """One page of the trail, newest first (a Flask-SQLAlchemy Pagination: items, total, has_next)."""
    stmt = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return db.paginate(stmt, page=number, per_page=per_page, error_out=False)
