"""Lists of returns as a given user may see them, filtered in SQL (the rules are access.py's)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, true
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Country, ReportingPeriod, Return, ReturnStatus, ReturnVersion, Role, User
from ..errors import NotFound
from .access import can_see_return, is_staff
from .workflow import get_return


def visible_returns(
    user: User, country: str | None = None, period: str | None = None, *, own_country: bool = False
) -> list[Return]:
    """The returns `user` may see (access.can_see_return), optionally of one country (ISO2)
    and one period (label), in id order, their versions loaded in the same round trip.

    `own_country`: a focal point's list of returns shows their own country's only."""
    stmt = select(Return).options(
        selectinload(Return.versions), selectinload(Return.country), selectinload(Return.period)
    )
    if country:
        stmt = stmt.join(Return.country).where(Country.iso2 == country.upper())
    if period:
        stmt = stmt.join(Return.period).where(ReportingPeriod.label == period)
    if own_country and user.role == Role.FOCAL_POINT:
        stmt = stmt.where(Return.country_id == user.country_id)
    stmt = stmt.where(_visible_to(user))
    return list(db.session.scalars(stmt.order_by(Return.id)))


def visible_return(user: User, return_id: int) -> Return:
    """One return, if `user` may see it; NotFound otherwise (pages and the API answer a plain
    404 either way, so nobody learns that a return they may not see exists)."""
    ret = get_return(return_id)
    if not can_see_return(user, ret):
        raise NotFound(_l("There is no such return."))
    return ret


def _visible_to(user: User):
    """access.can_see_return as SQL: staff, the country's own focal points, or an accepted version."""
    if is_staff(user):
        return true()
    accepted = Return.versions.any(ReturnVersion.accepted_at.is_not(None))
    if user.role == Role.FOCAL_POINT and user.country_id is not None:
        return or_(Return.country_id == user.country_id, accepted)
    return accepted


def awaiting_review() -> list[Return]:
    """Submitted returns, the longest waiting first (the secretariat's review queue): new ones,
    resubmissions after correction and revisions of accepted returns alike (states.review_kind
    tells them apart; their versions and events come in the same round trip)."""
    return list(
        db.session.scalars(
            select(Return)
            .where(Return.status == ReturnStatus.SUBMITTED)
            .options(
                selectinload(Return.versions),
                selectinload(Return.events),
                selectinload(Return.country),
                selectinload(Return.period),
            )
            .order_by(Return.updated_at, Return.id)
        )
    )


def version_of(ret: Return, number: int) -> ReturnVersion | None:
    return db.session.scalar(
        select(ReturnVersion).where(ReturnVersion.return_id == ret.id, ReturnVersion.number == number)
    )
