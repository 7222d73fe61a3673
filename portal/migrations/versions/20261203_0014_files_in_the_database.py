"""files live with the data: stored_file (the bytes of every return workbook, library
attachment and meeting document, once per content) and pending_upload ("check only"
uploads); the files kept under UPLOAD_FOLDER are moved in, stored_path becomes db:<sha256>

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 07:00:00

A file that is missing from the upload folder is reported (a warning) and its row keeps its
old path: the portal then answers 404 for it, as for any missing file. The files on disk are
left where they are: remove the folder only after an upgrade that reported no missing file
(run without the folder mounted, it would move nothing). Downgrade writes the bytes
back out under UPLOAD_FOLDER. Kept "check only" uploads (UPLOAD_FOLDER/pending) are not moved:
they last 24 hours, and a user re-uploads one if needed.
"""

import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
REFERENCE = "db:"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": XLSX,
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
EXTENSION = {media: ext for ext, media in MIME.items()}

stored_file = sa.table(
    "stored_file",
    sa.column("id", sa.Integer()),
    sa.column("sha256", sa.String()),
    sa.column("size", sa.Integer()),
    sa.column("media_type", sa.String()),
    sa.column("data", sa.LargeBinary()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
# The tables whose rows refer to a file, with the sub-folder downgrade writes it back to.
return_version = sa.table("return_version", sa.column("id"), sa.column("stored_path"), sa.column("return_id"))
library_file = sa.table(
    "library_file", sa.column("id"), sa.column("stored_path"), sa.column("item_kind"), sa.column("item_id")
)
meeting_document = sa.table("meeting_document", sa.column("id"), sa.column("stored_path"), sa.column("meeting_id"))
FOLDERS = {
    return_version: lambda row: f"returns/{row.return_id}",
    library_file: lambda row: f"library/{row.item_kind}/{row.item_id}",
    meeting_document: lambda row: f"meetings/{row.meeting_id}",
}


def upgrade():
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
        sa.UniqueConstraint("sha256", name=op.f("uq_stored_file_sha256")),
    )
    op.create_table(
        "pending_upload",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_pending_upload_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_pending_upload")),
    )
    op.create_index("ix_pending_upload_created_at", "pending_upload", ["created_at"], unique=False)
    _move_files_in(op.get_bind(), Path(current_app.config["UPLOAD_FOLDER"]))


def _move_files_in(conn, root: Path) -> None:
    moved = missing = 0
    for table in FOLDERS:
        rows = conn.execute(
            sa.select(table.c.id, table.c.stored_path).where(~table.c.stored_path.startswith(REFERENCE))
        )
        for row in rows.all():
            path = (root / row.stored_path).resolve()
            if not path.is_relative_to(root.resolve()) or not path.is_file():
                log.warning("%s %s: file %s is missing; its row keeps that path", table.name, row.id, path)
                missing += 1
                continue
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            if conn.scalar(sa.select(stored_file.c.id).where(stored_file.c.sha256 == sha)) is None:
                media_type = MIME.get(path.suffix.lower().lstrip("."), "application/octet-stream")
                conn.execute(
                    stored_file.insert().values(
                        sha256=sha, size=len(data), media_type=media_type, data=data, created_at=datetime.now(UTC)
                    )
                )
            conn.execute(table.update().where(table.c.id == row.id).values(stored_path=REFERENCE + sha))
            moved += 1
    (log.error if missing else log.info)(
        "files moved into the database: %d; missing from %s: %d (keep that folder until they are found)",
        moved,
        root,
        missing,
    )


def downgrade():
    conn = op.get_bind()
    root = Path(current_app.config["UPLOAD_FOLDER"])
    for table, folder in FOLDERS.items():
        refs = conn.execute(sa.select(table).where(table.c.stored_path.startswith(REFERENCE))).all()
        for row in refs:
            sha = row.stored_path[len(REFERENCE) :]
            data, media_type = conn.execute(
                sa.select(stored_file.c.data, stored_file.c.media_type).where(stored_file.c.sha256 == sha)
            ).one()
            relative = f"{folder(row)}/{sha}.{EXTENSION.get(media_type, 'bin')}"
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(data)
            conn.execute(table.update().where(table.c.id == row.id).values(stored_path=relative))
    op.drop_table("pending_upload")
    op.drop_table("stored_file")
