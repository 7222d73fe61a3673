"""Attempt counters in the `login_throttle` table, shared by every worker: failed sign-ins
(services.accounts.auth) and password-reset requests (services.accounts.password_reset).

An attempt first *takes a place* on each of its keys: one conditional
`UPDATE … SET failures = failures + 1 WHERE failures < limit … RETURNING failures`,
in a short transaction of its own, committed before the password is even looked at. So
however many workers try at the same moment, exactly `limit` attempts per window get
through; the rest are refused before any work is done. Works the same on SQLite and
PostgreSQL (the row is created with INSERT … ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ...extensions import db
from ...models import LoginThrottle as T

Keys = list[tuple[str, int]]  # (key, limit)


def _unlocked(now: datetime):
    return or_(T.locked_until.is_(None), T.locked_until <= now)


def _insert_if_missing(conn, key: str, now: datetime) -> None:
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(T).values(key=key, failures=0, window_start=now).on_conflict_do_nothing(index_elements=[T.key]))


def take(keys: Keys, now: datetime, window: timedelta) -> datetime | None:
    """Take one place on every key, all or none. Returns None when taken; when refused,
    the moment the first place frees up again (the lock's end, or the window's)."""
    with db.engine.connect() as conn, conn.begin() as transaction:
        for key, limit in keys:
            _insert_if_missing(conn, key, now)
            # A window that has run out, and is not locked, starts again from zero.
            conn.execute(
                update(T)
                .where(T.key == key, T.window_start < now - window, _unlocked(now))
                .values(failures=0, window_start=now, locked_until=None)
            )
            taken = conn.execute(
                update(T)
                .where(T.key == key, T.failures < limit, _unlocked(now))
                .values(failures=T.failures + 1)
                .returning(T.failures)
            ).first()
            if taken is None:
                locked, start = conn.execute(select(T.locked_until, T.window_start).where(T.key == key)).one()
                transaction.rollback()
                if locked is not None and locked > now:
                    return locked
                return max(start + window, now + timedelta(minutes=1))
    return None


def lock_if_full(keys: Keys, now: datetime, window: timedelta) -> None:
    """After a failure: every key that has reached its limit is locked for `window`.
    In the caller's transaction."""
    for key, limit in keys:
        db.session.execute(
            update(T).where(T.key == key, T.failures >= limit, _unlocked(now)).values(locked_until=now + window)
        )


def give_back(key: str) -> None:
    """An attempt that succeeded does not count against this key (caller's transaction)."""
    db.session.execute(update(T).where(T.key == key, T.failures > 0).values(failures=T.failures - 1))


def clear(key: str) -> None:
    """Forget this key's count (a successful sign-in clears its e-mail address's)."""
    db.session.execute(cast(Table, T.__table__).delete().where(T.key == key))  # a Table, typed as FromClause
