"""Uploads kept between "check" and "save": the file, who uploaded it, and its name.

A dry run or a failed upload is kept here (a PendingUpload row, so any web server can serve
the next request) so the user can download it marked up, or save it as a version without
uploading it again, for 24 hours: the hourly job `pending_uploads` (jobs/registry.py) removes
older ones, and `load` no longer hands out one that is older even if the job has not run yet.
Callers commit."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from ...extensions import db
from ...models import PendingUpload
from ...models.types import utcnow
from ..errors import NotFound

TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEPT_FOR = timedelta(hours=24)
log = logging.getLogger(__name__)


def keep(data: bytes, filename: str, user_id: int | None) -> str:
    token = uuid.uuid4().hex
    db.session.add(PendingUpload(token=token, user_id=user_id, filename=(filename or "return.xlsx")[:255], data=data))
    return token


def load(token: str, user_id: int | None) -> tuple[bytes, str]:
    """The kept upload, for the user who made it only."""
    kept = db.session.get(PendingUpload, token) if TOKEN.match(token or "") else None
    if kept is None or kept.user_id != user_id or utcnow() - kept.created_at > KEPT_FOR:
        raise NotFound("unknown upload")
    return kept.data, kept.filename


def discard(token: str) -> bool:
    """Forget a kept upload; False if it was gone already (saved by a concurrent request: the
    delete waits for that one's commit, so exactly one of two saves finds the row)."""
    if not TOKEN.match(token or ""):
        return False
    deleted = db.session.execute(delete(PendingUpload).where(PendingUpload.token == token))
    return bool(deleted.rowcount)  # type: ignore[attr-defined]


def expire(now: datetime):
    """Remove kept uploads older than KEPT_FOR at `now`; the scheduled job `pending_uploads`."""
    old = PendingUpload.created_at < now - KEPT_FOR
    removed = db.session.execute(delete(PendingUpload).where(old)).rowcount  # type: ignore[attr-defined]
    kept = db.session.scalar(select(func.count()).select_from(PendingUpload))
    log.info("pending uploads: %d removed, %d kept", removed, kept)
    from ..jobs.outcomes import Outcome

    return Outcome("pending", removed=removed, kept=kept)
