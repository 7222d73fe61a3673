"""File contents kept in the database, next to the rows that refer to them.

A return version, a library attachment or a meeting document is written in the same
transaction as its bytes, so neither can exist without the other; a backup is one database
dump; any number of web servers share one PostgreSQL and no disk (README, "Files")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime, utcnow


class StoredFile(Model):
    """One file's bytes (BLOB on SQLite, bytea on PostgreSQL), stored once per content:
    `stored_path` of a version, attachment or document is `db:<sha256>` (services/files.py)."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PendingUpload(Model):
    """A "check only" upload kept for 24 hours so it can be downloaded marked up or saved
    without uploading it again (services/returns/pending.py); only for the user who made it."""

    __tablename__ = "pending_upload"
    __table_args__ = (Index("ix_pending_upload_created_at", "created_at"),)

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
