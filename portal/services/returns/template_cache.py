"""Template versions, read once per process.

A loaded template version never changes (a new definition is a new version: `load_template`),
so each worker keeps every version it has used — sections, indicators and rules — and reads it
again never. What a request still reads is the small row that names the version (its id and
when it was loaded), and that is the key: a template loaded again under the same id (a test
that rolled back, a database restored from a dump) is a new key, never a stale hit.

The cached objects are copies that belong to no session: read-only, shared by every request
of the worker, and never lazy-loading. Never assign one to a relationship (write
`template_id=...`); a writer that needs the ORM object uses `template_versions`.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import Connection, inspect, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import ReturnTemplate, TemplateIndicator, TemplateRule, TemplateSection

MAX_KEPT = 64  # versions per process; the council has a handful
_kept: OrderedDict[tuple, ReturnTemplate] = OrderedDict()


def _columns(obj) -> dict:
    return {a.key: copy.deepcopy(getattr(obj, a.key)) for a in inspect(type(obj)).column_attrs}


def _detached_copy(template: ReturnTemplate) -> ReturnTemplate:
    out = ReturnTemplate(**_columns(template))
    out.rules = [TemplateRule(**_columns(r)) for r in template.rules]
    out.sections = [
        TemplateSection(**_columns(s), indicators=[TemplateIndicator(**_columns(i)) for i in s.indicators])
        for s in template.sections
    ]
    return out


def database() -> str:
    """Which database the session talks to (a process may serve more than one: tests)."""
    bind = db.session.get_bind()  # an Engine, or (tests) a Connection
    engine = bind.engine if isinstance(bind, Connection) else bind
    return engine.url.render_as_string(hide_password=True)


def _key(template_id: int, loaded_at: datetime) -> tuple:
    return (database(), template_id, loaded_at)


def template(template_id: int, loaded_at: datetime) -> ReturnTemplate:
    """Version `template_id` as loaded at `loaded_at` (both from the row that names it)."""
    key = _key(template_id, loaded_at)
    found = _kept.get(key)
    if found is None:
        loaded = db.session.scalar(
            select(ReturnTemplate)
            .where(ReturnTemplate.id == template_id)
            .options(
                selectinload(ReturnTemplate.sections).selectinload(TemplateSection.indicators),
                selectinload(ReturnTemplate.rules),
            )
        )
        if loaded is None:
            raise LookupError(f"no template {template_id}")
        found = _kept[key] = _detached_copy(loaded)
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return found


def of(row: ReturnTemplate) -> ReturnTemplate:
    """The cached copy of a template row already at hand (e.g. `version.template`)."""
    return template(row.id, row.loaded_at)


def by_version(version: int) -> ReturnTemplate | None:
    """The template of `version`, from the cache (one small query names it)."""
    row = db.session.execute(
        select(ReturnTemplate.id, ReturnTemplate.loaded_at).where(ReturnTemplate.version == version)
    ).first()
    return template(row.id, row.loaded_at) if row else None


def latest() -> ReturnTemplate | None:
    """The newest template version, from the cache."""
    row = db.session.execute(
        select(ReturnTemplate.id, ReturnTemplate.loaded_at).order_by(ReturnTemplate.version.desc()).limit(1)
    ).first()
    return template(row.id, row.loaded_at) if row else None


def clear() -> None:
    _kept.clear()
