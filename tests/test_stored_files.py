"""Files live with the data: every uploaded file (a return workbook, the workbook the portal
writes for a web-form version, a library attachment, a meeting document) is kept in the
database in the transaction of its row, so no upload folder is needed, a crash leaves neither
half, and two web servers with no shared disk serve each other's files."""

from __future__ import annotations

import hashlib
import logging
import logging.config
import re
import shutil
from datetime import date
from io import BytesIO
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import func, inspect, select, text

from portal import create_app
from portal.extensions import db as _db
from portal.models import (
    CaseStudy,
    LibraryFile,
    Meeting,
    MeetingDocument,
    PendingUpload,
    ReturnVersion,
    StoredFile,
)
from portal.services import files
from portal.services.errors import NotFound
from portal.services.library import attachments
from portal.services.meetings import meetings

from .conftest import PASSWORD, IsolatedClient, base_config, upload
from .races import race
from .test_library_items import FORM as CASE_STUDY
from .test_library_items import PDF

START = {("REP01", "Men"): 2, ("REP01", "Total"): 5, ("REP01O", "Total"): 5}
# What each kind of file is uploaded by, and the rows that refer to such a file.
KINDS = {
    "return workbook": ("focal_point", ReturnVersion),
    "web-form workbook": ("focal_point", ReturnVersion),
    "library attachment": ("focal_point", LibraryFile),
    "meeting document": ("secretariat", MeetingDocument),
}


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def _files_on_disk(app) -> list[Path]:
    return [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]


def _sign_in(client, user) -> None:
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


class Upload:
    """One file of `kind` uploaded through the real route by the user signed in on `client`
    (KINDS gives the role): what it needs is made first, `send()` posts the file, `located()`
    gives the download URL and the bytes once it is stored."""

    def __init__(self, kind: str, client, request):
        self.kind, self.client = kind, client
        if kind == "return workbook":
            self.data = request.getfixturevalue("filled")({("REP01", "Total"): 3, ("REP01O", "Total"): 3})
        elif kind == "web-form workbook":
            self.target = request.getfixturevalue("create_return")("KZ", "2025", START, status="draft").return_id
        elif kind == "library attachment":
            assert client.post("/library/case-studies/new", data=CASE_STUDY).status_code in (302, 303)
            self.target = _db.session.scalar(select(CaseStudy.id).where(CaseStudy.title == CASE_STUDY["title"]))
        else:
            meeting = Meeting(title="Council", start_date=date(2026, 5, 1), end_date=date(2026, 5, 2))
            _db.session.add(meeting)
            _db.session.flush()
            self.target = meeting.id
        _db.session.commit()

    def send(self):
        if self.kind == "return workbook":
            return upload(self.client, self.data, mode="save")
        if self.kind == "web-form workbook":
            form = {"base_version": "1", "mode": "save", "v-REP01-Girls": "3"}
            return self.client.post(f"/returns/{self.target}/edit", data=form)
        sent = {"title": "Paper", "file": (BytesIO(PDF), "paper.pdf")}
        if self.kind == "library attachment":
            return self.client.post(f"/library/case-studies/{self.target}/files", data=sent)
        return self.client.post(f"/meetings/{self.target}/documents", data=sent)

    def located(self) -> tuple[str, bytes]:
        if self.kind in ("return workbook", "web-form workbook"):
            version = _db.session.scalar(select(ReturnVersion).order_by(ReturnVersion.number.desc()))
            data = files.read(version.stored_path)  # for the web form: the workbook the portal wrote
            assert data == self.data if self.kind == "return workbook" else data[:2] == b"PK"
            return f"/returns/{version.return_id}/versions/{version.number}/file", data
        if self.kind == "library attachment":
            return f"/library/files/{_db.session.scalar(select(LibraryFile.id))}", PDF
        return f"/meetings/documents/{_db.session.scalar(select(MeetingDocument.id))}", PDF


@pytest.fixture
def upload_file(db, request, return_setup):
    """upload_file(kind, client) -> (the file's download URL, its bytes), stored."""

    def do(kind: str, client) -> tuple[str, bytes]:
        one = Upload(kind, client, request)
        response = one.send()
        assert response.status_code in (302, 303), response.get_data(as_text=True)[-500:]
        return one.located()

    return do


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_uploaded_file_is_served_from_the_database_without_an_upload_folder(
    app, client, login_as, upload_file, tmp_path, kind
):
    login_as(KINDS[kind][0], country="KZ" if KINDS[kind][0] == "focal_point" else None)
    url, data = upload_file(kind, client)
    assert _files_on_disk(app) == []
    shutil.rmtree(app.config["UPLOAD_FOLDER"], ignore_errors=True)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "nowhere")
    stored = _db.session.scalar(select(StoredFile).where(StoredFile.sha256 == hashlib.sha256(data).hexdigest()))
    assert stored is not None and stored.size == len(data) and stored.data == data
    download = client.get(url)
    assert download.status_code == 200 and download.data == data
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.committing
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_crash_before_the_commit_leaves_neither_the_file_nor_its_row(
    app, client, create_user, return_setup, request, monkeypatch, kind
):
    role, model = KINDS[kind]
    _sign_in(client, create_user(role, country="KZ" if role == "focal_point" else None))
    one = Upload(kind, client, request)
    before, put, stored, in_transaction = (_count(StoredFile), _count(model)), files.put, [], []

    def put_and_remember(data, media_type):
        stored.append(put(data, media_type))
        return stored[-1]

    def crash():
        in_transaction.append((_count(StoredFile), _count(model)))
        raise RuntimeError("the server died before the commit")

    monkeypatch.setattr(files, "put", put_and_remember)
    monkeypatch.setattr(_db.session, "commit", crash, raising=False)
    response = one.send()
    monkeypatch.undo()
    assert response.status_code == 500
    assert len(stored) == 1 and in_transaction == [(before[0] + 1, before[1] + 1)]  # both written, one transaction
    _db.session.rollback()
    assert (_count(StoredFile), _count(model)) == before  # and both are gone
    assert _files_on_disk(app) == []


