"""The council's reference data as pages list it: countries, regions, reporting periods.

The orderings themselves are defined once, on the models (`Country.ordered()`, `Country.by_region()`)."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Country, Region, ReportingPeriod


def countries() -> list[Country]:
    """Every country, alphabetical by English name (the admin, meeting and return forms)."""
    return list(db.session.scalars(Country.ordered()))


def countries_by_region() -> list[Country]:
    """Every country, grouped by region in the council's order (comparisons and briefs)."""
    return list(db.session.scalars(Country.by_region()))


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.position)))


def periods() -> list[ReportingPeriod]:
    """Reporting periods, oldest first (the comparison's columns run left to right in time)."""
    return list(db.session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.start_date)))
