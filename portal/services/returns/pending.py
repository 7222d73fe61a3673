"""Uploads kept between "check" and "save": the file, who uploaded it, and its name.

A dry run or a failed upload is kept here (outside the database) so the user can
download it marked up, or save it as a version without uploading it again, for 24 hours:
the hourly job `pending_uploads` (jobs/registry.py) removes older ones, and `load` no longer
hands out one that is older even if the job has not run yet."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from ..errors import NotFound

TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEPT_FOR = timedelta(hours=24)
log = logging.getLogger(__name__)


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
    if time.time() - data_path.stat().st_mtime > KEPT_FOR.total_seconds():
        raise NotFound("unknown upload")
    meta = json.loads(meta_path.read_text())
    if meta.get("user_id") != user_id:
        raise NotFound("unknown upload")
    return data_path.read_bytes(), meta.get("filename") or "return.xlsx"


def discard(token: str) -> None:
    if TOKEN.match(token or ""):
        for suffix in (".xlsx", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def expire(now: datetime) -> str:
    """Remove kept uploads (file and its record) older than KEPT_FOR at `now`; the scheduled
    job `pending_uploads`. Files that are not a kept upload's are left alone."""
    limit = now.timestamp() - KEPT_FOR.total_seconds()
    removed = kept = 0
    for path in sorted(_folder().iterdir()):
        if not (path.suffix in (".xlsx", ".json") and TOKEN.match(path.stem)):
            continue
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += path.suffix == ".xlsx"
            else:
                kept += path.suffix == ".xlsx"
        except FileNotFoundError:  # removed meanwhile by `discard`
            continue
    log.info("pending uploads: %d removed, %d kept", removed, kept)
    return f"{removed} removed, {kept} kept"
