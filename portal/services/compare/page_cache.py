"""The comparison's rendered results, kept per worker until the data under them changes.

A comparison page is the same for everyone of one audience (services/disclosure.py) asking
the same question in the same language, and its figures change only when a return version
is stored, submitted or accepted. So the rendered results (tables, charts, derived shares)
are kept under a key of:

- the request: its query string (the selection, and the links in the fragment), the audience
  (who may see what, with its small-cell threshold) and the language;
- the data: one aggregate over `return_version` and `country_return` (count, newest id,
  newest submission and acceptance, newest status change), which any worker's or server's
  commit changes; and this process's own count of writes to the tables a comparison reads
  (so a change in an open transaction or a rolled-back test is never served stale).

An entry lives at most `TTL` seconds (what the key cannot see — a country renamed by another
server — shows within that), and the kept fragments never exceed `MAX_BYTES` together.
"""

from __future__ import annotations

import re
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
_kept: OrderedDict[Hashable, tuple[float, str]] = OrderedDict()
_size = 0
_writes = 0  # this process's writes to READ_TABLES


@event.listens_for(Engine, "after_cursor_execute")
def _count_writes(_conn, _cursor, statement: str, *_args) -> None:
    global _writes
    if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and READ_TABLES.search(statement):
        _writes += 1


def data_version() -> tuple:
    """What changes whenever a figure a comparison could show changes."""
    versions = db.session.execute(
        select(
            func.count(ReturnVersion.id),
            func.max(ReturnVersion.id),
            func.max(ReturnVersion.submitted_at),
            func.max(ReturnVersion.accepted_at),
            select(func.max(Return.updated_at)).scalar_subquery(),
        )
    ).one()
    return (template_cache.database(), _writes, *versions)


def rendered(key: Hashable, build: Callable[[], str]) -> str:
    """The fragment kept under `key` and the current data version, or `build()` kept anew."""
    global _size
    full = (key, data_version())
    now = time.monotonic()
    found = _kept.get(full)
    if found is not None and now - found[0] < TTL:
        _kept.move_to_end(full)
        return found[1]
    html = build()
    if len(html) <= MAX_ENTRY:
        if found is not None:
            _size -= len(found[1])
        _kept[full] = (now, html)
        _size += len(html)
        while _size > MAX_BYTES and _kept:
            _old_key, (_at, old) = _kept.popitem(last=False)
            _size -= len(old)
    return html


def clear() -> None:
    global _size
    _kept.clear()
    _size = 0
