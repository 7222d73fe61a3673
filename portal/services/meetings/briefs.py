"""Meeting briefs: compose, compile into frozen editions, compare editions, export.

An edition's snapshot holds everything the brief shows — values, flags, notes, the ids of
the return versions used, completeness, charts (SVG), narrative (sanitised HTML) and the
names in both languages — so it reads the same a year later whatever changes meanwhile.
"""

from __future__ import annotations

from typing import cast

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from ...extensions import db
from ...models import ActionPlan, Brief, BriefEdition, CaseStudy, Country, Meeting, Region, ReportingPeriod, User
from ...models.library import LIBRARY_MODELS
from ...models.types import utcnow
from .. import audit, disclosure, rich_text
from ..compare import compare
from ..compare.present import derived_rows, tables
from ..compare.selection import make_selection
from ..errors import Conflict, NotFound, ServiceError

CHARTS = ("bar", "line")


def readable_brief(brief_id: int, staff: bool) -> Brief:
    """A brief the reader may open: drafts (no edition yet) are the secretariat's."""
    brief = db.session.get(Brief, brief_id)
    if brief is None or (not brief.editions and not staff):
        raise NotFound(_l("There is no such brief."))
    return brief


def _library_item(ref: str):
    kind, _sep, raw_id = str(ref).partition(":")
    model = LIBRARY_MODELS.get(kind)
    # get() of one of the two models gives that model (mypy would say their common base).
    item = cast(
        "CaseStudy | ActionPlan | None",
        db.session.get(model, int(raw_id)) if model is not None and raw_id.isdigit() else None,
    )
    return item if item is not None and item.state == "published" else None


def library_items(refs: list) -> list[dict]:
    """Linked case studies and action plans as the snapshot keeps them (title and summary frozen
    with the edition; the link leads to the item as it is now)."""
    out = []
    for ref in refs or []:
        item = _library_item(ref)
        if item is None:
            continue
        endpoint = "/library/case-studies/" if item.kind == "case_study" else "/library/plans/"
        out.append(
            {
                "kind": item.kind,
                "id": item.id,
                "title": item.title,
                "country": item.country.iso2,
                "years": item.years,
                "language": item.language,
                "summary": item.summary[:600],
                "url": f"{endpoint}{item.id}",
            }
        )
    return out


TITLE_LIMIT, HEADING_LIMIT, BODY_LIMIT = 300, 200, 20000
SECTION_LIMITS = {"heading": HEADING_LIMIT, "body": BODY_LIMIT, "heading_ru": HEADING_LIMIT, "body_ru": BODY_LIMIT}


def _too_long(name: str, limit: int) -> ServiceError:
    return ServiceError(_l("%(f)s is too long (at most %(n)d characters).", f=name, n=limit), field=name)


def clean_sections(sections: list[dict]) -> list[dict]:
    """The narrative sections, each part in English and Russian, trimmed; a section with no
    text in either language is left out. An over-long part is refused by its name."""
    out = []
    for number, section in enumerate(sections, start=1):
        clean = {part: (section.get(part) or "").strip() for part in SECTION_LIMITS}
        for part, limit in SECTION_LIMITS.items():
            if len(clean[part]) > limit:
                raise _too_long(f"sections[{number}].{part}", limit)
        if any(clean.values()):
            out.append(clean)
    return out


