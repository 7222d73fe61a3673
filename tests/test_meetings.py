"""Council meetings: seed, management by the secretariat, documents checked by content."""

from io import BytesIO

import pytest
from sqlalchemy import select

from portal.models import Meeting, MeetingDocument

from .conftest import use_token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture
def meeting(db, return_setup):
    return db.session.scalar(select(Meeting).where(Meeting.place == "Astana"))


def test_seeded_meetings(client, db, login_as, meeting):
    assert [m.start_date.isoformat() for m in db.session.scalars(select(Meeting).order_by(Meeting.start_date))] == [
        "2024-05-14",
        "2024-07-26",
        "2024-11-27",
        "2025-04-30",
    ]
    login_as("delegate")
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Cross-regional dialogue" in page and "National experience of repatriation and reintegration" in page
    assert "Kyrgyzstan" in page and "Caspian Post" in page


def test_secretariat_manages_meetings(client, db, login_as, return_setup):
    login_as("secretariat")
    bad = client.post(
        "/meetings/new",
        data={"title": "X", "start_date": "2027-05-02", "end_date": "2027-05-01", "format": "online", "host": ""},
    )
    assert bad.status_code == 400 and "The meeting ends before it starts." in bad.get_data(as_text=True)
    ok = client.post(
        "/meetings/new",
        data={
            "title": "Working group on counter-narratives",
            "start_date": "2027-06-01",
            "end_date": "2027-06-01",
            "format": "online",
            "host": "KZ",
            "description": "Online <script>x</script>",
            "agenda": "Opening\nKG: National practice",
        },
    )
    assert ok.status_code == 302
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == "Working group on counter-narratives"))
    assert [(a.title, a.presenter_country.iso2 if a.presenter_country else None) for a in meeting.agenda] == [
        ("Opening", None),
        ("National practice", "KG"),
    ]
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "<script>x</script>" not in page


@pytest.mark.parametrize("role", ["focal_point", "delegate"])
def test_others_read_but_do_not_manage(client, login_as, meeting, role):
    login_as(role)
    assert client.get("/meetings/").status_code == 200
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    assert client.get("/meetings/new").status_code == 403
    assert client.post(f"/meetings/{meeting.id}/documents", data={}).status_code == 403


@pytest.mark.parametrize(
    "data, name, status, message",
    [
        (b"MZ\x90\x00 not a pdf", "agenda.pdf", 400, "does not match its name"),
        (PDF, "agenda.exe", 400, "Only PDF, Word"),
        (b"", "empty.pdf", 400, "The file is empty."),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "big.pdf", 413, "larger than the limit of 10 MB"),
        (b"PK\x03\x04broken", "notes.docx", 400, "does not match its name"),
    ],
)
def test_bad_documents(client, db, login_as, meeting, data, name, status, message):
    login_as("secretariat")
    response = client.post(
        f"/meetings/{meeting.id}/documents",
        content_type="multipart/form-data",
        data={"title": "Doc", "file": (BytesIO(data), name)},
    )
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert db.session.scalar(select(MeetingDocument)) is None


def test_document_upload_and_download(client, db, login_as, meeting, auth):
    login_as("secretariat")
    response = client.post(
        f"/meetings/{meeting.id}/documents",
        content_type="multipart/form-data",
        data={"title": "Concept note", "file": (BytesIO(PDF), "concept.pdf")},
    )
    assert response.status_code == 302
    doc = db.session.scalar(select(MeetingDocument))
    assert (doc.kind, doc.size) == ("pdf", len(PDF)) and "static" not in doc.stored_path
    auth.logout()
    login_as("delegate")
    download = client.get(f"/meetings/documents/{doc.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_meetings_api(client, login_as, meeting):
    use_token(client, login_as("delegate"))
    listing = client.get("/api/v1/meetings").json["meetings"]
    assert {m["place"] for m in listing} >= {"Tashkent", "Online", "Astana"}
    detail = client.get(f"/api/v1/meetings/{meeting.id}").json
    assert detail["host_country"] == "KZ" and detail["agenda"][1]["presenter_country"] == "KG"
    assert client.get("/api/v1/meetings/99999").status_code == 404
