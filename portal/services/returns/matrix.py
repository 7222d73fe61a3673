"""Completeness and timeliness: countries × periods, for the secretariat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Country, ReportingPeriod, Return, ReturnStatus
from .. import formatting, reference
from .timeliness import Timeliness, rate, timeliness, today_utc

NOT_STARTED = "not_started"  # a matrix cell with no return yet (not a ReturnStatus: nothing is stored)
STATUS_LABELS = {
    NOT_STARTED: _l("not started"),
    ReturnStatus.DRAFT: _l("draft"),
    ReturnStatus.SUBMITTED: _l("submitted"),
    ReturnStatus.RETURNED: _l("returned for correction"),
    ReturnStatus.ACCEPTED: _l("accepted"),
}
TIMELINESS_LABELS = {True: _l("on time"), False: _l("late"), None: ""}


@dataclass
class MatrixCell:
    status: str  # not_started | draft | submitted | returned | accepted
    timeliness: Timeliness
    completeness: float | None
    last_activity: datetime | None
    return_id: int | None

    @property
    def completeness_text(self) -> str:
        """The share reported in the current locale ("42.6%", "42,6 %")."""
        return formatting.percent(self.completeness)

    @property
    def on_time(self) -> bool | None:
        """True on time; False late or overdue; None not yet due (or no due date)."""
        return self.timeliness.on_time


def completeness_matrix(
    today: date | None = None,
) -> tuple[list[Country], list[ReportingPeriod], dict[tuple[int, int], MatrixCell]]:
    today = today or today_utc()
    countries = reference.countries_by_region()
    periods = reference.periods()
    returns = {
        (r.country_id, r.period_id): r
        for r in db.session.scalars(select(Return).options(selectinload(Return.versions)))
    }
    cells = {}
    for country in countries:
        for period in periods:
            ret = returns.get((country.id, period.id))
            when = timeliness(ret, period, today)
            if ret is None:
                cells[(country.id, period.id)] = MatrixCell(NOT_STARTED, when, None, None, None)
                continue
            version = ret.accepted_version or ret.latest_version
            cells[(country.id, period.id)] = MatrixCell(
                ret.status, when, version.completeness if version else None, ret.updated_at, ret.id
            )
    return countries, periods, cells


def on_time_rates(
    countries: list[Country], periods: list[ReportingPeriod], cells: dict[tuple[int, int], MatrixCell]
) -> dict[int, float | None]:
    """Per country (by id): the share of its periods that count (due date passed, or
    submitted) that it submitted on time; None when none counts yet."""
    return {c.id: rate(cells[(c.id, p.id)].timeliness for p in periods) for c in countries}
