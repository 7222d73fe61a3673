"""Seed the library from seed/library/*.yaml (public facts in our own words, sources listed).
Idempotent: an item with the same country and title is left as it is."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from ...extensions import db
from ...models import ActionPlan, CaseStudy, Country
from ...models.types import utcnow
from .items import save_case_study
from .plans import save_plan
from .search import index_item


def _exists(model, country: str, title: str) -> bool:
    return (
        db.session.scalar(select(model.id).join(Country).where(Country.iso2 == country, model.title == title))
        is not None
    )


def _publish(item, entry: dict) -> None:
    item.state = entry.get("state", "published")
    if item.state == "published":
        item.published_at = utcnow()
    index_item(item)


PLAN_RUSSIAN = ("title_ru", "authority_ru", "instrument_ru", "summary_ru", "objectives_ru")


def _add_russian(entry: dict) -> None:
    """A plan seeded before its Russian text existed: the seed's Russian fills what is empty
    (text someone wrote since is kept), its measures matched by their English text."""
    plan = db.session.scalar(
        select(ActionPlan).join(Country).where(Country.iso2 == entry["country"], ActionPlan.title == entry["title"])
    )
    if plan is None:
        return
    changed = False
    for name in PLAN_RUSSIAN:
        if entry.get(name) and not getattr(plan, name):
            setattr(plan, name, entry[name])
            changed = True
    seeded = {m["text"]: m for m in entry.get("measures", [])}
    for measure in plan.measures:
        for name in ("text_ru", "agencies_ru"):
            value = seeded.get(measure.text, {}).get(name)
            if value and not getattr(measure, name):
                setattr(measure, name, value)
                changed = True
    if changed:
        db.session.flush()
        index_item(plan)


def load_library(folder: Path) -> int:
    created, keys = 0, {}
    studies = yaml.safe_load((folder / "case_studies.yaml").read_text(encoding="utf-8"))["case_studies"]
    for entry in studies:
        if _exists(CaseStudy, entry["country"], entry["title"]):
            keys[entry["key"]] = db.session.scalar(select(CaseStudy.id).where(CaseStudy.title == entry["title"]))
            continue
        data = {k: v for k, v in entry.items() if k not in ("key", "translation_of", "state")}
        if entry.get("translation_of"):
            data["translation_of_id"] = keys.get(entry["translation_of"])
        item = save_case_study(None, data, actor=None)
        keys[entry["key"]] = item.id
        _publish(item, entry)
        created += 1
    plans = yaml.safe_load((folder / "plans.yaml").read_text(encoding="utf-8"))["plans"]
    for entry in plans:
        if _exists(ActionPlan, entry["country"], entry["title"]):
            _add_russian(entry)
            continue
        plan = save_plan(None, {k: v for k, v in entry.items() if k not in ("key", "state")}, actor=None)
        _publish(plan, entry)
        created += 1
    db.session.flush()
    return created
