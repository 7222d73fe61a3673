"""API bearer tokens: issued against e-mail and password (same throttle and audit as the
web sign-in), stored only as SHA-256, revocable, and bound to the user's session generation
(so they end with every session: sign-out, password change or reset, deactivation)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from ...extensions import db
from ...models import ApiToken, User
from ...models.types import utcnow
from .. import audit
from .auth import authenticate


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(email: str, password: str, ip_address: str | None = None) -> str:
    """Raises auth.LoginRefused (401 or 429) like the sign-in form."""
    user = authenticate(email, password, ip_address)
    token = secrets.token_urlsafe(32)
    record = ApiToken(user=user, token_hash=_digest(token), session_generation=user.session_generation)
    db.session.add(record)
    audit.record("api.token_issued", actor=user, obj=record, ip_address=ip_address)
    return token


def user_for_token(token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if record is None or record.revoked_at is not None or not record.user.active:
        return None
    if record.session_generation != record.user.session_generation:
        return None  # issued before a sign-out, password change, reset or deactivation
    record.last_used_at = utcnow()
    return record.user


def revoke_token(token: str, actor: User | None = None) -> bool:
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = utcnow()
    audit.record("api.token_revoked", actor=actor, obj=record)
    return True
