"""Who may see and change library items (the one place the rules live).

- anyone, signed in or not: published items marked `public`;
- signed-in users: every published item;
- the item's country's focal points: also its drafts and items in review; they edit drafts;
- the secretariat (and administrators): everything, and only they publish or send back.
"""

from __future__ import annotations

from sqlalchemy import or_

from ...models import STAFF_ROLES, Role


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_staff(user) -> bool:
    return _signed_in(user) and user.role in STAFF_ROLES


def own_country(user, country_id: int) -> bool:
    return _signed_in(user) and user.role == Role.FOCAL_POINT and user.country_id == country_id


def can_view(user, item) -> bool:
    if item.state == "published":
        return item.visibility == "public" or _signed_in(user)
    return is_staff(user) or own_country(user, item.country_id)


def can_edit(user, item) -> bool:
    return is_staff(user) or (own_country(user, item.country_id) and item.state == "draft")


def is_editor(user, item) -> bool:
    """May work on this item (submit it, report progress, see its history): the secretariat,
    and the focal points of its country."""
    return is_staff(user) or own_country(user, item.country_id)


def can_submit(user, item) -> bool:
    return item.state == "draft" and is_editor(user, item)


def may_add(user) -> bool:
    """May add items at all: the secretariat, and focal points (for their own country)."""
    return is_staff(user) or (_signed_in(user) and user.role == Role.FOCAL_POINT and user.country_id is not None)


def can_create(user, country_id: int | None) -> bool:
    return is_staff(user) or (country_id is not None and own_country(user, country_id))


def can_review(user) -> bool:
    return is_staff(user)


def visible(model, user):
    """A WHERE clause: the rows of `model` (CaseStudy, ActionPlan or SearchDoc) this user may see."""
    if is_staff(user):
        return model.id.is_not(None)
    if not _signed_in(user):
        return (model.state == "published") & (model.visibility == "public")
    if user.role == Role.FOCAL_POINT and user.country_id:
        return or_(model.state == "published", model.country_id == user.country_id)
    return model.state == "published"
