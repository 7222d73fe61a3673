"""The jobs and when they run (UTC). The scheduler, `flask jobs run NAME` and the admin page
all go through runner.run, so a slot is done once whoever starts it."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from ..returns import pending
from . import backup, tasks
from .runner import Job, daily, every_minutes, hourly, weekly

JOBS = {
    job.name: job
    for job in [
        Job(
            "periods",
            tasks.open_and_close_periods,
            daily,
            description=_l("open and close reporting periods at their dates"),
        ),
        Job(
            "reminders",
            tasks.reminders,
            daily,
            description=_l("deadline reminders, overdue notices, secretariat digest"),
        ),
        Job("brief_drafts", tasks.brief_drafts, daily, description=_l("draft briefs before meetings")),
        Job(
            "quality",
            tasks.quality_sweep,
            weekly,
            description=_l("accepted returns against the current template's rules"),
        ),
        Job("backup", backup.backup, daily, timeout=timedelta(hours=2), description=_l("database and uploaded files")),
        Job(
            "outbox",
            tasks.send_outbox,
            every_minutes(5),
            timeout=timedelta(minutes=10),
            description=_l("send queued e-mail"),
        ),
        Job(
            "pending_uploads",
            pending.expire,
            hourly,
            timeout=timedelta(minutes=30),
            description=_l("remove “check only” uploads older than 24 hours"),
        ),
    ]
}

# Cron-style triggers for the scheduler process (hour, minute); the outbox runs every 5 minutes.
SCHEDULE = {"periods": (0, 5), "backup": (2, 0), "quality": (3, 30), "brief_drafts": (5, 0), "reminders": (6, 0)}
# Hourly jobs (minute of the hour).
HOURLY = {"pending_uploads": 20}
