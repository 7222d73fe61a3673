"""People who sign in, and the database-held sign-in throttle."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..config import LOCALES
from ..extensions import Model
from .reference import Country
from .types import UTCDateTime, one_of, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    FOCAL_POINT = "focal_point"
    DELEGATE = "delegate"


ROLE_VALUES = tuple(r.value for r in Role)
STAFF_ROLES = (Role.ADMIN, Role.SECRETARIAT)  # the secretariat's powers: every country, review


class User(UserMixin, Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'secretariat', 'focal_point', 'delegate')", name="role"),
        CheckConstraint("role <> 'focal_point' OR country_id IS NOT NULL", name="focal_point_country"),
        CheckConstraint(one_of("language", LOCALES), name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised (lower case), so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(2), default="en")
    email_notices: Mapped[bool] = mapped_column(default=True)  # e-mail for non-essential notices
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Raised by sign-out, password changes and resets, and deactivation: every session,
    # remember-me cookie and API token carries the value it was issued under and dies with it.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    country: Mapped[Country | None] = relationship()

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: "<id>:<generation>"."""
        return f"{self.id}:{self.session_generation}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginThrottle(Model):
    """Failed sign-ins per key (an e-mail or a client address), shared by all workers."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; revocable."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")  # the user's, when issued
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
