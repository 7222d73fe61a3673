"""Backups: a consistent copy of the database, with retention. Uploaded files are in the
database (models/files.py), so the copy holds them too, consistent with the rows.

SQLite: the online backup API (a consistent snapshot while the portal runs). PostgreSQL:
`pg_dump -Fc` of the portal's schema when pg_dump is installed (else the job fails with that
reason). Each backup is a folder BACKUP_FOLDER/<UTC timestamp>/ with a manifest; the newest
BACKUP_KEEP are kept. A backup made before migration 0014 also holds uploads.tar.gz, the
upload folder of then: restore puts it back for `flask db upgrade` to move into the database."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ...extensions import db


class BackupError(Exception):
    pass


def _libpq_url() -> tuple[str, str]:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    schema = db.session.execute(text("SELECT current_schema()")).scalar_one()
    plain = url.set(drivername="postgresql", query={})
    return plain.render_as_string(hide_password=False), schema


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools")
    return path


def backup(now: datetime) -> str:
    config = current_app.config
    folder = Path(config["BACKUP_FOLDER"]) / now.strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    dialect = db.engine.dialect.name
    db.session.commit()  # nothing of ours open while copying
    if dialect == "sqlite":
        source = db.engine.raw_connection()
        try:
            target = sqlite3.connect(folder / "portal.db")
            assert isinstance(source.driver_connection, sqlite3.Connection)  # the dialect is sqlite
            source.driver_connection.backup(target)
            target.close()
        finally:
            source.close()
        database = "portal.db"
    else:
        url, schema = _libpq_url()
        subprocess.run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--schema={schema}",
                f"--file={folder / 'portal.dump'}",
                url,
            ],
            check=True,
            capture_output=True,
            timeout=3600,
        )
        database = "portal.dump"
    (folder / "manifest.json").write_text(
        json.dumps({"created": now.isoformat(), "dialect": dialect, "database": database})
    )
    _prune(Path(config["BACKUP_FOLDER"]), config["BACKUP_KEEP"])
    return str(folder)


def _prune(root: Path, keep: int) -> None:
    backups = sorted(p for p in root.iterdir() if (p / "manifest.json").exists())
    for old in backups[:-keep]:
        shutil.rmtree(old)


def restore(folder: Path) -> str:
    """Put a backup back: the database, replacing what is there (with the uploaded files)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    dialect = db.engine.dialect.name
    if manifest["dialect"] != dialect:
        raise BackupError(f"this backup is of a {manifest['dialect']} database; the portal uses {dialect}")
    db.session.remove()
    if dialect == "sqlite":
        source = sqlite3.connect(folder / manifest["database"])
        target = db.engine.raw_connection()
        try:
            assert isinstance(target.driver_connection, sqlite3.Connection)  # the dialect is sqlite
            source.backup(target.driver_connection)
        finally:
            target.close()
            source.close()
    else:
        url, schema = _libpq_url()
        db.session.remove()  # give back the connection _libpq_url used before the pool is disposed
        subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                f"--schema={schema}",
                f"--dbname={url}",
                str(folder / manifest["database"]),
            ],
            check=True,
            capture_output=True,
            timeout=3600,
        )
    db.engine.dispose()
    if "uploads" in manifest:
        _restore_upload_folder(folder / manifest["uploads"])
    return str(folder)


def _restore_upload_folder(archive: Path) -> None:
    """A backup from before migration 0014: its files go back to UPLOAD_FOLDER, where the
    migration (`flask db upgrade`, run next) finds them and moves them into the database."""
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    if uploads.exists():
        shutil.rmtree(uploads)
    uploads.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=uploads.parent) as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")  # "data": no absolute paths, links or ../ escapes
        extracted = Path(tmp) / "uploads"
        if extracted.exists():
            shutil.move(str(extracted), str(uploads))
    uploads.mkdir(parents=True, exist_ok=True)