@pytest.fixture
def other_server(database_url, tmp_path):
    """A second app instance on the same database, with an upload folder of its own (empty)."""
    other = create_app(base_config(database_url, tmp_path / "other"))
    other.test_client_class = IsolatedClient
    yield other
    with other.app_context():
        _db.engine.dispose()


@pytest.mark.committing
@pytest.mark.parametrize("kind", list(KINDS))
def test_two_web_servers_without_a_shared_disk_serve_each_others_files(
    app, client, create_user, upload_file, other_server, kind
):
    second = other_server.test_client()
    user = create_user(KINDS[kind][0], country="KZ" if KINDS[kind][0] == "focal_point" else None)
    _sign_in(client, user)
    _sign_in(second, user)
    url, data = upload_file(kind, client)
    download = second.get(url)
    assert download.status_code == 200 and download.data == data
    assert _files_on_disk(app) == [] and _files_on_disk(other_server) == []


@pytest.mark.committing
def test_a_check_only_upload_made_on_one_server_is_saved_on_another(
    app, db, client, create_user, return_setup, filled, other_server
):
    second = other_server.test_client()
    user = create_user("focal_point", country="KZ")
    _sign_in(client, user)
    _sign_in(second, user)
    page = upload(client, filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3}), mode="check")
    token = re.search(r'/returns/pending/([0-9a-f]{32})"', page.get_data(as_text=True)).group(1)
    marked = second.get(f"/returns/pending/{token}/marked-up.xlsx")
    assert marked.status_code == 200 and marked.data[:2] == b"PK"
    assert second.post(f"/returns/pending/{token}", data={"mode": "save"}).status_code == 302
    assert (_count(PendingUpload), _count(ReturnVersion)) == (0, 1)  # saved once, and no longer kept
    assert _files_on_disk(app) == [] and _files_on_disk(other_server) == []


@pytest.mark.committing
def test_the_same_bytes_stored_at_the_same_moment_are_one_file(app, db, return_setup, monkeypatch):
    meeting = Meeting(title="Council", start_date=date(2026, 5, 1), end_date=date(2026, 5, 2))
    db.session.add(meeting)
    db.session.commit()
    meeting_id = meeting.id
    monkeypatch.setattr(files, "_stored", lambda sha: False)  # each upload found no such file yet

    def act(meeting_id, i):
        meetings.add_document(db.session.get(Meeting, meeting_id), PDF, f"paper-{i}.pdf", f"Paper {i}", None)

    assert race(app, lambda i: meeting_id, act, count=3) == ["ok"] * 3
    assert (_count(StoredFile), _count(MeetingDocument)) == (1, 3)
    assert {files.read(doc.stored_path) for doc in db.session.scalars(select(MeetingDocument))} == {PDF}


@pytest.mark.committing
def test_migration_0014_moves_the_files_on_disk_into_the_database_and_back(
    app, db, library, create_user, create_return, caplog, monkeypatch
):
    user = create_user("secretariat")
    version = create_return("KZ", "2025", START, status="draft")
    meeting = Meeting(title="Council", start_date=date(2026, 5, 1), end_date=date(2026, 5, 2))
    db.session.add(meeting)
    db.session.flush()
    rows = {
        ("return_version", version.id): files.read(version.stored_path),
        ("library_file", attachments.attach(db.session.scalar(select(CaseStudy)), PDF, "a.pdf", "A", user).id): PDF,
        ("meeting_document", meetings.add_document(meeting, PDF, "a.pdf", "A", user).id): PDF,  # the same bytes
        ("meeting_document", meetings.add_document(meeting, PDF + b"2", "b.pdf", "B", user).id): PDF + b"2",
    }
    db.session.commit()
    lost = ("meeting_document", max(key[1] for key in rows if key[0] == "meeting_document"))

    def stored_paths() -> dict:
        with db.engine.connect() as conn:
            return {key: conn.scalar(text(f"SELECT stored_path FROM {key[0]} WHERE id = {key[1]}")) for key in rows}

    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)  # keep caplog's handler
    flask_migrate.downgrade(revision="0013")  # the files go back out to the upload folder
    db.engine.dispose()
    assert "stored_file" not in inspect(db.engine).get_table_names()
    root = Path(app.config["UPLOAD_FOLDER"])
    on_disk = stored_paths()
    assert {key: (root / path).read_bytes() for key, path in on_disk.items()} == rows
    (root / on_disk[lost]).unlink()  # a file missing from the folder: reported, the others move in

    with caplog.at_level(logging.WARNING, logger="alembic.runtime.migration"):
        flask_migrate.upgrade()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    db.engine.dispose()
    db.session.expire_all()
    moved = stored_paths()
    assert moved[lost] == on_disk[lost] and len(warnings) == 1 and on_disk[lost] in warnings[0]
    with pytest.raises(NotFound):
        files.read(moved[lost])
    del rows[lost]
    assert all(moved[key].startswith("db:") and files.read(moved[key]) == data for key, data in rows.items())
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 2  # the same PDF once
