"""Case studies and action plans: create, edit (with history), submit, publish, send back.

Every change is one transaction with its history row, its search-index entry and its audit
record; a refused change raises before anything is written."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import CaseStudy, Country, LibraryRevision, Role, User
from ...models.library import LIBRARY_MODELS
from ...models.types import utcnow
from ...schemas.library import CaseStudySchema, load
from .. import audit, reference
from ..errors import Conflict, Forbidden, NotFound, ServiceError
from ..notices import notifications
from ..transitions import compare_and_set
from . import access, search


def get(model, item_id: int, user):
    item = db.session.get(model, item_id)
    if item is None or not access.can_view(user, item):
        raise NotFound(_l("There is no such item in the library, or you may not see it."))
    return item


def country_by_code(code: str | None) -> Country:
    country = db.session.scalar(select(Country).where(Country.iso2 == (code or "").upper()))
    if country is None:
        raise ServiceError(_l("Unknown country: %(c)s.", c=code or "—"), field="country")
    return country


def _diff(item, values: dict) -> dict:
    changes = {}
    for name, new in values.items():
        old = getattr(item, name)
        if old != new:
            changes[name] = [old, new] if not isinstance(new, str) or len(new) < 300 else ["…", "…"]
    return changes


def _revise(item, action: str, actor: User | None, changes: dict | None = None, comment: str = "") -> None:
    db.session.add(
        LibraryRevision(
            item_kind=item.kind,
            item_id=item.id,
            action=action,
            changes=changes or {},
            comment=comment,
            actor_id=actor.id if actor else None,
        )
    )
    audit.record(f"library.{action}", actor=actor, obj=item, kind=item.kind)


def save_case_study(item: CaseStudy | None, data: dict, actor: User | None) -> CaseStudy:
    country = country_by_code(data.get("country")) if item is None or data.get("country") else item.country
    if item is None and actor is not None and not access.can_create(actor, country.id):
        raise Forbidden(_l("You may add case studies for your own country only."))
    if item is not None and actor is not None and not access.can_edit(actor, item):
        raise Forbidden(_l("You may not edit this case study."))
    values = load(CaseStudySchema(), data)
    translation = data.get("translation_of_id")
    try:
        values["translation_of_id"] = int(translation) if translation not in (None, "") else None
    except (TypeError, ValueError):
        raise ServiceError(_l("The linked translation does not exist."), field="translation_of_id") from None
    if values["translation_of_id"] and (
        db.session.get(CaseStudy, values["translation_of_id"]) is None
        or (item is not None and values["translation_of_id"] == item.id)
    ):
        raise ServiceError(_l("The linked translation does not exist."), field="translation_of_id")
    values["country_id"] = country.id
    item = create_or_update(CaseStudy, item, values, actor)
    search.index_item(item)
    return item


def create_or_update(model, item, values: dict, actor: User | None):
    """A new item (history: created) or the changed fields of an existing one (history: old →
    new); an edit that changes nothing writes nothing."""
    if item is None:
        item = model(created_by_id=actor.id if actor else None, **values)
        db.session.add(item)
        db.session.flush()
        _revise(item, "created", actor)
    else:
        changes = _diff(item, values)
        for name, value in values.items():
            setattr(item, name, value)
        if changes:
            item.updated_at = utcnow()
            _revise(item, "edited", actor, changes)
    db.session.flush()
    return item


LOST = {
    "in_review": _l("This item was already submitted for review by someone else."),
    "published": _l("This item was already published by someone else."),
    "draft": _l("This item was already sent back to its author by someone else."),
}


def _transition(item, **values) -> None:
    """Compare-and-set: change the item only if its workflow state is still the one this caller
    read (done before any revision, notice or audit row is written); of two people acting at
    once one wins, the other gets 409 saying what happened."""
    model = type(item)
    if not compare_and_set(model, item.id, [model.state == item.state], **values):
        now = db.session.scalar(select(model.state).where(model.id == item.id))
        raise Conflict(LOST.get(now or "", LOST["published"]))


def submit(item, actor: User) -> None:
    if not access.is_editor(actor, item):
        raise Forbidden(_l("You may submit items of your own country only."))
    if item.state != "draft":
        raise ServiceError(_l("Only a draft can be submitted for review."))
    _transition(item, state="in_review")
    _revise(item, "submitted", actor)
    search.index_item(item)


def publish(item, actor: User) -> None:
    if not access.can_review(actor):
        raise Forbidden(_l("Only the secretariat publishes library items."))
    if item.state == "published":
        raise ServiceError(_l("This item is already published."))
    _transition(item, state="published", published_at=utcnow(), review_comment="")
    _revise(item, "published", actor)
    _notify(item, "library.published", {})
    search.index_item(item)


def send_back(item, actor: User, comment: str) -> None:
    if not access.can_review(actor):
        raise Forbidden(_l("Only the secretariat sends items back."))
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError(_l("Say what should change."), field="comment")
    if item.state != "in_review":
        raise ServiceError(_l("Only an item in review can be sent back."))
    _transition(item, state="draft", review_comment=comment[:2000])
    _revise(item, "returned", actor, comment=comment[:2000])
    _notify(item, "library.returned", {"reason": comment[:500]})
    search.index_item(item)


def _notify(item, kind: str, params: dict) -> None:
    """Tell the author and the country's focal points (the notices go through Notification)."""
    people = set(
        db.session.scalars(
            select(User.id).where(
                User.role == Role.FOCAL_POINT, User.active.is_(True), User.country_id == item.country_id
            )
        )
    )
    if item.created_by_id:
        people.add(item.created_by_id)
    endpoint = "case-studies" if item.kind == "case_study" else "plans"
    for user_id in people:
        notifications.notify(
            db.session.get_one(User, user_id),
            kind,
            {"title": item.title[:200], **params},
            link=f"/library/{endpoint}/{item.id}",
        )


def sources_text(sources: list[dict]) -> str:
    """The text form the schemas' Sources field reads: one source per line, "title | url"."""
    return "\n".join(f"{s['title']} | {s['url']}" if s.get("url") else s["title"] for s in sources)


def creatable_countries(user) -> list[Country]:
    """The countries this user may add library items for."""
    return [c for c in reference.countries() if access.can_create(user, c.id)]


def translation_candidates(user, item: CaseStudy | None) -> list[CaseStudy]:
    """Case studies the user may see that `item` could be a translation of."""
    return [
        c
        for c in db.session.scalars(select(CaseStudy).where(access.visible(CaseStudy, user)).order_by(CaseStudy.title))
        if item is None or c.id != item.id
    ]


def published() -> list:
    """Every published case study and plan (what a brief may link)."""
    return [
        item
        for model in LIBRARY_MODELS.values()
        for item in db.session.scalars(select(model).where(model.state == "published").order_by(model.title))
    ]


def history(item) -> list[LibraryRevision]:
    return list(
        db.session.scalars(
            select(LibraryRevision)
            .where(LibraryRevision.item_kind == item.kind, LibraryRevision.item_id == item.id)
            .order_by(LibraryRevision.id)
        )
    )


def translations(item: CaseStudy) -> list[CaseStudy]:
    """The other-language versions linked to this case study (either direction)."""
    ids = {item.translation_of_id} if item.translation_of_id else set()
    ids |= set(db.session.scalars(select(CaseStudy.id).where(CaseStudy.translation_of_id == item.id)))
    return [c for c in (db.session.get(CaseStudy, i) for i in ids) if c is not None]
