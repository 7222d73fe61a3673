"""Council meetings, their agendas and documents, and the briefs compiled for them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .reference import Country
from .returns import ReportingPeriod
from .types import UTCDateTime, utcnow
from .user import User

MEETING_FORMATS = ("in_person", "online", "hybrid")


class Meeting(Model):
    __tablename__ = "meeting"
    __table_args__ = (CheckConstraint("format IN ('in_person', 'online', 'hybrid')", name="format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    title_ru: Mapped[str | None] = mapped_column(String(300))
    start_date: Mapped[date]
    end_date: Mapped[date]
    place: Mapped[str] = mapped_column(String(200), default="")
    place_ru: Mapped[str] = mapped_column(String(200), default="")
    host_country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id"))
    format: Mapped[str] = mapped_column(String(16), default="in_person")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    description_ru: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")  # where the facts come from
    source_ru: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    host_country: Mapped[Country | None] = relationship()
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    documents: Mapped[list[MeetingDocument]] = relationship(
        back_populates="meeting", order_by="MeetingDocument.uploaded_at", cascade="all, delete-orphan"
    )
    briefs: Mapped[list[Brief]] = relationship(back_populates="meeting", order_by="Brief.id")

    def title_in(self, locale: str) -> str:
        return self.title_ru if locale == "ru" and self.title_ru else self.title


class AgendaItem(Model):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))  # "" when the item is in Russian only
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    presenter_country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    presenter_country: Mapped[Country | None] = relationship()


class MeetingDocument(Model):
    __tablename__ = "meeting_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))  # pdf, docx, xlsx, pptx, png, jpeg
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="documents")
    uploaded_by: Mapped[User | None] = relationship()


class Brief(Model):
    """What the secretariat composes for a meeting; compiled into immutable editions."""

    __tablename__ = "brief"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))  # "" when the brief has a Russian title only
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"))
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    countries: Mapped[list] = mapped_column(JSON, default=list)  # empty: all
    charts: Mapped[list] = mapped_column(JSON, default=list)  # "bar", "line"
    # [{"heading", "body" (Markdown), "heading_ru", "body_ru"}]: each part in English and Russian
    sections: Mapped[list] = mapped_column(JSON, default=list)
    library_refs: Mapped[list] = mapped_column(JSON, default=list)  # hook for case studies / action plans
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="briefs")
    period: Mapped[ReportingPeriod] = relationship()
    editions: Mapped[list[BriefEdition]] = relationship(back_populates="brief", order_by="BriefEdition.number")

    @property
    def latest(self) -> BriefEdition | None:
        return self.editions[-1] if self.editions else None


class BriefEdition(Model):
    """A frozen snapshot: exact values, the return versions they came from, completeness,
    charts and narrative as they were at compile time. Never changed."""

    __tablename__ = "brief_edition"
    __table_args__ = (UniqueConstraint("brief_id", "number", name="uq_brief_edition_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("brief.id"), index=True)
    number: Mapped[int]
    compiled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    compiled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    snapshot: Mapped[dict] = mapped_column(JSON)

    brief: Mapped[Brief] = relationship(back_populates="editions")
    compiled_by: Mapped[User | None] = relationship()
