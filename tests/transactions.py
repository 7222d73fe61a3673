"""The machinery of the transactional tests (see conftest's docstring): the seed baseline
per database, trimming it to what a test asked for, and the test's one connection that every
session and every `db.engine.connect()` joins."""

from __future__ import annotations

from sqlalchemy import event, tuple_

from portal.extensions import db as _db
from portal.services import seed as seed_service

# Per database URL: the primary keys present after each seeding step, by table.
_BASELINE: dict[str, tuple[dict, dict]] = {}


def _primary_keys() -> dict:
    keys = {}
    for table in _db.metadata.sorted_tables:
        cols = list(table.primary_key.columns)
        keys[table.name] = {tuple(row) for row in _db.session.execute(_db.select(*cols))}
    return keys


def seed_baseline(url: str | None = None) -> None:
    """Countries, then templates and periods, committed; remembers which rows each step added."""
    seed_service.load_countries()
    _db.session.commit()
    countries = _primary_keys()
    seed_service.load_templates_and_periods()
    _db.session.commit()
    if url is not None:
        _BASELINE[url] = (countries, _primary_keys())


def trim_seed(connection, url: str, fixturenames) -> None:
    """Delete, inside the test's transaction, the seed rows the test did not ask for."""
    if "return_setup" in fixturenames:
        return
    countries, everything = _BASELINE[url]
    for table in reversed(_db.metadata.sorted_tables):
        keep = countries[table.name] if "reference_data" in fixturenames else set()
        extra = everything[table.name] - keep
        if not extra:
            continue
        if not keep:
            connection.execute(table.delete())
        else:
            cols = list(table.primary_key.columns)
            connection.execute(table.delete().where(tuple_(*cols).in_(sorted(extra))))


def sqlite_real_savepoints(engine) -> None:
    """pysqlite begins a transaction only before a write, so a SAVEPOINT outside one would
    commit on release; let SQLAlchemy emit BEGIN itself (the documented pysqlite recipe)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


class JoinedConnection:
    """What `db.engine.connect()` returns in a transactional test: the test's connection,
    whose `begin()` is a SAVEPOINT and whose close leaves it open (the login throttle uses it)."""

    def __init__(self, connection):
        self._connection = connection

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def begin(self):
        return self._connection.begin_nested()

    def close(self):
        return None

    def __getattr__(self, name):
        return getattr(self._connection, name)