def save_brief(
    brief: Brief | None,
    meeting: Meeting,
    *,
    title: str,
    period: str,
    indicators: list[str],
    countries: list[str],
    charts: list[str],
    sections: list[dict],
    actor: User | None,
    library_refs: list[str] | None = None,
    title_ru: str | None = None,
) -> Brief:
    """Compose or change a brief; its title and each section's heading and body (Markdown) in
    English and Russian (`sections`: dicts of "heading", "body", "heading_ru", "body_ru")."""
    title, title_ru = (title or "").strip(), (title_ru or "").strip()
    if not (title or title_ru):
        raise ServiceError(_l("Enter a title."), field="title")
    for name, text in (("title", title), ("title_ru", title_ru)):
        if len(text) > TITLE_LIMIT:
            raise _too_long(name, TITLE_LIMIT)
    selection = make_selection(indicators=indicators, periods=[period], countries=countries)  # checks codes
    if any(c not in CHARTS for c in charts):
        raise ServiceError(_l("Unknown chart type."), field="charts")
    narrative = clean_sections(sections)
    refs = list(dict.fromkeys(library_refs or []))
    unknown = [r for r in refs if _library_item(r) is None]
    if unknown:
        raise ServiceError(
            _l("Only published case studies and action plans can be linked: %(r)s.", r=", ".join(unknown)),
            field="library",
        )
    # make_selection refused unknown labels, so the period exists.
    chosen = db.session.scalars(select(ReportingPeriod).where(ReportingPeriod.label == selection.periods[0])).one()
    creating = brief is None
    if brief is None:
        brief = Brief(meeting_id=meeting.id, created_by_id=actor.id if actor else None)
        db.session.add(brief)
    brief.title, brief.title_ru, brief.indicators, brief.period = title, title_ru, selection.indicators, chosen
    brief.countries = [c.upper() for c in countries]
    brief.charts, brief.sections, brief.updated_at = list(charts), narrative, utcnow()
    if library_refs is not None:
        brief.library_refs = refs
    db.session.add(brief)
    audit.record("brief.create" if creating else "brief.update", actor=actor, obj=brief, title=title or title_ru)
    return brief


def _cells(cells: dict) -> dict:
    return {
        f"{p}|{c}": {"d": cell.display, "v": cell.value, "f": cell.flags, "n": cell.note, "ver": cell.version_id}
        for (p, c), cell in cells.items()
    }


DISCLOSED = "council"  # the mark of editions frozen through the disclosure layer


def readable(edition: BriefEdition, staff: bool) -> bool:
    """Editions compiled before disclosure control (no mark) may hold figures computed from a
    CONF one: only the secretariat may open them until the brief is compiled again."""
    return staff or (edition.snapshot or {}).get("disclosure") == DISCLOSED


def check_readable(editions, staff: bool) -> None:
    for edition in editions:
        if edition is not None and not readable(edition, staff):
            raise NotFound(
                _l(
                    "Edition %(n)d was compiled before confidential figures were protected; "
                    "the secretariat has to compile the brief again.",
                    n=edition.number,
                )
            )


def build_snapshot(brief: Brief) -> dict:
    selection = make_selection(indicators=brief.indicators, periods=[brief.period.label], countries=brief.countries)
    # An edition is read by delegates: it freezes what the council may see (services/disclosure.py),
    # so its page, PDF and workbook never hold a CONF number or one that could be worked out.
    comparison = compare(selection, disclosure.council())
    with force_locale("en"):
        en = tables(comparison, "en", charts=True)
        derived_en = derived_rows(comparison, "en")
    with force_locale("ru"):
        ru = tables(comparison, "ru", charts=True)
        derived_ru = derived_rows(comparison, "ru")
    indicators = []
    for t_en, t_ru in zip(en, ru):
        charts = {  # each chart in both languages: the reader's is shown (page, print view, PDF)
            kind: {"en": getattr(t_en, f"{kind}_svg"), "ru": getattr(t_ru, f"{kind}_svg")}
            for kind in ("bar", "line")
            if kind in brief.charts and getattr(t_en, f"{kind}_svg")
        }
        indicators.append(
            {
                "code": t_en.code,
                "label": {"en": t_en.label, "ru": t_ru.label},
                "unit": t_en.unit,
                "periods": t_en.periods,
                "columns": t_en.columns,
                "rows": [{"country": iso, "cells": _cells(cells)} for iso, _n, cells in t_en.rows],
                "totals": [{"group": g, "cells": _cells(cells)} for g, _n, cells in t_en.totals],
                "caption": {"en": t_en.caption, "ru": t_ru.caption},
                "charts": charts,
                "chart_caption": {"en": t_en.chart_caption, "ru": t_ru.chart_caption},
            }
        )
    countries = {c.iso2: {"en": c.name_en, "ru": c.name_ru} for c in db.session.scalars(select(Country))}
    regions = {r.code: {"en": r.name_en, "ru": r.name_ru} for r in db.session.scalars(select(Region))}
    with force_locale("ru"):
        regions["council"] = {"en": "Council total", "ru": str(_l("Council total"))}
    period = selection.periods[0]
    missing = comparison.missing.get(period, [])
    used = sorted({int(v) for v in comparison.rows["version_id"].dropna()})
    meeting = brief.meeting
    return {
        "disclosure": DISCLOSED,
        # Both languages (like the charts): the reader's is shown, or the other one marked.
        "title": {"en": brief.title, "ru": brief.title_ru},
        "period": period,
        "compiled_at": utcnow().strftime("%Y-%m-%d %H:%M:%S"),
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "title_ru": meeting.title_ru,
            "start_date": meeting.start_date.isoformat(),
            "place": meeting.place,
            "place_ru": meeting.place_ru,
        },
        "indicators": indicators,
        "names": {"countries": countries, "regions": regions},
        "completeness": {
            "countries": selection.countries,
            "missing": missing,
            "with_return": [c for c in selection.countries if c not in missing],
        },
        "versions_used": used,
        "sections": [_section(s) for s in brief.sections],
        "derived": [
            {
                "label": {"en": e["measure"], "ru": r["measure"]},
                "country": e["country"],
                "country_ru": r["country"],
                "period": e["period"],
                "share": e["share"],
            }
            for e, r in zip(derived_en, derived_ru)
        ],
        "library": library_items(brief.library_refs),
    }


