"""Who may see and do what with returns (the one place the rules live)."""

from __future__ import annotations

from ...models import STAFF_ROLES, Return, Role, User

STAFF = STAFF_ROLES


def is_staff(user: User) -> bool:
    return user.role in STAFF


def can_download_template(user: User, country_id: int) -> bool:
    return is_staff(user) or (user.role == Role.FOCAL_POINT and user.country_id == country_id)


def can_see_history(user: User, ret: Return) -> bool:
    """All versions, drafts and review notes: staff, and the country's focal points."""
    return is_staff(user) or (user.role == Role.FOCAL_POINT and user.country_id == ret.country_id)


def can_see_return(user: User, ret: Return) -> bool:
    """Delegates (and focal points of other countries) see accepted data only."""
    return can_see_history(user, ret) or ret.accepted_version is not None


def can_submit(user: User, ret: Return) -> bool:
    return can_see_history(user, ret) and user.role != Role.DELEGATE


def can_review(user: User) -> bool:
    return is_staff(user)
