"""Reporting periods, returns and their immutable versions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .reference import Country
from .template import ReturnTemplate
from .types import UTCDateTime, one_of, utcnow
from .user import User


class ReturnStatus(StrEnum):
    """Where a return is in the workflow; the values are what the database and the API hold."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


RETURN_STATUSES = tuple(ReturnStatus)


class ReportingPeriod(Model):
    __tablename__ = "reporting_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(16), unique=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    opens_on: Mapped[date]
    due_date: Mapped[date | None]
    is_open: Mapped[bool] = mapped_column(default=False)
    closes_on: Mapped[date | None]  # the scheduler closes the period on this date
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    template_id: Mapped[int] = mapped_column(ForeignKey("return_template.id"), index=True)

    template: Mapped[ReturnTemplate] = relationship()

    def __repr__(self) -> str:
        return f"<ReportingPeriod {self.label}>"


class Return(Model):
    """One country's return for one period; its versions hold the figures."""

    __tablename__ = "country_return"
    __table_args__ = (
        UniqueConstraint("country_id", "period_id", name="uq_country_return_country_period"),
        CheckConstraint(one_of("status", RETURN_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ReturnStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    country: Mapped[Country] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    versions: Mapped[list[ReturnVersion]] = relationship(back_populates="return_", order_by="ReturnVersion.number")
    events: Mapped[list[ReturnEvent]] = relationship(back_populates="return_", order_by="ReturnEvent.id")

    @property
    def latest_version(self) -> ReturnVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def accepted_version(self) -> ReturnVersion | None:
        accepted = [v for v in self.versions if v.accepted_at is not None]
        return accepted[-1] if accepted else None


class ReturnVersion(Model):
    """An uploaded, validated workbook. Never changed after it is stored (only its
    submitted/accepted stamps are set by the workflow)."""

    __tablename__ = "return_version"
    __table_args__ = (UniqueConstraint("return_id", "number", name="uq_return_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("country_return.id"), index=True)
    number: Mapped[int]
    template_id: Mapped[int] = mapped_column(ForeignKey("return_template.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    on_behalf: Mapped[bool] = mapped_column(default=False)  # uploaded by the secretariat
    source: Mapped[str] = mapped_column(String(16), default="web")  # web | api | cli | seed
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    original_filename: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    stored_path: Mapped[str] = mapped_column(String(500))
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    completeness: Mapped[float] = mapped_column(Float, default=0.0)
    # The cells hidden from everyone outside the secretariat and the country (CONF and the
    # complementary cells that protect it: services/disclosure.py), worked out once when the
    # version is stored; [] when none; NULL for versions stored before (worked out on reading).
    withheld: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    return_: Mapped[Return] = relationship(back_populates="versions")
    template: Mapped[ReturnTemplate] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
    values: Mapped[list[ReturnValue]] = relationship(back_populates="version", order_by="ReturnValue.id", cascade="all")


ANNOTATED = "text IS NOT NULL OR note IS NOT NULL"  # the cells ix_return_value_annotated holds
CONFIDENTIAL = "status = 'CONF'"  # the cells ix_return_value_confidential holds


class ReturnValue(Model):
    """One reported cell: a number, a text, or a status code; blank cells are not stored."""

    __tablename__ = "return_value"
    __table_args__ = (
        UniqueConstraint("version_id", "indicator", "breakdown", name="uq_return_value_cell"),
        # Comparisons read one indicator across many versions: the figures straight from this
        # index (no table row per value), and the few annotated cells from the partial one.
        Index("ix_return_value_figures", "indicator", "version_id", "breakdown", "number", "status"),
        Index(
            "ix_return_value_annotated",
            "indicator",
            "version_id",
            sqlite_where=sql(ANNOTATED),
            postgresql_where=sql(ANNOTATED),
        ),
        # Disclosure control finds the versions holding a CONF cell (services/compare/hidden.py).
        Index(
            "ix_return_value_confidential",
            "version_id",
            sqlite_where=sql(CONFIDENTIAL),
            postgresql_where=sql(CONFIDENTIAL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("return_version.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(16))
    breakdown: Mapped[str] = mapped_column(String(16))  # column name: Men … Total, Value
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(8))  # N/A, N/AV, NIL, EST, CONF
    note: Mapped[str | None] = mapped_column(Text)

    version: Mapped[ReturnVersion] = relationship(back_populates="values")


class ReturnEvent(Model):
    """The workflow's steps: upload, submit, accept, return (with a reason)."""

    __tablename__ = "return_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("country_return.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("return_version.id"))
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    cell_comments: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    return_: Mapped[Return] = relationship(back_populates="events")
    version: Mapped[ReturnVersion | None] = relationship()
    actor: Mapped[User | None] = relationship()