def _section(section: dict) -> dict:
    """A narrative section frozen in both languages: headings as text, bodies as sanitised HTML."""
    return {
        "heading": {"en": section.get("heading") or "", "ru": section.get("heading_ru") or ""},
        "html": {
            "en": str(rich_text.render(section.get("body") or "")) if section.get("body") else "",
            "ru": str(rich_text.render(section.get("body_ru") or "")) if section.get("body_ru") else "",
        },
    }


def compile_brief(brief: Brief, actor: User | None) -> BriefEdition:
    """Freeze a new edition, numbered after the editions this caller saw. Of two compiles at
    once one wins and the other gets 409, writing nothing: on PostgreSQL the brief's row is
    locked first (NOWAIT), so the loser does not even build the snapshot; on both databases
    the edition number is unique, so a loser that got past the lock fails on insert."""
    seen = latest.number if (latest := brief.latest) is not None else 0
    try:
        with db.session.begin_nested():
            db.session.execute(select(Brief.id).where(Brief.id == brief.id).with_for_update(nowait=True))
    except OperationalError:
        raise Conflict(COMPILING) from None
    snapshot = build_snapshot(brief)
    try:
        with db.session.begin_nested():
            edition = BriefEdition(
                brief=brief, number=seen + 1, snapshot=snapshot, compiled_by_id=actor.id if actor else None
            )
            db.session.add(edition)
            db.session.flush()
    except IntegrityError:
        raise Conflict(COMPILING) from None
    audit.record(
        "brief.compile",
        actor=actor,
        obj=edition,
        brief=brief.id,
        edition=edition.number,
        versions=snapshot["versions_used"],
    )
    return edition


COMPILING = _l("Someone else compiled this brief at the same moment; reload the page to see the new edition.")


def diff_editions(old: BriefEdition, new: BriefEdition) -> list[dict]:
    """What changed from one edition to the next: values, and countries with or without a return."""

    def flat(snapshot):
        out = {}
        for ind in snapshot["indicators"]:
            for row in ind["rows"]:
                for key, cell in row["cells"].items():
                    out[(ind["code"], row["country"], key)] = cell["d"]
            for row in ind["totals"]:
                for key, cell in row["cells"].items():
                    out[(ind["code"], row["group"], key)] = cell["d"]
        return out

    a, b = flat(old.snapshot), flat(new.snapshot)
    changes = [
        {"indicator": k[0], "where": k[1], "cell": k[2].replace("|", " "), "old": a.get(k, ""), "new": b.get(k, "")}
        for k in sorted(set(a) | set(b))
        if a.get(k) != b.get(k)
    ]
    gained = sorted(set(old.snapshot["completeness"]["missing"]) - set(new.snapshot["completeness"]["missing"]))
    if gained:
        changes.insert(0, {"indicator": "", "where": ", ".join(gained), "cell": "", "old": "—", "new": "✓"})
    return changes
