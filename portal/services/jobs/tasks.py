"""What the scheduler does: reporting reminders and overdue notices, opening and closing
periods, draft briefs before meetings, the data-quality sweep, sending the outbox.

Each function takes the time it runs for (so tests use a controlled clock), works in the
session, and returns a one-line summary; skipped items are logged with the reason."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from ...extensions import db
from ...models import (
    STAFF_ROLES,
    Brief,
    JobRun,
    Meeting,
    Return,
    ReturnStatus,
    ReturnVersion,
    Role,
    User,
)
from ...schemas.values import CellValue
from .. import reference
from ..errors import Conflict
from ..notices import notifications, outbox
from ..returns import periods
from ..returns.report import ParsedCell, ValidationReport
from ..returns.rules import apply_rules
from .outcomes import Outcome

log = logging.getLogger(__name__)


def _staff() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role.in_(STAFF_ROLES), User.role != Role.ADMIN, User.active.is_(True))
        )
    )


def _submitted(country_id: int, period_id: int) -> bool:
    return (
        db.session.scalar(
            select(ReturnVersion.id)
            .join(Return)
            .where(
                Return.country_id == country_id, Return.period_id == period_id, ReturnVersion.submitted_at.is_not(None)
            )
            .limit(1)
        )
        is not None
    )


OVERDUE_LONG = 30  # days overdue when the second, firmer overdue notice goes


def reminder_step(days_left: int, steps: list[int]) -> tuple[str, str] | None:
    """The reminder (notice kind, slot) that applies `days_left` days before the due date
    (negative: overdue), or None. Before it: the nearest of REMINDER_DAYS not yet passed
    (reminder.due); on the day: reminder.today; 1 to 29 days after: reminder.overdue; from
    30 days after: reminder.overdue30. A missed run is caught up by the next one, which sends
    the latest step that applies (a step already sent is not sent again)."""
    if days_left > 0:
        ahead = [n for n in steps if n > 0 and days_left <= n]
        return ("reminder.due", f"due-{min(ahead)}") if ahead else None
    if days_left == 0:
        return "reminder.today", "today"
    if -days_left < OVERDUE_LONG:
        return "reminder.overdue", "overdue-1"
    return "reminder.overdue30", f"overdue-{OVERDUE_LONG}"


def reminders(now: datetime) -> Outcome:
    """Reminders that escalate to each focal point whose country has not submitted the return
    of an open period: before the due date (REMINDER_DAYS days before it), on the day, one day
    and 30 days after it (reminder_step), each once per (user, period, step); and a daily
    digest of overdue countries to the secretariat. A submission (by anyone of the country)
    stops them. The due date goes into the notice as ISO; the text shows it in the reader's
    language."""
    today = now.date()
    steps = sorted(current_app.config["REMINDER_DAYS"])
    sent = 0
    for period in reference.periods():
        if period.due_date is None:
            log.info("reminders: period %s has no due date; skipped", period.label)
            continue
        if period.opens_on > today or (period.closes_on and period.closes_on <= today) or not period.is_open:
            continue
        days_left = (period.due_date - today).days
        step = reminder_step(days_left, steps)
        if step is None:
            continue
        kind, slot = step
        overdue = []
        for country in reference.countries():
            focal_points = list(
                db.session.scalars(
                    select(User).where(
                        User.country_id == country.id, User.role == Role.FOCAL_POINT, User.active.is_(True)
                    )
                )
            )
            if not focal_points or _submitted(country.id, period.id):
                continue
            if days_left < 0:
                overdue.append(country.iso2)
            for user in focal_points:
                params = {
                    "country": country.name(user.language),
                    "period": period.label,
                    "due": period.due_date.isoformat(),
                    "days": abs(days_left),
                }
                if notifications.notify(
                    user, kind, params, link="/returns/", dedupe_key=f"{kind}:{user.id}:{period.id}:{slot}"
                ):
                    sent += 1
        if overdue:
            for user in _staff():
                if notifications.notify(
                    user,
                    "digest.overdue",
                    {"period": period.label, "countries": ", ".join(overdue)},
                    link="/review/",
                    dedupe_key=f"digest.overdue:{user.id}:{period.id}:{today}",
                ):
                    sent += 1
    return Outcome("notices", num=sent)


def open_and_close_periods(now: datetime) -> Outcome:
    """Open a period on its opening date if it was never opened nor closed (so catch-up never
    re-opens one the secretariat or the seed closed), and close it on its closing date (once:
    a period the secretariat re-opens by hand stays open). Closing stops uploads except the
    secretariat's."""
    today, changed = now.date(), []  # (opened | closed, period)
    for period in reference.periods():
        if (
            not period.is_open
            and period.opened_at is None
            and period.closed_at is None
            and period.opens_on <= today
            and (period.closes_on is None or today < period.closes_on)
        ):
            if periods.open_on_schedule(period):
                changed.append(("opened", period.label))
        elif (
            period.is_open
            and period.closed_at is None
            and period.closes_on
            and period.closes_on <= today
            and periods.close_on_schedule(period)
        ):
            changed.append(("closed", period.label))
    return Outcome("periods", changes=changed)


