"""Reporting periods: a label such as 2025 or 2025-H1, dates, open/closed, template version."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import ReportingPeriod, User
from ...models.types import utcnow
from .. import audit
from ..errors import Conflict, NotFound, ServiceError
from ..transitions import compare_and_set
from .template_versions import get_template

LABEL_RE = re.compile(r"^\d{4}(-H[12])?$")


def _check(label: str, start: date, end: date, opens: date, due: date | None, closes: date | None = None) -> None:
    if not LABEL_RE.match(label or ""):
        raise ServiceError(_l("A period label is a year such as 2025, or a half-year such as 2025-H1."), field="label")
    if end < start:
        raise ServiceError(_l("The period ends before it starts."), field="end_date")
    if due is not None and due < opens:
        raise ServiceError(_l("The due date is before the period opens for reporting."), field="due_date")
    if closes is not None and closes <= opens:
        raise ServiceError(_l("The closing date must come after the opening date."), field="closes_on")


def get_period(label: str) -> ReportingPeriod:
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == label))
    if period is None:
        raise NotFound(_l("There is no reporting period %(label)s.", label=label), field="period")
    return period


def list_periods() -> list[ReportingPeriod]:
    return list(db.session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.start_date.desc())))


def create_period(
    *,
    label: str,
    start_date: date,
    end_date: date,
    opens_on: date,
    due_date: date | None,
    template_version: int,
    is_open: bool = False,
    actor: User | None = None,
    via: str = "web",
    closes_on: date | None = None,
) -> ReportingPeriod:
    """A new period. Created open, it counts as opened now. Created closed although its opening
    date has come, it counts as closed by its creator (the seed leaves past periods so): the
    scheduler opens only periods never opened nor closed, on their opening date."""
    _check(label, start_date, end_date, opens_on, due_date, closes_on)
    template = get_template(template_version)
    if template is None:
        raise ServiceError(_l("There is no template version %(v)s.", v=template_version), field="template_version")
    if db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == label)):
        raise Conflict(_l("The period %(label)s already exists.", label=label), field="label")
    now = utcnow()
    period = ReportingPeriod(
        label=label,
        start_date=start_date,
        end_date=end_date,
        opens_on=opens_on,
        due_date=due_date,
        closes_on=closes_on,
        is_open=is_open,
        template=template,
        opened_at=now if is_open else None,
        closed_at=now if not is_open and opens_on <= now.date() else None,
    )
    db.session.add(period)
    audit.record("period.create", actor=actor, obj=period, label=label, via=via)
    return period


def update_period(
    period: ReportingPeriod,
    *,
    start_date: date,
    end_date: date,
    opens_on: date,
    due_date: date | None,
    is_open: bool,
    actor: User | None = None,
    via: str = "web",
    closes_on: date | None = None,
) -> dict:
    """Change a period's dates; opening or closing it goes through set_open (first, so a
    loser of a race changes nothing)."""
    _check(period.label, start_date, end_date, opens_on, due_date, closes_on)
    opened_or_closed = set_open(period, is_open, actor=actor, via=via)
    new = {
        "start_date": start_date,
        "end_date": end_date,
        "opens_on": opens_on,
        "due_date": due_date,
        "closes_on": closes_on,
    }
    changes = {k: [str(getattr(period, k)), str(v)] for k, v in new.items() if getattr(period, k) != v}
    for key, value in new.items():
        setattr(period, key, value)
    if changes:
        audit.record("period.update", actor=actor, obj=period, changes=changes, via=via)
    if opened_or_closed:
        changes["is_open"] = [str(not is_open), str(is_open)]
    return changes


def set_open(period: ReportingPeriod, is_open: bool, *, actor: User | None = None, via: str = "web") -> bool:
    """Open or close a period by hand (compare-and-set: of two people doing it at once, one
    does it and the other gets 409). True if this call changed it."""
    if period.is_open == is_open:
        return False
    stamp = {"opened_at": utcnow()} if is_open else {"closed_at": utcnow()}
    if not compare_and_set(
        ReportingPeriod, period.id, [ReportingPeriod.is_open.is_(not is_open)], is_open=is_open, **stamp
    ):
        raise Conflict(
            _l("The period %(label)s was already opened by someone else.", label=period.label)
            if is_open
            else _l("The period %(label)s was already closed by someone else.", label=period.label)
        )
    audit.record("period.open" if is_open else "period.close", actor=actor, obj=period, via=via)
    return True


def open_on_schedule(period: ReportingPeriod) -> bool:
    """The scheduler opens a period once: only if nobody ever opened or closed it (a period
    the secretariat or the seed closed stays closed). False if it does nothing."""
    if not compare_and_set(
        ReportingPeriod,
        period.id,
        [ReportingPeriod.is_open.is_(False), ReportingPeriod.opened_at.is_(None), ReportingPeriod.closed_at.is_(None)],
        is_open=True,
        opened_at=utcnow(),
    ):
        return False
    audit.record("period.open", actor=None, obj=period, via="scheduler")
    return True


def close_on_schedule(period: ReportingPeriod) -> bool:
    """The scheduler closes an open period once, on its closing date (one re-opened by hand
    after being closed stays open). False if it does nothing."""
    if not compare_and_set(
        ReportingPeriod,
        period.id,
        [ReportingPeriod.is_open.is_(True), ReportingPeriod.closed_at.is_(None)],
        is_open=False,
        closed_at=utcnow(),
    ):
        return False
    audit.record("period.close", actor=None, obj=period, via="scheduler")
    return True
