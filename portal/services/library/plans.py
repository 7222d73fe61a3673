"""National action plans: the plan, its measures, dated progress updates, progress and the
cross-country view of which PRR phases the plans cover."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import zip_longest
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import ActionPlan, Country, MeasureUpdate, PlanMeasure, Region, User
from ...models.library import MEASURE_STATUSES, PHASES
from ...models.types import utcnow
from ...schemas.library import ActionPlanSchema, MeasuresSchema, load
from .. import bilingual
from ..bilingual import Shown
from ..errors import Forbidden, ServiceError
from . import access, search
from .items import _revise, country_by_code, create_or_update
from .terms import query_terms, snippet


def measures_text(plan: ActionPlan, language: str = "en") -> str:
    """The text form parse_measures_text reads: one measure per line; in English with its
    phase, status and timeline, in Russian the measure and its agencies only."""
    if language == "ru":
        lines = [" | ".join([m.text_ru, m.agencies_ru]) if m.text_ru or m.agencies_ru else "" for m in plan.measures]
    else:
        lines = [" | ".join([m.phase, m.status, m.text, m.agencies, m.timeline]) for m in plan.measures]
    return "\n".join(lines).rstrip()


def parse_measures_text(text: str, text_ru: str = "") -> list[dict]:
    """One measure per line: "phase | status | measure | responsible agencies | timeline", and
    in the Russian text, on the line of the same number, "measure | responsible agencies"
    (checked by save_plan, which names the line of a wrong phase or status)."""
    english, russian = (text or "").rstrip().splitlines(), (text_ru or "").rstrip().splitlines()
    out = []
    for line, line_ru in zip_longest(english, russian, fillvalue=""):
        if not line.strip() and not line_ru.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + ["", "", "", ""]
        parts_ru = [p.strip() for p in line_ru.split("|", 1)] + [""]
        out.append(
            {
                "phase": parts[0],
                "status": parts[1],
                "text": parts[2],
                "agencies": parts[3],
                "timeline": parts[4],
                "text_ru": parts_ru[0],
                "agencies_ru": parts_ru[1],
            }
        )
    return out


MEASURE_FIELDS = ("text", "text_ru", "phase", "status", "agencies", "agencies_ru", "timeline")


def save_plan(plan: ActionPlan | None, data: dict, actor: User | None) -> ActionPlan:
    country = country_by_code(data.get("country")) if plan is None or data.get("country") else plan.country
    if plan is None and actor is not None and not access.can_create(actor, country.id):
        raise Forbidden(_l("You may add action plans for your own country only."))
    if plan is not None and actor is not None and not access.can_edit(actor, plan):
        raise Forbidden(_l("You may not edit this action plan."))
    values = {**load(ActionPlanSchema(), data), "country_id": country.id}
    measures = load(MeasuresSchema(), data)["measures"] if "measures" in data else None
    plan = create_or_update(ActionPlan, plan, values, actor)
    if measures is not None:
        old = [tuple(getattr(m, f) for f in MEASURE_FIELDS) for m in plan.measures]
        if old != [tuple(m[f] for f in MEASURE_FIELDS) for m in measures]:
            # The same text in either language: the same measure, its progress updates kept.
            by_text = {m.text: m for m in plan.measures if m.text}
            by_text_ru = {m.text_ru: m for m in plan.measures if m.text_ru}
            plan.measures = [
                _measure(by_text.get(m["text"]) or by_text_ru.get(m["text_ru"]), i, m)
                for i, m in enumerate(measures, start=1)
            ]
            _revise(plan, "measures", actor, {"measures": [len(old), len(measures)]})
    db.session.flush()
    search.index_item(plan)
    return plan


def _measure(existing: PlanMeasure | None, position: int, values: dict) -> PlanMeasure:
    measure = existing or PlanMeasure()
    measure.position = position
    for name, value in values.items():
        setattr(measure, name, value)
    return measure


def add_update(
    measure: PlanMeasure, *, on_date: date, status: str, text: str, text_ru: str = "", actor: User | None
) -> MeasureUpdate:
    plan = measure.plan
    if actor is not None and not access.is_editor(actor, plan):
        raise Forbidden(_l("You may report progress on your own country's plans only."))
    if status not in MEASURE_STATUSES:
        raise ServiceError(_l("Unknown value for %(f)s: %(v)s.", f="status", v=status), field="status")
    if on_date > date.today():
        raise ServiceError(_l("A progress update cannot be dated in the future."), field="on_date")
    for name, value in (("text", text), ("text_ru", text_ru)):
        if len((value or "").strip()) > 5000:
            raise ServiceError(_l("%(f)s is too long (at most %(n)d characters).", f=name, n=5000), field=name)
    update = MeasureUpdate(
        measure=measure,
        on_date=on_date,
        status=status,
        text=(text or "").strip(),
        text_ru=(text_ru or "").strip(),
        author_id=actor.id if actor else None,
    )
    db.session.add(update)
    measure.status = status
    plan.updated_at = utcnow()
    _revise(plan, "progress", actor, {"measure": measure.position, "status": status})
    db.session.flush()
    return update


def progress(plan: ActionPlan) -> dict:
    """Measures by status, as counts and shares (per cent), in the fixed order of statuses."""
    counts = Counter(m.status for m in plan.measures)
    total = sum(counts.values())
    return {
        "total": total,
        "by_status": [
            {
                "status": s,
                "count": counts.get(s, 0),
                "share": round(100 * counts.get(s, 0) / total, 1) if total else 0.0,
            }
            for s in MEASURE_STATUSES
        ],
    }


def titles(plan_ids: list[int], query: str, locale: str) -> dict[int, Shown]:
    """The titles of these plans in the reader's language (or the other one, marked), the
    query's words highlighted as in a search hit's title: for the library's result list."""
    if not plan_ids:
        return {}
    wanted = query_terms(query)
    rows = db.session.execute(
        select(ActionPlan.id, ActionPlan.title, ActionPlan.title_ru).where(ActionPlan.id.in_(plan_ids))
    )
    return {
        row.id: bilingual.pick(row.title, row.title_ru, locale).map(lambda t: snippet(t, wanted, 300)) for row in rows
    }


def plans(user, country: str | None = None) -> list[ActionPlan]:
    stmt = select(ActionPlan).join(Country).join(Region).where(access.visible(ActionPlan, user))
    if country:
        stmt = stmt.where(Country.iso2 == country.upper())
    return list(db.session.scalars(stmt.order_by(*Country.region_order(), ActionPlan.start_year.desc())))


def coverage(user) -> dict:
    """For each country with a plan the user may see: the PRR phases its plans' measures cover."""
    rows: dict[str, dict[str, Any]] = {}
    for plan in plans(user):
        entry = rows.setdefault(plan.country.iso2, {"country": plan.country, "plans": [], "phases": Counter()})
        entry["plans"].append(plan)
        entry["phases"].update(m.phase for m in plan.measures)
    return {"phases": list(PHASES), "rows": list(rows.values())}