def brief_drafts(now: datetime) -> Outcome:
    """BRIEF_DRAFT_DAYS (default 7) before a meeting, compile a draft edition of each brief in
    composition (changed since its last edition) and tell the secretariat."""
    from ..meetings import briefs

    today = now.date()
    window = today + timedelta(days=current_app.config["BRIEF_DRAFT_DAYS"])
    compiled = []
    for brief in db.session.scalars(select(Brief).join(Meeting).order_by(Brief.id)):
        meeting = brief.meeting
        if meeting.start_date < today:
            log.info("brief drafts: meeting %s is in the past; brief %s skipped", meeting.id, brief.id)
            continue
        if meeting.start_date > window:
            continue
        if (latest := brief.latest) is not None and latest.compiled_at >= brief.updated_at:
            continue
        try:
            with db.session.begin_nested():
                edition = briefs.compile_brief(brief, None)
        except Conflict:
            log.info("brief drafts: brief %s was being compiled by someone else; skipped", brief.id)
            continue
        compiled.append(f"{brief.id}/{edition.number}")
        for user in _staff():
            notifications.notify(
                user,
                "brief.draft",
                {"edition": edition.number, "title": brief.title, "date": meeting.start_date.isoformat()},
                link=f"/meetings/briefs/{brief.id}",
                dedupe_key=f"brief.draft:{user.id}:{brief.id}:{edition.number}",
            )
    return Outcome("briefs", editions=compiled)


def quality_sweep(now: datetime) -> Outcome:
    """Accepted returns whose values would fail the current template's rules (errors only) or
    its bounds (a figure stored before they existed, e.g. 1e308): the secretariat gets one
    notice listing them."""
    from ..returns.template_versions import latest_template

    template = latest_template()
    assert template is not None  # `flask seed` loads the templates before anything runs
    bounds = {i.code: i.maximum() for i in template.indicators}
    flagged = []
    for ret in db.session.scalars(select(Return).where(Return.status == ReturnStatus.ACCEPTED).order_by(Return.id)):
        version = ret.accepted_version
        if version is None:
            continue
        report = ValidationReport(template_version=template.version)
        for value in version.values:
            cell = CellValue(number=value.number, text=value.text, status=value.status)
            report.cells[(value.indicator, value.breakdown)] = ParsedCell(cell, "", "")
            if value.note:
                report.notes[value.indicator] = value.note
        apply_rules(template, report)
        out_of_bounds = any(
            v.number is not None and (not math.isfinite(v.number) or v.number > (bounds.get(v.indicator) or math.inf))
            for v in version.values
        )
        if report.errors or out_of_bounds:
            flagged.append(f"{ret.country.iso2} {ret.period.label} v{version.number}")
    if flagged:
        for user in _staff():
            notifications.notify(
                user,
                "quality.flag",
                {"count": len(flagged), "list": "; ".join(flagged)},
                link="/review/",
                dedupe_key=f"quality.flag:{user.id}:{now.date()}",
            )
    return Outcome("quality", flagged=flagged)


def send_outbox(now: datetime) -> Outcome:
    """Send what is due; also drop this job's own run records older than a week (it runs
    every five minutes, ~2,000 rows a week, and an old empty run tells nobody anything)."""
    result = outbox.send_pending(now)
    db.session.execute(delete(JobRun).where(JobRun.job == "outbox", JobRun.started_at < now - timedelta(days=7)))
    return Outcome("outbox", **result)
