"""Managing user accounts. Plain functions over the session; callers commit."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...config import LOCALES
from ...extensions import db
from ...models import ROLE_VALUES, Country, Role, User
from .. import audit
from ..errors import Conflict, NotFound, ServiceError
from .passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hash_password, verify_password

MAX_NAME_LENGTH = 120
MAX_EMAIL_LENGTH = 254


def normalise_email(raw: str) -> str:
    """Check an e-mail address's syntax and return it in lower case (case-insensitive)."""
    raw = (raw or "").strip()
    if not raw:
        raise ServiceError(_l("Enter an e-mail address."), field="email")
    if len(raw) > MAX_EMAIL_LENGTH:
        raise ServiceError(
            _l("The e-mail address is too long (at most %(n)d characters).", n=MAX_EMAIL_LENGTH),
            field="email",
        )
    try:
        normalised = validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ServiceError(_l("%(email)s is not a valid e-mail address.", email=raw), field="email") from None
    return normalised.lower()


def check_password_policy(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            _l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field=field,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ServiceError(
            _l("The password must have at most %(n)d characters.", n=MAX_PASSWORD_LENGTH),
            field=field,
        )


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("Enter a name."), field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ServiceError(_l("The name is too long (at most %(n)d characters).", n=MAX_NAME_LENGTH), field="name")
    return name


def _resolve_role_and_country(role: str, country_code: str | None) -> tuple[str, Country | None]:
    if role not in ROLE_VALUES:
        raise ServiceError(_l("Unknown role: %(role)s.", role=role), field="role")
    country = None
    if country_code:
        country = db.session.scalar(select(Country).where(Country.iso2 == country_code.upper()))
        if country is None:
            raise ServiceError(_l("Unknown country code: %(code)s.", code=country_code), field="country")
    if role == Role.FOCAL_POINT and country is None:
        raise ServiceError(_l("A focal point must have a country."), field="country")
    return role, country


def _check_language(language: str) -> str:
    if language not in LOCALES:
        raise ServiceError(_l("Unknown language: %(lang)s.", lang=language), field="language")
    return language


def get_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def get_by_email_or_404(email: str) -> User:
    user = get_by_email(email)
    if user is None:
        raise NotFound(_l("No user with the e-mail address %(email)s.", email=email), field="email")
    return user


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    country_code: str | None = None,
    language: str = "en",
    actor: User | None = None,
    ip_address: str | None = None,
    via: str = "web",
) -> User:
    email = normalise_email(email)
    name = _check_name(name)
    role, country = _resolve_role_and_country(role, country_code)
    language = _check_language(language)
    check_password_policy(password)
    if get_by_email(email) is not None:
        raise Conflict(_l("A user with the e-mail address %(email)s already exists.", email=email), field="email")
    user = User(
        email=email,
        name=name,
        role=role,
        country=country,
        language=language,
        password_hash=hash_password(password),
        active=True,
    )
    db.session.add(user)
    audit.record(
        "user.create",
        actor=actor,
        obj=user,
        ip_address=ip_address,
        via=via,
        email=email,
        role=role,
        country=country.iso2 if country else None,
    )
    return user


def update_user(
    user: User,
    *,
    name: str,
    role: str,
    country_code: str | None,
    language: str,
    active: bool,
    actor: User | None = None,
    ip_address: str | None = None,
) -> dict:
    """Change a user's profile; returns the changes as {field: [old, new]}."""
    name = _check_name(name)
    role, country = _resolve_role_and_country(role, country_code)
    language = _check_language(language)
    if actor is not None and actor.id == user.id and (not active or role != user.role):
        raise ServiceError(_l("You cannot deactivate your own account or change your own role."), field="role")
    new = {
        "name": name,
        "role": role,
        "country": country.iso2 if country else None,
        "language": language,
        "active": active,
    }
    old = {
        "name": user.name,
        "role": user.role,
        "country": user.country.iso2 if user.country else None,
        "language": user.language,
        "active": user.active,
    }
    changes = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
    if changes:
        user.name, user.role, user.country = name, role, country
        user.language, user.active = language, active
        if "active" in changes:
            end_sessions(user)
        audit.record("user.update", actor=actor, obj=user, ip_address=ip_address, changes=changes)
    return changes


def end_sessions(user: User) -> None:
    """End every session, remember-me cookie and API token of `user`: each carries the
    generation it was issued under, and the loaders refuse any but the current one."""
    user.session_generation = User.session_generation + 1  # one atomic UPDATE at flush
    db.session.flush()


def set_password(
    user: User,
    password: str,
    *,
    actor: User | None = None,
    ip_address: str | None = None,
    via: str = "web",
) -> None:
    """Set a new password (an administrator's reset, or the CLI)."""
    check_password_policy(password)
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record("user.password_reset", actor=actor, obj=user, ip_address=ip_address, via=via)


def change_own_password(user: User, current: str, new: str, *, ip_address: str | None = None) -> None:
    ok, _ = verify_password(user.password_hash, current or "")
    if not ok:
        raise ServiceError(_l("The current password is not correct."), field="current_password")
    check_password_policy(new, field="new_password")
    user.password_hash = hash_password(new)
    end_sessions(user)
    audit.record("user.password_change", actor=user, obj=user, ip_address=ip_address)


def set_language(user: User, language: str) -> None:
    user.language = _check_language(language)


def set_preferences(user: User, *, language: str, email_notices: bool) -> None:
    """The account page's preferences: the language, and e-mail for routine notices."""
    set_language(user, language)
    user.email_notices = bool(email_notices)


def deactivate(user: User, *, actor: User | None = None, ip_address: str | None = None, via: str = "web") -> bool:
    """Deactivate an account; returns False when it already was inactive."""
    if actor is not None and actor.id == user.id:
        raise ServiceError(_l("You cannot deactivate your own account."))
    if not user.active:
        return False
    user.active = False
    end_sessions(user)
    audit.record("user.deactivate", actor=actor, obj=user, ip_address=ip_address, via=via)
    return True


def list_users(role: str | None = None) -> list[User]:
    stmt = select(User).order_by(User.role, User.email)
    if role:
        stmt = stmt.where(User.role == role)
    return list(db.session.scalars(stmt))


def count_by_role() -> dict[str, int]:
    rows = db.session.execute(select(User.role, func.count(User.id)).where(User.active.is_(True)).group_by(User.role))
    counts = {role: 0 for role in ROLE_VALUES}
    counts.update({role: n for role, n in rows})
    return counts
