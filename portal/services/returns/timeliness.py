"""Timeliness of a return against its period's due date.

The first submission counts: a return submitted on 30 March against a due date of 31 March
is on time, even if it is returned for correction and resubmitted in May. A submission
counts by its UTC date, so a return submitted at any time on the due date is on time.
Without a submission the return (or the country with no return at all) is either not yet
due, with N days left, or overdue by N days; a period without a due date has no timeliness."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from flask_babel import format_percent, gettext, ngettext

from ...models import Country, ReportingPeriod, Return
from ...models.types import utcnow


class State(StrEnum):
    ON_TIME = "on_time"  # first submitted on or before the due date
    LATE = "late"  # first submitted after it: `days` late
    DUE = "due"  # nothing submitted yet, `days` left (0: due today)
    OVERDUE = "overdue"  # nothing submitted, the due date passed `days` ago
    NO_DUE_DATE = "no_due_date"


@dataclass(frozen=True)
class Timeliness:
    state: State
    days: int | None  # late by / left / overdue by; None when on time or without a due date
    due_date: date | None
    first_submitted: datetime | None

    @property
    def on_time(self) -> bool | None:
        """True on time; False late or overdue; None not yet due or no due date."""
        if self.state is State.ON_TIME:
            return True
        if self.state in (State.LATE, State.OVERDUE):
            return False
        return None

    @property
    def counts(self) -> bool:
        """Whether this period counts in the on-time rate: submitted, or its due date passed."""
        return self.state in (State.ON_TIME, State.LATE, State.OVERDUE)

    @property
    def text(self) -> str:
        """In the current language: "on time", "late by 3 days", "due in 5 days", …"""
        n = self.days or 0
        if self.state is State.ON_TIME:
            return gettext("on time")
        if self.state is State.LATE:
            return ngettext("late by %(num)d day", "late by %(num)d days", n)
        if self.state is State.DUE:
            return gettext("due today") if n == 0 else ngettext("due in %(num)d day", "due in %(num)d days", n)
        if self.state is State.OVERDUE:
            return ngettext("overdue by %(num)d day", "overdue by %(num)d days", n)
        return gettext("no due date")


def today_utc() -> date:
    """The date the portal counts days by (UTC)."""
    return utcnow().date()


def first_submission(ret: Return | None) -> datetime | None:
    if ret is None:
        return None
    times = [v.submitted_at for v in ret.versions if v.submitted_at is not None]
    return min(times) if times else None


def timeliness(ret: Return | None, period: ReportingPeriod, today: date) -> Timeliness:
    """The timeliness of `ret` (None: the country has no return) for `period` on `today`."""
    due = period.due_date
    first = first_submission(ret)
    if due is None:
        return Timeliness(State.NO_DUE_DATE, None, None, first)
    if first is not None:
        late = (first.date() - due).days
        if late > 0:
            return Timeliness(State.LATE, late, due, first)
        return Timeliness(State.ON_TIME, None, due, first)
    left = (due - today).days
    if left >= 0:
        return Timeliness(State.DUE, left, due, None)
    return Timeliness(State.OVERDUE, -left, due, None)


def of_return(ret: Return, today_: date | None = None) -> Timeliness:
    """The timeliness of a return for its own period (the return page)."""
    return timeliness(ret, ret.period, today_ or today_utc())


def rate(items: Iterable[Timeliness]) -> float | None:
    """The share (0–1) of the periods that count that were submitted on time; None if none count."""
    counted = [t for t in items if t.counts]
    if not counted:
        return None
    return sum(t.state is State.ON_TIME for t in counted) / len(counted)


def on_time_rate(country: Country, periods: Iterable[ReportingPeriod], today_: date | None = None) -> float | None:
    """The share of `periods` with a due date in the past, or submitted, that `country`
    submitted on time (None: no period counts yet)."""
    from .workflow import find_return

    day = today_ or today_utc()
    return rate(timeliness(find_return(country.id, p.id), p, day) for p in periods)


def rate_text(value: float | None) -> str:
    """A rate as a percentage in the current locale ("75%", "75 %"); "–" when there is none."""
    return "–" if value is None else format_percent(value)
