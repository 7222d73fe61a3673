"""Extension objects, created unbound; `create_app` binds them. Imports nothing of the app."""

import sqlite3
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names: migrations look the same on SQLite and PostgreSQL and
# batch operations on SQLite can find the constraints they alter.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The models' base class. At run time it is `db.Model`, which Flask-SQLAlchemy builds from
# Base's body and bases plus its own mixins (bind key, query property). mypy cannot take a
# class from an attribute as a base (python/mypy#8603), so it is shown the equivalent class.
if TYPE_CHECKING:
    import flask_sqlalchemy.model

    class Model(Base, flask_sqlalchemy.model.Model):
        __abstract__ = True
else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_MMAP_BYTES = 1 << 30


@event.listens_for(Engine, "connect")
def _sqlite_connection_settings(dbapi_connection, _record):
    """SQLite, per connection. Several workers write one file (sign-in counters, the outbox): a writer waits
    up to 30 s for the lock instead of the driver's 5 s, which a burst of sign-ins from
    twenty workers on a busy machine can exceed."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # Reads through a memory map (up to 1 GiB of the file, shared with the other workers in
        # the OS's page cache) instead of a read() per page into a 2 MB cache of its own, and
        # sorts (GROUP BY, ORDER BY) in memory: a library search at 50,000 documents touches
        # ~20,000 index entries, p95 59 → 40 ms (bench/search.py).
        dbapi_connection.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        dbapi_connection.execute("PRAGMA temp_store = MEMORY")
