"""Uploads kept between "check" and "save": the file, who uploaded it, and its name.

A dry run or a failed upload is kept here (outside the database) so the user can
download it marked up, or save it as a version without uploading it again."""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from flask import current_app

from ..errors import NotFound

TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "pending"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(data: bytes, filename: str, user_id: int | None) -> str:
    token = uuid.uuid4().hex
    (_folder() / f"{token}.xlsx").write_bytes(data)
    (_folder() / f"{token}.json").write_text(json.dumps({"user_id": user_id, "filename": filename}))
    return token


def load(token: str, user_id: int | None) -> tuple[bytes, str]:
    """The kept upload, for the user who made it only."""
    if not TOKEN.match(token or ""):
        raise NotFound("unknown upload")
    meta_path, data_path = _folder() / f"{token}.json", _folder() / f"{token}.xlsx"
    if not meta_path.exists() or not data_path.exists():
        raise NotFound("unknown upload")
    meta = json.loads(meta_path.read_text())
    if meta.get("user_id") != user_id:
        raise NotFound("unknown upload")
    return data_path.read_bytes(), meta.get("filename") or "return.xlsx"


def discard(token: str) -> None:
    if TOKEN.match(token or ""):
        for suffix in (".xlsx", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)
