"""What the home page shows: reference data now, more as later areas arrive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import Country, Region, Role, User
from . import audit, reference
from .accounts import users as user_service


@dataclass
class CountryRow:
    country: Country
    focal_points: int


def regions_with_countries() -> list[Region]:
    """Regions in the council's order, each with its countries, in one statement."""
    stmt = (
        select(Region)
        .outerjoin(Region.countries)
        .order_by(Region.position, Country.name_en)
        .options(contains_eager(Region.countries))
    )
    return list(db.session.scalars(stmt).unique())


def focal_point_coverage() -> list[CountryRow]:
    """Every country with its number of active focal points (0 shows a gap to fill)."""
    counts = dict(
        db.session.execute(
            select(User.country_id, func.count(User.id))
            .where(User.role == Role.FOCAL_POINT, User.active.is_(True))
            .group_by(User.country_id)
        ).all()
    )
    countries = reference.countries_by_region()
    return [CountryRow(c, counts.get(c.id, 0)) for c in countries]


def summary_for(user: User) -> dict[str, Any]:
    data: dict[str, Any] = {"regions": regions_with_countries()}
    if user.role == Role.FOCAL_POINT:
        data["country"] = user.country
        data["colleagues"] = list(
            db.session.scalars(
                select(User)
                .where(User.country_id == user.country_id, User.active.is_(True), User.role == Role.FOCAL_POINT)
                .order_by(User.name)
            )
        )
    if user.role in (Role.ADMIN, Role.SECRETARIAT):
        data["coverage"] = focal_point_coverage()
    if user.role == Role.ADMIN:
        data["user_counts"] = user_service.count_by_role()
        data["recent_events"] = audit.recent(limit=10)
    return data
