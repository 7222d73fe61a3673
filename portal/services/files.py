"""Uploaded files: documents (meeting papers, library attachments) checked by their content,
not only their name; every file's bytes kept in the database (models/files.py), in the
transaction of the row that refers to them, never on the web server's disk."""

from __future__ import annotations

import hashlib
import zipfile
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import StoredFile
from ..models.types import utcnow
from .errors import NotFound, ServiceError
from .xlsx import XLSX_MIMETYPE

EXTENSIONS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "pptx": "pptx", "png": "png", "jpg": "jpeg", "jpeg": "jpeg"}
MIME = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": XLSX_MIMETYPE,
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
REFERENCE = "db:"  # stored_path = REFERENCE + the sha256 of a StoredFile
OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}


def sniff(data: bytes, filename: str) -> str:
    """The document's real type, which must match its extension; raises ServiceError."""
    ext = EXTENSIONS.get(Path(filename or "").suffix.lower().lstrip("."))
    if ext is None:
        raise ServiceError(
            _l("Only PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG and JPEG files can be attached."),
            field="file",
        )
    if not data:
        raise ServiceError(_l("The file is empty."), field="file")
    limit_mb = current_app.config["MAX_UPLOAD_MB"]  # the request's own limit (MAX_CONTENT_LENGTH) too
    if len(data) > limit_mb * 1024 * 1024:
        raise ServiceError(_l("The file is larger than the limit of %(mb)s MB.", mb=limit_mb), field="file")
    actual: str | None
    if data[:5] == b"%PDF-":
        actual = "pdf"
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        actual = "png"
    elif data[:3] == b"\xff\xd8\xff":
        actual = "jpeg"
    elif data[:2] == b"PK":
        actual = _ooxml_kind(data)
    else:
        actual = None
    if actual != ext:
        raise ServiceError(
            _l("The file's content does not match its name (.%(ext)s); it was refused.", ext=ext), field="file"
        )
    return ext  # the same as actual


def _ooxml_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > 2000 or sum(i.file_size for i in infos) > 200 * 1024 * 1024:
                return None
            names = {i.filename for i in infos}
            if any(n.endswith("vbaProject.bin") for n in names):
                return None
    except (zipfile.BadZipFile, ValueError):
        return None
    return next((kind for kind, part in OOXML_PARTS.items() if part in names), None)


def put(data: bytes, media_type: str) -> str:
    """Keep `data` in the database in the caller's transaction (it commits the bytes together
    with the row that refers to them) and return that reference, `db:<sha256>`. Equal bytes
    are stored once; two uploads of them at the same moment both end up with the one row."""
    sha = hashlib.sha256(data).hexdigest()
    if not _stored(sha):
        # No savepoint (on SQLite one taken before the transaction's first write would commit
        # on its release): a row stored meanwhile by another upload is the same file.
        insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        row = {"sha256": sha, "size": len(data), "media_type": media_type, "data": data, "created_at": utcnow()}
        db.session.execute(insert(StoredFile).values(row).on_conflict_do_nothing(index_elements=[StoredFile.sha256]))
    return REFERENCE + sha


def _stored(sha: str) -> bool:
    return db.session.scalar(select(StoredFile.id).where(StoredFile.sha256 == sha)) is not None


def store(data: bytes, filename: str) -> dict:
    """Check and keep a document; returns what a model records about it (kind, names, size, hash)."""
    kind = sniff(data, filename)
    sha = hashlib.sha256(data).hexdigest()
    return {
        "kind": kind,
        "original_filename": Path(filename.replace("\\", "/")).name[:255] or f"{sha[:16]}.{kind}",
        "stored_path": put(data, MIME[kind]),
        "size": len(data),
        "sha256": sha,
    }


def fetch(stored_path: str) -> tuple[bytes, str]:
    """The bytes and media type a row's `stored_path` refers to; NotFound if there are none
    (a file that was missing when migration 0014 moved the upload folder into the database)."""
    row = None
    if stored_path.startswith(REFERENCE):
        row = db.session.execute(
            select(StoredFile.data, StoredFile.media_type).where(StoredFile.sha256 == stored_path[len(REFERENCE) :])
        ).first()
    if row is None:
        raise NotFound(_l("There is no such file, or you may not see it."))
    return row.data, row.media_type


def read(stored_path: str) -> bytes:
    return fetch(stored_path)[0]
