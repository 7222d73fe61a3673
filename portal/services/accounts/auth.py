"""Signing in and out: credential check, the failed-sign-in throttle, and the audit trail.

The throttle lives in the database (`login_throttle`, see services.throttle), so it holds
across every gunicorn worker: per e-mail address `LOGIN_MAX_FAILURES` failures within
`LOGIN_LOCK_MINUTES` lock that address for the same time; per client address the limit
is ten times higher (one office may share an address). Each attempt takes its place in
the count before the password is checked, so concurrent attempts never get more than
the limit of password checks.

A deactivated account answers exactly like a wrong password (same status, message and
work done), so the answer does not tell whether an account exists or is active.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...models import User
from ...models.types import utcnow
from .. import audit
from ..errors import ServiceError
from . import throttle
from .passwords import burn_verify_time, verify_password
from .users import end_sessions, get_by_email

IP_FACTOR = 10


class LoginRefused(ServiceError):
    status = 401


class TooManyAttempts(LoginRefused):
    status = 429


def _keys(email: str, ip_address: str | None) -> list[tuple[str, int]]:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    keys = [(f"email:{email.strip().lower()}"[:300], limit)]
    if ip_address:
        keys.append((f"ip:{ip_address}"[:300], limit * IP_FACTOR))
    return keys


def _lock_window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def authenticate(email: str, password: str, ip_address: str | None = None, now: datetime | None = None) -> User:
    """Return the user for these credentials or raise LoginRefused (or TooManyAttempts).

    The caller commits in both cases: failures and lock-outs must be stored. Call it before
    the session has written anything (as a request does): the attempt's place in the count is
    taken and committed on a connection of its own, before the password is checked.
    """
    now = now or utcnow()
    attempted = (email or "").strip().lower()[:254]
    keys = _keys(attempted, ip_address)
    until = throttle.take(keys, now, _lock_window())
    if until is not None:
        audit.record("auth.login_locked", ip_address=ip_address, email=attempted)
        raise TooManyAttempts(
            _l("Too many failed sign-in attempts. Try again in %(n)d minutes.", n=_minutes_left(until, now))
        )
    user = get_by_email(attempted)
    if user is None:
        burn_verify_time(password or "")
        ok, new_hash = False, None
    else:
        ok, new_hash = verify_password(user.password_hash, password or "")
    if user is None or not ok or not user.active:
        throttle.lock_if_full(keys, now, _lock_window())
        reason = "unknown_email" if user is None else ("bad_password" if not ok else "inactive")
        audit.record("auth.login_failed", actor=None, obj=user, ip_address=ip_address, email=attempted, reason=reason)
        raise LoginRefused(_l("The e-mail address or password is not correct."))
    throttle.clear(keys[0][0])
    for key, _limit in keys[1:]:
        throttle.give_back(key)
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = now
    audit.record("auth.login", actor=user, obj=user, ip_address=ip_address)
    return user


def sign_out(user: User, ip_address: str | None = None, everywhere: bool = False) -> None:
    """End the user's sessions: this one and (through the session generation) every other
    session, remember-me cookie and API token of theirs."""
    end_sessions(user)
    audit.record("auth.logout_everywhere" if everywhere else "auth.logout", actor=user, obj=user, ip_address=ip_address)
