"""Run a job once per time slot, whoever asks.

The JobRun row for (job, slot) is created first and committed; the unique key makes a second
scheduler (or a retry) find it and skip. The job's work and the run's outcome are committed
together at the end, so a run killed half-way leaves nothing half-written: its JobRun stays
`running`, and the next request for that slot after the job's timeout takes it over and does
the whole work again (each notice and e-mail has its own exactly-once key besides)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import JobRun
from ...models.types import utcnow
from ..transitions import rowcount
from .outcomes import Outcome

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    run: Callable[[datetime], str]
    slot: Callable[[datetime], str]
    timeout: timedelta = timedelta(minutes=30)
    description: object = ""  # a lazy string: shown on the admin page in the reader's language


def daily(now: datetime) -> str:
    return now.date().isoformat()


def hourly(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H")


def weekly(now: datetime) -> str:
    year, week, _day = now.isocalendar()
    return f"{year}-W{week:02d}"


def every_minutes(n: int) -> Callable[[datetime], str]:
    def slot(now: datetime) -> str:
        return now.replace(minute=now.minute - now.minute % n, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")

    return slot


def _claim(job: Job, slot: str, now: datetime) -> JobRun | None:
    try:
        with db.session.begin_nested():
            run = JobRun(job=job.name, slot=slot, started_at=now)
            db.session.add(run)
        db.session.commit()
        return run
    except IntegrityError:
        db.session.rollback()
    existing = db.session.scalar(select(JobRun).where(JobRun.job == job.name, JobRun.slot == slot))
    if existing is None or existing.outcome == "ok":
        return None
    if existing.outcome == "running" and existing.started_at > now - job.timeout:
        return None  # another runner is on it
    taken = db.session.execute(
        update(JobRun)
        .where(JobRun.id == existing.id, JobRun.attempts == existing.attempts)
        .values(attempts=existing.attempts + 1, outcome="running", started_at=now, finished_at=None, error="")
    )
    db.session.commit()
    if rowcount(taken) != 1:
        return None  # another runner took it over first
    db.session.refresh(existing)
    return existing


def run(job: Job, now: datetime | None = None, slot: str | None = None) -> JobRun | None:
    """Run `job` for the slot `now` falls in; None if that slot is done or being done."""
    now = now or utcnow()
    slot = slot or job.slot(now)
    claimed = _claim(job, slot, now)
    if claimed is None:
        log.info("job %s slot %s: already done or running elsewhere; skipped", job.name, slot)
        return None
    run_id = claimed.id
    try:
        # A write first, so the job's work runs inside a real transaction on SQLite too: the
        # sqlite3 driver begins one only before a write, and a SAVEPOINT issued outside one
        # (services use them for exactly-once inserts) commits on release.
        db.session.execute(update(JobRun).where(JobRun.id == run_id).values(detail=""))
        detail = job.run(now) or ""
        stored = detail.to_detail() if isinstance(detail, Outcome) else str(detail)  # said again in each language
        if len(stored) > 4000:
            stored = str(detail)[:4000]
        claimed.outcome, claimed.detail, claimed.finished_at = "ok", stored, utcnow()
        db.session.commit()
    except Exception as error:  # noqa: BLE001 - a job's failure is recorded, not raised into the scheduler
        db.session.rollback()
        log.exception("job %s slot %s failed", job.name, slot)
        claimed = db.session.get_one(JobRun, run_id)  # committed by _claim, so it exists
        claimed.outcome, claimed.finished_at = "error", utcnow()
        claimed.error = "".join(traceback.format_exception_only(type(error), error)).strip()[:4000]
        db.session.commit()
    return claimed


def recent(limit: int = 50) -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)))
