"""Uploaded documents (meeting papers, library attachments): checked by their content, not
only their name, and stored outside the static folder under a random name."""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from .errors import ServiceError
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


def store(data: bytes, filename: str, folder: str) -> dict:
    """Check and keep a file; returns what a model records about it (kind, names, size, hash)."""
    kind = sniff(data, filename)
    name = f"{uuid.uuid4().hex}.{kind}"
    target = Path(current_app.config["UPLOAD_FOLDER"]) / folder
    target.mkdir(parents=True, exist_ok=True)
    (target / name).write_bytes(data)
    return {
        "kind": kind,
        "original_filename": Path(filename.replace("\\", "/")).name[:255] or name,
        "stored_path": str(Path(folder) / name),
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def read(stored_path: str) -> bytes:
    return (Path(current_app.config["UPLOAD_FOLDER"]) / stored_path).read_bytes()
