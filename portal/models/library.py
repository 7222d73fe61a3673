"""The knowledge library: practice case studies and national action plans, their files and
edit history, and the search index both feed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, PrimaryKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..config import LOCALES
from ..extensions import Model
from .reference import Country
from .types import UTCDateTime, one_of, utcnow
from .user import User

THEMES = (
    "repatriation",
    "screening_prosecution",
    "custody_rehabilitation",
    "community_reintegration",
    "children",
    "women",
    "families",
    "capacity_building",
    "community_engagement",
)
TARGET_GROUPS = ("men", "women", "children", "families", "prison_staff", "communities", "professionals")
ACTORS = ("government", "civil_society", "international")
WORKFLOW = ("draft", "in_review", "published")
VISIBILITY = ("council", "public")
LANGUAGES = LOCALES
PLAN_STATUSES = ("draft", "adopted", "in_force", "expired")
PHASES = ("repatriation", "prosecution", "rehabilitation", "reintegration", "prevention", "coordination")
MEASURE_STATUSES = ("not_started", "in_progress", "done", "delayed", "cancelled")


class LibraryItemMixin:
    """What case studies and plans share: country, language, workflow, visibility, sources."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(2), default="en")
    state: Mapped[str] = mapped_column(String(16), default="draft")  # draft | in_review | published
    visibility: Mapped[str] = mapped_column(String(16), default="council")  # council | public
    review_comment: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list] = mapped_column(JSON, default=list)  # [{"title":…, "url":…}]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseStudy(LibraryItemMixin, Model):
    __tablename__ = "case_study"
    __table_args__ = (
        CheckConstraint(one_of("state", WORKFLOW), name="state"),
        CheckConstraint(one_of("visibility", VISIBILITY), name="visibility"),
        CheckConstraint(one_of("language", LANGUAGES), name="language"),
    )

    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    year_from: Mapped[int | None]
    year_to: Mapped[int | None]
    themes: Mapped[list] = mapped_column(JSON, default=list)
    target_groups: Mapped[list] = mapped_column(JSON, default=list)
    actors: Mapped[list] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    results: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    translation_of_id: Mapped[int | None] = mapped_column(ForeignKey("case_study.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    country: Mapped[Country] = relationship()
    created_by: Mapped[User | None] = relationship()
    translation_of: Mapped[CaseStudy | None] = relationship(remote_side="CaseStudy.id")
    attachments: Mapped[list[LibraryFile]] = relationship(
        primaryjoin="and_(LibraryFile.item_kind == 'case_study', foreign(LibraryFile.item_id) == CaseStudy.id)",
        order_by="LibraryFile.uploaded_at",
        viewonly=True,
    )

    kind = "case_study"

    @property
    def years(self) -> str:
        if self.year_from and self.year_to and self.year_to != self.year_from:
            return f"{self.year_from}–{self.year_to}"
        return str(self.year_from or self.year_to or "")


class ActionPlan(LibraryItemMixin, Model):
    __tablename__ = "action_plan"
    __table_args__ = (
        CheckConstraint(one_of("state", WORKFLOW), name="state"),
        CheckConstraint(one_of("visibility", VISIBILITY), name="visibility"),
        CheckConstraint(one_of("language", LANGUAGES), name="language"),
        CheckConstraint(one_of("status", PLAN_STATUSES), name="status"),
        CheckConstraint("end_year >= start_year", name="years"),
    )

    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    start_year: Mapped[int]
    end_year: Mapped[int]
    authority: Mapped[str] = mapped_column(String(300), default="")  # who adopted it
    authority_ru: Mapped[str] = mapped_column(String(300), default="")
    instrument: Mapped[str] = mapped_column(String(300), default="")  # e.g. resolution no. and date; "" = not published
    instrument_ru: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_ru: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")  # Markdown
    objectives_ru: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    country: Mapped[Country] = relationship()
    measures: Mapped[list[PlanMeasure]] = relationship(
        back_populates="plan", order_by="PlanMeasure.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[LibraryFile]] = relationship(
        primaryjoin="and_(LibraryFile.item_kind == 'action_plan', foreign(LibraryFile.item_id) == ActionPlan.id)",
        order_by="LibraryFile.uploaded_at",
        viewonly=True,
    )

    kind = "action_plan"

    def title_in(self, locale: str) -> str:
        return self.title_ru if locale == "ru" and self.title_ru else self.title

    @property
    def years(self) -> str:
        return f"{self.start_year}–{self.end_year}"


class PlanMeasure(Model):
    __tablename__ = "plan_measure"
    __table_args__ = (
        CheckConstraint(one_of("phase", PHASES), name="phase"),
        CheckConstraint(one_of("status", MEASURE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)  # "" when the measure is in Russian only
    text_ru: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[str] = mapped_column(String(16))
    agencies: Mapped[str] = mapped_column(String(500), default="")
    agencies_ru: Mapped[str] = mapped_column(String(500), default="")
    timeline: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(16), default="not_started")

    plan: Mapped[ActionPlan] = relationship(back_populates="measures")
    updates: Mapped[list[MeasureUpdate]] = relationship(
        back_populates="measure", order_by="MeasureUpdate.on_date", cascade="all, delete-orphan"
    )


class MeasureUpdate(Model):
    """A dated progress note on a measure, with the status it reported."""

    __tablename__ = "measure_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("plan_measure.id"), index=True)
    on_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    text_ru: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    measure: Mapped[PlanMeasure] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()


class LibraryFile(Model):
    """A file attached to a case study or a plan; its bytes are a StoredFile (`stored_path`)."""

    __tablename__ = "library_file"
    __table_args__ = (Index("ix_library_file_item", "item_kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(16))  # case_study | action_plan
    item_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))  # pdf, docx, xlsx, pptx, png, jpeg
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LibraryRevision(Model):
    """Who changed what, and when: one row per save, with the changed fields (old → new)."""

    __tablename__ = "library_revision"
    __table_args__ = (Index("ix_library_revision_item", "item_kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))  # created, edited, submitted, published, returned
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()


class SearchDoc(Model):
    """One searchable document per case study or plan (plans carry their measures' text).

    Text is stored stemmed (`*_terms`); its terms, each with its weight in the document, are
    the postings (`SearchTerm`) that both databases match and rank by (services/library/ranking.py)."""

    __tablename__ = "search_doc"
    __table_args__ = (
        UniqueConstraint("item_kind", "item_id", name="uq_search_doc_item"),
        Index("ix_search_doc_updated", "updated_at", "id"),  # newest first, for a search with no words
        # What a search reads of each match (visibility, filters, facets, the tie-break by date),
        # so that it reads this index and not the long rows (services/library/search.py).
        Index(
            "ix_search_doc_match",
            "id",
            "state",
            "visibility",
            "country_id",
            "item_kind",
            "year",
            "language",
            "tag_set",
            "updated_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int]
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    year: Mapped[int | None]
    state: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")  # plain text for snippets
    title_terms: Mapped[str] = mapped_column(Text, default="")
    text_terms: Mapped[str] = mapped_column(Text, default="")
    tag_set: Mapped[str] = mapped_column(String(1000), default="")  # its tags, "facet:value" space-separated, sorted
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tags: Mapped[list[SearchTag]] = relationship(cascade="all, delete-orphan")


class SearchTag(Model):
    """Facet values with many per document: themes and target groups."""

    __tablename__ = "search_tag"
    __table_args__ = (Index("ix_search_tag_facet_value", "facet", "value"),)

    doc_id: Mapped[int] = mapped_column(ForeignKey("search_doc.id", ondelete="CASCADE"), primary_key=True)
    facet: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)


class SearchTerm(Model):
    """A posting: a stemmed term of a document with its weight there (a BM25 term-frequency
    score, title terms counting 4 times), written with the document by `search.index_item`.
    The key (term, doc_id) carries the weight (SQLite: a table without rowid; PostgreSQL: the
    key's index INCLUDEs it), so matching and ranking read the index alone."""

    __tablename__ = "search_term"
    __table_args__ = (
        PrimaryKeyConstraint("term", "doc_id", postgresql_include=["weight"]),
        Index("ix_search_term_doc_id", "doc_id"),
        {"sqlite_with_rowid": False},
    )

    term: Mapped[str] = mapped_column(String(60))
    doc_id: Mapped[int] = mapped_column(ForeignKey("search_doc.id", ondelete="CASCADE"))
    weight: Mapped[int]


LIBRARY_MODELS: dict[str, type[CaseStudy] | type[ActionPlan]] = {  # by item_kind
    "case_study": CaseStudy,
    "action_plan": ActionPlan,
}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's autogenerate: every object is in the models (the full-text index of
    migrations 0005–0014, outside them, gave way to `search_term` in 0015)."""
    return True
