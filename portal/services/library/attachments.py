"""Files attached to case studies and plans: checked by content and kept in the database
(services/files.py), served only to those who may see the item."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import LibraryFile, User
from ...models.library import LIBRARY_MODELS
from .. import files
from ..errors import Forbidden, NotFound
from . import access
from .items import _revise


def attach(item, data: bytes, filename: str, title: str, actor: User | None) -> LibraryFile:
    if actor is not None and not access.can_edit(actor, item):
        raise Forbidden(_l("You may not add files to this item."))
    stored = files.store(data, filename)
    title = (title or "").strip() or Path(stored["original_filename"]).stem
    record = LibraryFile(
        item_kind=item.kind, item_id=item.id, title=title[:300], uploaded_by_id=actor.id if actor else None, **stored
    )
    db.session.add(record)
    db.session.flush()
    _revise(item, "file", actor, {"file": [None, record.original_filename]})
    return record


def get_file(file_id: int, user) -> tuple[LibraryFile, bytes]:
    record = db.session.get(LibraryFile, file_id)
    item = db.session.get(LIBRARY_MODELS[record.item_kind], record.item_id) if record else None
    if record is None or item is None or not access.can_view(user, item):
        raise NotFound(_l("There is no such file, or you may not see it."))
    return record, files.read(record.stored_path)
