"""Password reset by e-mail, for people who cannot sign in any more.

- `request_reset(email, ...)`: the same outcome whether or not the address has an account
  (the caller shows one answer); throttled per address typed and per client address in the
  `login_throttle` table; for an active account, a message with a link goes through the
  outbox in the recipient's language.
- The link carries a signed token (itsdangerous, salted) naming the user, their session
  generation and a fingerprint of their password hash, issued at a time: it is valid for one
  hour and only once, because setting the password changes both.
- `reset_password(token, new)`: the portal's password rules; ends every session,
  remember-me cookie and API token of the user; audited.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select, update

from ...extensions import db
from ...models import OutboxMessage, User
from ...models.types import utcnow
from .. import audit
from ..errors import ServiceError
from ..notices import outbox
from ..transitions import rowcount
from . import throttle
from .passwords import hash_password
from .users import check_password_policy, get_by_email

LINK_VALID = timedelta(hours=1)
WINDOW = timedelta(hours=1)
MAX_PER_EMAIL = 3  # requests per address typed, per hour
MAX_PER_CLIENT = 20  # requests per client address, per hour
SALT = "portal.password-reset"


class ResetThrottled(ServiceError):
    status = 429


class LinkInvalid(ServiceError):
    status = 400


INVALID = _l(
    "This password-reset link is not valid any more: it was already used, has expired "
    "(links last one hour) or is incomplete. Ask for a new one."
)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_token(user: User, now: datetime) -> str:
    return _serializer().dumps(
        {"u": user.id, "g": user.session_generation, "f": _fingerprint(user), "t": int(now.timestamp())}
    )


def user_for_token(token: str, now: datetime | None = None) -> User | None:
    """The user a reset link is for, or None if it is forged, used, expired or stale."""
    now = now or utcnow()
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer().loads(token)
    except BadData:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in ("u", "g", "t")):
        return None
    age = now.timestamp() - data["t"]
    if not 0 <= age <= LINK_VALID.total_seconds():
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or user.session_generation != data["g"] or _fingerprint(user) != data.get("f"):
        return None
    return user


def _keys(email: str, ip_address: str | None) -> throttle.Keys:
    keys = [(f"reset-email:{email}"[:300], MAX_PER_EMAIL)]
    if ip_address:
        keys.append((f"reset-ip:{ip_address}"[:300], MAX_PER_CLIENT))
    return keys


def request_reset(email: str, ip_address: str | None = None, now: datetime | None = None) -> None:
    """Send a reset link if `email` belongs to an active account; otherwise do nothing
    visible. Raises ResetThrottled (429) after too many requests. The caller commits."""
    now = now or utcnow()
    attempted = (email or "").strip().lower()[:254]
    until = throttle.take(_keys(attempted, ip_address), now, WINDOW)
    if until is not None:
        audit.record("auth.password_reset_throttled", ip_address=ip_address, email=attempted)
        raise ResetThrottled(
            _l(
                "Too many password-reset requests. Try again in %(n)d minutes.",
                n=max(1, math.ceil((until - now).total_seconds() / 60)),
            )
        )
    found = get_by_email(attempted)
    user = found if found is not None and found.active else None
    # An unknown or inactive address does the same work short of queueing the message, so
    # the answer takes about as long (measured: see the closing note of issue 11).
    token = (
        make_token(user, now)
        if user is not None
        else _serializer().dumps({"u": 0, "g": 0, "f": "0" * 16, "t": int(now.timestamp())})
    )
    subject, text, html = _message(user.language if user is not None else "en", token)
    key = f"password-reset:{user.id if user is not None else 0}:{hashlib.sha256(token.encode()).hexdigest()[:16]}"
    if user is None:
        db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
        audit.record("auth.password_reset_requested", ip_address=ip_address, email=attempted, sent=False)
        return
    outbox.enqueue(key, user, subject, text, html)
    audit.record("auth.password_reset_requested", obj=user, ip_address=ip_address, email=attempted, sent=True)


def _message(language: str, token: str) -> tuple[str, str, str]:
    url = f"{current_app.config.get('PORTAL_URL', '')}/auth/reset/{token}"
    with force_locale(language or "en"):
        subject = str(_l("PRR Council Portal: reset your password"))
        lines = [
            str(
                _l(
                    "Someone, we hope you, asked to reset the password of your account on the "
                    "PRR Council Portal. To choose a new password, open this link within one hour:"
                )
            ),
            str(_l("If you did not ask for this, ignore this message: your password stays as it is.")),
        ]
    text = f"{lines[0]}\n\n{url}\n\n{lines[1]}\n"
    html = outbox.render_html("password_reset.html", lines=lines, url=url)
    return subject, text, html


def reset_password(token: str, new_password: str, ip_address: str | None = None, now: datetime | None = None) -> User:
    """Set the password a reset link is for; the link dies with it. The caller commits."""
    user = user_for_token(token, now)
    if user is None:
        raise LinkInvalid(INVALID)
    check_password_policy(new_password, field="new_password")
    # Compare-and-set on the generation: two uses of one link at the same moment, one wins.
    changed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.session_generation == user.session_generation)
        .values(password_hash=hash_password(new_password), session_generation=User.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    if rowcount(changed) != 1:
        raise LinkInvalid(INVALID)
    db.session.expire(user)
    throttle.clear(f"email:{user.email}")  # signing in with the new password works at once
    audit.record("user.password_reset_by_email", actor=user, obj=user, ip_address=ip_address)
    return user
