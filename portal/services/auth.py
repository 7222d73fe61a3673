"""Signing in: credential check, the failed-sign-in throttle, and the audit trail.

The throttle lives in the database (`login_throttle`), so it holds across every
gunicorn worker: per e-mail address `LOGIN_MAX_FAILURES` failures within
`LOGIN_LOCK_MINUTES` lock that address for the same time; per client address the
limit is ten times higher (one office may share an address).
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import LoginThrottle, User
from ..models.types import utcnow
from . import audit
from .errors import ServiceError
from .passwords import burn_verify_time, verify_password
from .users import get_by_email

IP_FACTOR = 10


class LoginRefused(ServiceError):
    status = 401


class AccountInactive(LoginRefused):
    status = 403


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


def locked_until(email: str, ip_address: str | None, now: datetime | None = None) -> datetime | None:
    now = now or utcnow()
    keys = [k for k, _ in _keys(email, ip_address)]
    rows = db.session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    until = [r.locked_until for r in rows if r.locked_until and r.locked_until > now]
    return max(until) if until else None


def _register_failure(email: str, ip_address: str | None, now: datetime) -> None:
    window = _lock_window()
    for key, limit in _keys(email, ip_address):
        row = db.session.get(LoginThrottle, key)
        if row is None:
            try:
                with db.session.begin_nested():
                    db.session.add(LoginThrottle(key=key, failures=0, window_start=now))
            except IntegrityError:  # another worker inserted it first
                pass
            row = db.session.get(LoginThrottle, key)
        if row.window_start < now - window:
            row.failures, row.window_start, row.locked_until = 0, now, None
            db.session.flush()
        # Atomic increment: concurrent workers never lose a failure.
        db.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(failures=LoginThrottle.failures + 1)
        )
        db.session.refresh(row)
        if row.failures >= limit:
            row.locked_until = now + window


def _clear_failures(email: str) -> None:
    row = db.session.get(LoginThrottle, _keys(email, None)[0][0])
    if row is not None:
        db.session.delete(row)


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def authenticate(
    email: str, password: str, ip_address: str | None = None, now: datetime | None = None
) -> User:
    """Return the user for these credentials or raise LoginRefused (and its kinds).

    The caller commits in both cases: failures and lock-outs must be stored.
    """
    now = now or utcnow()
    attempted = (email or "").strip().lower()[:254]
    until = locked_until(attempted, ip_address, now)
    if until is not None:
        audit.record("auth.login_locked", ip_address=ip_address, email=attempted)
        raise TooManyAttempts(
            _l("Too many failed sign-in attempts. Try again in %(n)d minutes.",
               n=_minutes_left(until, now))
        )
    user = get_by_email(attempted)
    if user is None:
        burn_verify_time(password or "")
        ok, new_hash = False, None
    else:
        ok, new_hash = verify_password(user.password_hash, password or "")
    if not ok:
        _register_failure(attempted, ip_address, now)
        audit.record("auth.login_failed", actor=None, ip_address=ip_address, email=attempted,
                     reason="unknown_email" if user is None else "bad_password")
        raise LoginRefused(_l("The e-mail address or password is not correct."))
    if not user.active:
        audit.record("auth.login_failed", actor=user, obj=user, ip_address=ip_address,
                     email=attempted, reason="inactive")
        raise AccountInactive(
            _l("This account has been deactivated. Contact the council secretariat.")
        )
    if new_hash:
        user.password_hash = new_hash
    _clear_failures(attempted)
    user.last_login_at = now
    audit.record("auth.login", actor=user, obj=user, ip_address=ip_address)
    return user


def record_logout(user: User, ip_address: str | None = None) -> None:
    audit.record("auth.logout", actor=user, obj=user, ip_address=ip_address)
