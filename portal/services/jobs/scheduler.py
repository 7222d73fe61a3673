"""The scheduler process: `flask --app wsgi scheduler`. One BlockingScheduler with
coalesce=True and max_instances=1; each trigger runs a job through runner.run in an app
context. Not started inside web workers (3 gunicorn workers ran each job 3 times, per the
engineering notes); a second scheduler started by mistake does no harm — the JobRun slot
key makes it skip work already done."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ...extensions import db
from . import runner
from .registry import HOURLY, JOBS, SCHEDULE

log = logging.getLogger(__name__)


def _runner(app, name: str):
    def fire():
        with app.app_context():
            try:
                runner.run(JOBS[name])
            finally:
                db.session.remove()

    return fire


def build(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    for name, (hour, minute) in SCHEDULE.items():
        scheduler.add_job(_runner(app, name), CronTrigger(hour=hour, minute=minute, timezone="UTC"), id=name)
    for name, minute in HOURLY.items():
        scheduler.add_job(_runner(app, name), CronTrigger(minute=minute, timezone="UTC"), id=name)
    scheduler.add_job(_runner(app, "outbox"), IntervalTrigger(minutes=5), id="outbox")
    return scheduler


def catch_up(app) -> None:
    """At start: run each daily job for today's slot if it has not run (a scheduler that was
    down at its time would otherwise skip a day). Slots already done are skipped."""
    for name in ("periods", "reminders", "brief_drafts", "outbox"):
        _runner(app, name)()
