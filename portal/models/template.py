"""The standard return defined as data: versioned templates with sections, indicators and rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import UTCDateTime, utcnow


class ReturnTemplate(Model):
    __tablename__ = "return_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_ru: Mapped[str] = mapped_column(String(200))
    # Column names of each breakdown scheme and the status codes, as loaded.
    breakdowns: Mapped[dict] = mapped_column(JSON)
    status_codes: Mapped[list] = mapped_column(JSON)
    # The largest number a cell of each unit may hold ({"count": 1e9, ...}); an indicator's
    # own `max_value` overrides its unit's.
    unit_max: Mapped[dict] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sections: Mapped[list[TemplateSection]] = relationship(
        back_populates="template", order_by="TemplateSection.position", cascade="all, delete-orphan"
    )
    rules: Mapped[list[TemplateRule]] = relationship(
        back_populates="template", order_by="TemplateRule.position", cascade="all, delete-orphan"
    )

    def title(self, locale: str) -> str:
        return self.title_ru if locale == "ru" else self.title_en

    @property
    def indicators(self) -> list[TemplateIndicator]:
        return [i for s in self.sections for i in s.indicators]

    def indicator(self, code: str) -> TemplateIndicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def columns(self, breakdown: str) -> list[str]:
        return list(self.breakdowns[breakdown])


class TemplateSection(Model):
    __tablename__ = "template_section"
    __table_args__ = (UniqueConstraint("template_id", "code", name="uq_template_section_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("return_template.id"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    sheet: Mapped[str] = mapped_column(String(31))  # worksheet name in the Excel template
    name_en: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    position: Mapped[int]

    template: Mapped[ReturnTemplate] = relationship(back_populates="sections")
    indicators: Mapped[list[TemplateIndicator]] = relationship(
        back_populates="section", order_by="TemplateIndicator.position", cascade="all, delete-orphan"
    )

    def name(self, locale: str) -> str:
        return self.name_ru if locale == "ru" else self.name_en


class TemplateIndicator(Model):
    __tablename__ = "template_indicator"
    __table_args__ = (UniqueConstraint("section_id", "code", name="uq_template_indicator_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("template_section.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
    unit: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(8))  # flow | stock
    breakdown: Mapped[str] = mapped_column(String(16))
    label_en: Mapped[str] = mapped_column(String(300))
    label_ru: Mapped[str] = mapped_column(String(300))
    definition_en: Mapped[str] = mapped_column(Text, default="")
    definition_ru: Mapped[str] = mapped_column(Text, default="")
    max_value: Mapped[float | None] = mapped_column(Float)  # None: the unit's maximum (ReturnTemplate.unit_max)

    section: Mapped[TemplateSection] = relationship(back_populates="indicators")

    def maximum(self) -> float | None:
        """The largest number a cell of this indicator may hold (None: no bound, e.g. text)."""
        if self.max_value is not None:
            return self.max_value
        return self.section.template.unit_max.get(self.unit)

    def label(self, locale: str) -> str:
        return self.label_ru if locale == "ru" else self.label_en

    def definition(self, locale: str) -> str:
        return self.definition_ru if locale == "ru" else self.definition_en


class TemplateRule(Model):
    __tablename__ = "template_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("return_template.id"), index=True)
    position: Mapped[int]
    rule_id: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(8))  # error | warning
    params: Mapped[dict] = mapped_column(JSON, default=dict)

    template: Mapped[ReturnTemplate] = relationship(back_populates="rules")
