"""Completeness and timeliness: countries × periods, for the secretariat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Country, ReportingPeriod, Return, ReturnStatus
from .. import reference

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
    on_time: bool | None  # None: nothing submitted and not yet due
    completeness: float | None
    last_activity: datetime | None
    return_id: int | None


def _first_submission(ret: Return) -> datetime | None:
    times = [v.submitted_at for v in ret.versions if v.submitted_at]
    return min(times) if times else None


def completeness_matrix(today=None) -> tuple[list[Country], list[ReportingPeriod], dict]:
    from datetime import date

    today = today or date.today()
    countries = reference.countries_by_region()
    periods = reference.periods()
    returns = {(r.country_id, r.period_id): r for r in db.session.scalars(select(Return))}
    cells = {}
    for country in countries:
        for period in periods:
            ret = returns.get((country.id, period.id))
            if ret is None:
                late = period.due_date is not None and today > period.due_date
                cells[(country.id, period.id)] = MatrixCell(NOT_STARTED, False if late else None, None, None, None)
                continue
            first = _first_submission(ret)
            if period.due_date is None:
                on_time = None
            elif first is not None:
                on_time = first.date() <= period.due_date
            else:
                on_time = None if today <= period.due_date else False
            version = ret.accepted_version or ret.latest_version
            cells[(country.id, period.id)] = MatrixCell(
                ret.status, on_time, version.completeness if version else None, ret.updated_at, ret.id
            )
    return countries, periods, cells
