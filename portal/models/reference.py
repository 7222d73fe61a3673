"""Reference data: regions and countries of the council."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Select, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model

MEMBERSHIPS = ("member", "partner")


class Region(Model):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    countries: Mapped[list[Country]] = relationship(back_populates="region", order_by="Country.name_en")

    def name(self, locale: str) -> str:
        return self.name_ru if locale == "ru" else self.name_en

    def __repr__(self) -> str:
        return f"<Region {self.code}>"


class Country(Model):
    __tablename__ = "country"
    __table_args__ = (CheckConstraint("membership IN ('member', 'partner')", name="membership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    iso2: Mapped[str] = mapped_column(String(2), unique=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    membership: Mapped[str] = mapped_column(String(16))

    region: Mapped[Region] = relationship(back_populates="countries")

    @classmethod
    def ordered(cls) -> Select:
        """Every country alphabetically (by its English name): the order of every country list."""
        return select(cls).order_by(cls.name_en)

    @classmethod
    def by_region(cls) -> Select:
        """Every country grouped by region in the council's order, alphabetically within a region."""
        return select(cls).join(cls.region).order_by(*cls.region_order())

    @classmethod
    def region_order(cls) -> tuple:
        """The ORDER BY of `by_region`, for queries that list other rows country by country (they join
        Country and Region themselves)."""
        return Region.position, cls.name_en

    @property
    def is_member(self) -> bool:
        return self.membership == "member"

    def name(self, locale: str) -> str:
        return self.name_ru if locale == "ru" else self.name_en

    def __repr__(self) -> str:
        return f"<Country {self.iso2}>"
