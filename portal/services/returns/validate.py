"""The upload pipeline: guard → read (calamine) → identify the template → parse cells
(marshmallow, per unit) → rule engine. Saves nothing; `workflow.store_version` does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import STAFF_ROLES, Country, ReportingPeriod, Return, ReturnTemplate, ReturnVersion, Role, User
from ..errors import ServiceError
from . import template_cache
from .guard import UploadRejected, check_upload
from .reader import open_workbook, read_meta, read_values
from .report import ValidationReport
from .rules import apply_rules
from .template_xlsx import signer


class WrongCountry(ServiceError):
    status = 403


class NotAcceptedNow(ServiceError):
    """The template is genuine but cannot be used now (closed period, old version)."""

    status = 409


@dataclass
class Identified:
    country: Country
    period: ReportingPeriod
    template: ReturnTemplate


def identify(meta: dict, user: User | None) -> Identified:
    if "signature" not in meta:
        raise UploadRejected(
            _l(
                "This workbook is not the council's PRR return template (it has no _meta sheet). "
                "Download the template for your country and period from the portal."
            )
        )
    try:
        signed = signer().loads(meta["signature"])
    except BadSignature:
        raise UploadRejected(
            _l(
                "The template's identification (_meta) has been altered or comes from another portal. "
                "Download a fresh template."
            )
        ) from None
    stated = {"v": str(meta.get("template_version")), "c": meta.get("country"), "p": meta.get("period")}
    if {k: str(v) for k, v in signed.items()} != stated:
        raise UploadRejected(_l("The template's identification (_meta) has been altered. Download a fresh template."))
    country = db.session.scalar(select(Country).where(Country.iso2 == signed["c"]))
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == signed["p"]))
    template = template_cache.by_version(int(signed["v"]))  # read once per process
    if country is None or period is None or template is None:
        raise UploadRejected(_l("The template names a country, period or version this portal does not know."))
    if user is not None and user.role == Role.FOCAL_POINT and user.country_id != country.id:
        raise WrongCountry(
            _l(
                "This template is for %(theirs)s; you can upload returns for %(yours)s only.",
                theirs=country.name_en,
                yours=user.country.name_en if user.country else "-",
            )
        )
    if user is not None and user.role not in (*STAFF_ROLES, Role.FOCAL_POINT):
        raise WrongCountry(_l("Your role cannot upload returns."))
    if template.id != period.template_id:
        raise NotAcceptedNow(
            _l(
                "This file was made with template version %(old)s, but period %(period)s uses version %(new)s. "
                "Download the current template and copy your figures into it.",
                old=template.version,
                period=period.label,
                new=period.template.version,
            )
        )
    staff = user is None or user.role in STAFF_ROLES
    if not period.is_open and not staff:
        raise NotAcceptedNow(
            _l(
                "The reporting period %(period)s is closed; uploads are no longer accepted. Contact the secretariat.",
                period=period.label,
            )
        )
    return Identified(country, period, template)


def previous_accepted_version(country_id: int, before: date) -> ReturnVersion | None:
    """The country's latest accepted version of the latest period starting before `before`
    that has one: what rule R11 and the review grid compare with."""
    stmt = (
        select(ReturnVersion)
        .join(Return, ReturnVersion.return_id == Return.id)
        .join(ReportingPeriod, Return.period_id == ReportingPeriod.id)
        .where(
            Return.country_id == country_id,
            ReportingPeriod.start_date < before,
            ReturnVersion.accepted_at.is_not(None),
        )
        .order_by(ReportingPeriod.start_date.desc(), ReturnVersion.number.desc())
        .limit(1)
        .options(selectinload(ReturnVersion.return_).selectinload(Return.period))
    )
    return db.session.scalar(stmt)


def previous_accepted_values(country: Country, period: ReportingPeriod) -> dict:
    """The last accepted figures of this country for an earlier period (rule R11)."""
    version = previous_accepted_version(country.id, period.start_date)
    if version is None:
        return {}
    result = {}
    for v in version.values:
        if v.status == "NIL":
            result[(v.indicator, v.breakdown)] = 0.0
        elif v.status in (None, "EST", "CONF") and v.number is not None:
            result[(v.indicator, v.breakdown)] = v.number
    return result


def completeness(template, report: ValidationReport) -> float:
    """Share of indicators whose headline figure (Total or Value) is reported; N/AV and
    blank count as not reported."""
    indicators = template.indicators
    done = 0
    for ind in indicators:
        column = "Total" if "Total" in template.columns(ind.breakdown) else "Value"
        cell = report.cells.get((ind.code, column))
        if cell is not None and cell.value.status != "N/AV":
            done += 1
    return round(100.0 * done / len(indicators), 1) if indicators else 0.0


def validate_upload(
    data: bytes, user: User | None, max_bytes: int | None = None
) -> tuple[ValidationReport, Identified]:
    """Validate an uploaded workbook. Raises for files that are not a usable template
    (UploadRejected 400/413, WrongCountry 403, NotAcceptedNow 409); otherwise returns the
    report with cell errors and warnings."""
    checked = check_upload(data, max_bytes)
    workbook = open_workbook(checked)
    try:
        ident = identify(read_meta(checked, workbook), user)
        report = ValidationReport(
            template_version=ident.template.version, country=ident.country.iso2, period=ident.period.label
        )
        read_values(checked, workbook, ident.template, report)
    finally:
        workbook.close()
    apply_rules(ident.template, report, previous_accepted_values(ident.country, ident.period))
    report.completeness = completeness(ident.template, report)
    return report, ident
