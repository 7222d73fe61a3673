"""What a comparison is of: indicators × periods × countries, read from a URL or API call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Country, Region, ReportingPeriod, ReturnTemplate, TemplateIndicator
from ..errors import ServiceError
from ..returns import template_cache


@dataclass(frozen=True)
class Period:
    label: str
    start_date: date
    template: ReturnTemplate  # the cached version (read-only)


@dataclass
class Selection:
    indicators: list[str]
    periods: list[str]  # labels, oldest first
    countries: list[str]  # ISO alpha-2, in display order
    breakdown: bool = True  # every breakdown column, or the Total/Value only
    provisional: bool = False  # include submitted, not yet accepted versions (secretariat)
    templates: list = field(default_factory=list, repr=False)
    # Every period up to the last one chosen, oldest first, with its template (for change and
    # running sums), and each chosen country's region: read once here, used by compare().
    history: list[tuple] = field(default_factory=list, repr=False)
    regions: dict[str, str] = field(default_factory=dict, repr=False)


def _split(values) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in str(v).split(",") if p.strip())
    return out


def make_selection(
    *,
    indicators=(),
    sections=(),
    periods=(),
    countries=(),
    regions=(),
    breakdown: str | None = None,
    provisional: bool = False,
) -> Selection:
    """Check a requested selection; unknown codes and empty selections raise ServiceError (400)."""
    # The periods as plain rows (the key of their template version, which comes from this
    # process's cache: services/returns/template_cache.py), so a new period counts at once.
    all_periods = [
        Period(label, start, template_cache.template(template_id, loaded_at))
        for label, start, template_id, loaded_at in db.session.execute(
            select(ReportingPeriod.label, ReportingPeriod.start_date, ReturnTemplate.id, ReturnTemplate.loaded_at)
            .join(ReturnTemplate, ReportingPeriod.template_id == ReturnTemplate.id)
            .order_by(ReportingPeriod.start_date)
        )
    ]
    by_label = {p.label: p for p in all_periods}
    labels = _split(periods) or ([all_periods[-1].label] if all_periods else [])
    unknown = [p for p in labels if p not in by_label]
    if unknown:
        raise ServiceError(_l("Unknown reporting period: %(p)s.", p=", ".join(unknown)), field="period")
    if not labels:
        raise ServiceError(_l("There are no reporting periods yet."), field="period")
    chosen_periods = sorted({by_label[p] for p in labels}, key=lambda p: p.start_date)
    templates = list({p.template.id: p.template for p in chosen_periods}.values())
    known: dict[str, TemplateIndicator] = {}
    for template in templates:
        for ind in template.indicators:
            known.setdefault(ind.code, ind)
    codes = _split(indicators)
    for section in _split(sections):
        matches = [i.code for t in templates for s in t.sections if s.code == section.upper() for i in s.indicators]
        if not matches:
            raise ServiceError(_l("Unknown section: %(s)s.", s=section), field="section")
        codes.extend(matches)
    codes = list(dict.fromkeys(c.upper() for c in codes))
    if not codes:
        raise ServiceError(_l("Choose at least one indicator or section."), field="indicator")
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ServiceError(_l("Unknown indicator: %(c)s.", c=", ".join(unknown)), field="indicator")
    ordered = db.session.execute(
        select(Country.iso2, Region.code).join(Country.region).order_by(*Country.region_order())
    ).all()
    by_code = dict(ordered)
    wanted = {c.upper() for c in _split(countries)}
    region_codes = _split(regions)
    known_regions = set(by_code.values())
    unknown = sorted([c for c in wanted if c not in by_code] + [r for r in region_codes if r not in known_regions])
    if unknown:
        raise ServiceError(_l("Unknown country or region: %(c)s.", c=", ".join(unknown)), field="country")
    wanted |= {iso for iso, region in ordered if region in region_codes}
    chosen = [iso for iso, _region in ordered if not wanted or iso in wanted]
    if breakdown not in (None, "", "all", "total", "sex_age", "sex", "origin", "single"):
        raise ServiceError(_l("Unknown breakdown: %(b)s.", b=breakdown), field="breakdown")
    history = all_periods[: all_periods.index(chosen_periods[-1]) + 1]
    return Selection(
        indicators=codes,
        periods=[p.label for p in chosen_periods],
        countries=chosen,
        breakdown=breakdown != "total",
        provisional=provisional,
        templates=templates,
        history=[(p.label, p.template) for p in history],
        regions={c: by_code[c] for c in chosen},
    )


def selection_from_args(args, provisional_allowed: bool) -> Selection:
    return make_selection(
        indicators=args.getlist("indicator"),
        sections=args.getlist("section"),
        periods=args.getlist("period"),
        countries=args.getlist("country") + args.getlist("countries"),
        regions=args.getlist("region"),
        breakdown=args.get("breakdown"),
        provisional=provisional_allowed and args.get("provisional") in ("1", "true", "yes"),
    )
