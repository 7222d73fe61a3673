"""The comparison's rendered results, kept per worker until the data under them changes.

A comparison page is the same for everyone of one audience (services/disclosure.py) asking
the same question in the same language, and its figures change only when a return version
is stored, submitted or accepted. So the rendered results (tables, charts, derived shares)
are kept under a key of:

- the request: the selection it resolves to (so "the latest period" or "all countries" follow
  a new period or country at once), its query string (the links in the fragment), the
  audience (who may see what, with its small-cell threshold) and the language;
- the data: aggregates over `return_version` and `country_return` (how many versions,
  submitted and accepted ones, returns per status; the newest id and stamps), which any
  worker's or server's commit changes; and this process's own count of writes to the tables
  a comparison reads (so a change in an open transaction or a rolled-back test is never
  served stale).

An entry lives at most `TTL` seconds (what the key cannot see — a country renamed by another
server — shows within that), and the kept fragments never exceed `MAX_BYTES` together.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from ...extensions import db
from ...models import Return, ReturnVersion
from ..returns import template_cache

TTL = 60.0
MAX_BYTES = 32 * 1024 * 1024
MAX_ENTRY = 4 * 1024 * 1024  # a larger page is built each time rather than crowding out the rest
READ_TABLES = re.compile(
    r"\b(return_value|return_version|country_return|reporting_period|country|region|return_template|"
    r"template_section|template_indicator|template_rule)\b",
    re.I,
)
_lock = threading.Lock()  # a threaded server (flask run, gunicorn --threads) shares the dict
_kept: OrderedDict[Hashable, tuple[float, str]] = OrderedDict()
_size = 0
_writes = 0  # this process's writes to READ_TABLES


@event.listens_for(Engine, "after_cursor_execute")
def _count_writes(_conn, _cursor, statement: str, *_args) -> None:
    global _writes
    if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and READ_TABLES.search(statement):
        _writes += 1


def data_version() -> tuple:
    """What changes whenever a figure a comparison could show changes: counts that a new,
    submitted or accepted version and a status change move whatever the servers' clocks say,
    and the newest stamps besides."""
    versions = db.session.execute(
        select(
            func.count(ReturnVersion.id),
            func.max(ReturnVersion.id),
            func.count(ReturnVersion.submitted_at),
            func.count(ReturnVersion.accepted_at),
            func.max(ReturnVersion.submitted_at),
            func.max(ReturnVersion.accepted_at),
            select(func.max(Return.updated_at)).scalar_subquery(),
        )
    ).one()
    statuses = db.session.execute(select(Return.status, func.count()).group_by(Return.status).order_by(Return.status))
    return (template_cache.database(), _writes, *versions, *(tuple(row) for row in statuses))


def selection_key(selection) -> tuple:
    """What a selection resolved to (periods, countries, indicators, options)."""
    return (
        tuple(selection.periods),
        tuple(selection.countries),
        tuple(selection.indicators),
        selection.breakdown,
        selection.provisional,
    )


def rendered(key: Hashable, build: Callable[[], str]) -> str:
    """The fragment kept under `key` and the current data version, or `build()` kept anew."""
    global _size
    full = (key, data_version())
    now = time.monotonic()
    with _lock:
        found = _kept.get(full)
        if found is not None and now - found[0] < TTL:
            _kept.move_to_end(full)
            return found[1]
    html = build()  # outside the lock: two threads may build the same page, once each
    with _lock:
        old = _kept.pop(full, None)
        if old is not None:
            _size -= len(old[1])
        if len(html) <= MAX_ENTRY:
            _kept[full] = (now, html)
            _size += len(html)
            while _size > MAX_BYTES and _kept:
                _old_key, (_at, dropped) = _kept.popitem(last=False)
                _size -= len(dropped)
    return html


def clear() -> None:
    global _size
    _kept.clear()
    _size = 0
