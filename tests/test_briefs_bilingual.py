"""Briefs in both languages: the title and each narrative section in English and Russian,
compiled in both; a reader sees their language on the page, the print view, the PDF and the
workbook, or the other one marked; over-long text is refused by its field; migration 0017
moves existing text to its language; an edition compiled in one language still renders."""

import importlib.util
import json
import re
from io import BytesIO
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db as _db
from portal.models import Brief, BriefEdition, Meeting
from portal.services import bilingual
from portal.services.errors import ServiceError
from portal.services.meetings import briefs as brief_service

from .conftest import base_config, use_token
from .factories import new_brief
from .test_briefs import _weasyprint_or_skip

MIGRATION = Path(__file__).parents[1] / "portal/migrations/versions/20261203_0017_bilingual_briefs.py"

FORM = {
    "title": "Repatriation in 2025",
    "title_ru": "Репатриация в 2025 году",
    "period": "2025",
    "indicators": ["REP01"],
    "charts": ["bar"],
    "heading_1": "Summary",
    "heading_1_ru": "Кратко",
    "body_1": "Kazakhstan **reported**.",
    "body_1_ru": "Казахстан **представил** отчёт. <script>alert(1)</script>",
    "heading_2": "Method",
    "body_2": "Only *English* here.",
}


@pytest.fixture
def accepted(db, create_return, create_user):
    staff = create_user("secretariat", email="staff@prr.example")
    for country, total in (("KZ", 20), ("KG", 7)):
        create_return(
            country,
            "2025",
            {("REP01", "Women"): total, ("REP01", "Total"): total},
            status="accepted",
            reviewer=staff,
        )


@pytest.fixture
def meeting(db, return_setup):
    return db.session.scalar(select(Meeting).where(Meeting.place == "Astana"))


def _compiled(client, db, login_as, meeting, **changes) -> Brief:
    login_as("secretariat")
    assert client.post(f"/meetings/{meeting.id}/briefs/new", data={**FORM, **changes}).status_code == 302
    brief = db.session.scalar(select(Brief))
    assert client.post(f"/meetings/briefs/{brief.id}/compile").status_code == 302
    return brief


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _as(client, language: str) -> None:
    client.post("/auth/language", data={"language": language, "next": "/"})


def _pdf_text(client, url: str) -> str:
    return " ".join(p.extract_text() for p in PdfReader(BytesIO(client.get(url).data)).pages)


def _brief_sheet(client, brief_id: int, sheet: str) -> list[tuple]:
    wb = load_workbook(BytesIO(client.get(f"/meetings/briefs/{brief_id}.xlsx").data))
    assert wb.sheetnames[0] == sheet
    return [(tuple(r) + (None, None))[:2] for r in wb[sheet].iter_rows(values_only=True)]  # (text, mark)


def test_the_form_stores_both_languages_side_by_side(client, db, login_as, meeting, accepted):
    login_as("secretariat")
    form = _page(client, f"/meetings/{meeting.id}/briefs/new")
    assert 'name="title_ru"' in form and 'name="body_3_ru"' in form and 'name="heading_2_ru"' in form
    tags = {re.search(r'name="(\w+)"', t).group(1): t for t in re.findall(r"<(?:input|textarea)[^>]*>", form)}
    russian = sorted(name for name, tag in tags.items() if 'lang="ru"' in tag)
    assert russian == sorted(["title_ru"] + [f"{p}_{n}_ru" for p in ("heading", "body") for n in (1, 2, 3)])
    assert 'lang="en"' in tags["body_1"] and 'maxlength="300"' in tags["title_ru"]
    assert 'maxlength="200"' in tags["heading_3_ru"] and 'maxlength="20000"' in tags["body_2_ru"]
    assert client.post(f"/meetings/{meeting.id}/briefs/new", data=FORM).status_code == 302
    brief = db.session.scalar(select(Brief))
    assert (brief.title, brief.title_ru) == ("Repatriation in 2025", "Репатриация в 2025 году")
    assert brief.sections[0]["heading_ru"] == "Кратко" and brief.sections[0]["body_ru"].startswith("Казахстан")
    assert brief.sections[1] == {"heading": "Method", "body": "Only *English* here.", "heading_ru": "", "body_ru": ""}
    draft = _page(client, f"/meetings/briefs/{brief.id}")  # not compiled: the brief's own title
    assert '<h1 class="h2">Repatriation in 2025</h1>' in draft
    edit = _page(client, f"/meetings/briefs/{brief.id}/edit")
    assert "Репатриация в 2025 году" in edit and "Казахстан **представил**" in edit
    client.post(f"/meetings/briefs/{brief.id}/compile")
    _as(client, "ru")
    labels = _page(client, f"/meetings/briefs/{brief.id}/edit")
    assert "Заголовок раздела 2 на русском" in labels and "Текст раздела 3 на английском (Markdown)" in labels
    page = _page(client, f"/meetings/briefs/{brief.id}")
    section = page[page.index('id="sec-1"') : page.index('id="sec-2"')]
    assert "<script>" not in section and "&lt;script&gt;" in section  # sanitised as the English side


def test_a_russian_reader_sees_the_brief_in_russian(client, db, login_as, meeting, accepted):
    brief = _compiled(client, db, login_as, meeting)
    snapshot = db.session.scalar(select(BriefEdition)).snapshot
    assert snapshot["title"] == {"en": "Repatriation in 2025", "ru": "Репатриация в 2025 году"}
    assert snapshot["sections"][0]["heading"] == {"en": "Summary", "ru": "Кратко"}
    assert snapshot["meeting"]["place_ru"] == "Астана"
    _as(client, "ru")
    page = _page(client, f"/meetings/briefs/{brief.id}")
    assert "<title>Репатриация в 2025 году" in page and "<h2>Кратко</h2>" in page
    assert "Казахстан <strong>представил</strong> отчёт." in page
    assert "Repatriation in 2025" not in page and "Summary" not in page and "Kazakhstan <strong>" not in page
    printed = _page(client, f"/meetings/briefs/{brief.id}/print")
    assert "<h1>Репатриация в 2025 году</h1>" in printed and '<span data-testid="place">Астана</span>' in printed
    assert "Astana" not in printed and "Summary" not in printed
    detail = _page(client, f"/meetings/{meeting.id}")
    assert "Репатриация в 2025 году" in detail and "Repatriation in 2025" not in detail
    rows = _brief_sheet(client, brief.id, "Справка")
    assert rows[0] == ("Репатриация в 2025 году", None) and ("Астана", None) in rows
    assert ("Кратко", None) in rows and ("Казахстан представил отчёт. <script>alert(1)</script>", None) in rows
    _as(client, "en")
    english = _page(client, f"/meetings/briefs/{brief.id}")
    assert "<h2>Summary</h2>" in english and "Кратко" not in english and "Репатриация" not in english
    assert ("Astana", None) in _brief_sheet(client, brief.id, "Brief")


def test_the_pdf_is_in_the_readers_language(client, db, login_as, meeting, accepted):
    _weasyprint_or_skip()
    brief = _compiled(client, db, login_as, meeting)
    _as(client, "ru")
    russian = _pdf_text(client, f"/meetings/briefs/{brief.id}.pdf")
    assert "Репатриация в 2025 году" in russian and "Кратко" in russian and "Астана" in russian
    assert "Repatriation in 2025" not in russian and "Summary" not in russian
    _as(client, "en")
    english = _pdf_text(client, f"/meetings/briefs/{brief.id}.pdf")
    assert "Repatriation in 2025" in english and "Summary" in english and "Кратко" not in english


def test_a_missing_side_shows_the_other_marked(client, db, login_as, meeting, accepted):
    brief = _compiled(client, db, login_as, meeting, title_ru="", heading_1="", body_1="")
    _as(client, "ru")
    page = _page(client, f"/meetings/briefs/{brief.id}")
    assert '<span lang="en">Repatriation in 2025</span>' in page
    assert '<h2><span lang="en">Method</span>' in page and '<div lang="en"><p>Only <em>English</em> here.</p>' in page
    assert page.count('data-testid="fallback"') == 3  # title, the second section's heading and text
    assert page.count("только на английском") == 3
    printed = _page(client, f"/meetings/briefs/{brief.id}/print")
    assert '<h1><span lang="en">Repatriation in 2025</span>' in printed and "только на английском" in printed
    rows = _brief_sheet(client, brief.id, "Справка")
    assert rows[0] == ("Repatriation in 2025", "только на английском") and ("Кратко", None) in rows
    assert ("Only English here.", "только на английском") in rows
    _as(client, "en")
    english = _page(client, f"/meetings/briefs/{brief.id}")
    assert '<h2><span lang="ru">Кратко</span>' in english and "Russian only" in english
    assert english.count('data-testid="fallback"') == 2  # the first section's heading and text


def test_a_russian_only_brief_is_accepted(client, db, login_as, meeting, accepted):
    brief = _compiled(client, db, login_as, meeting, title="")
    assert (brief.title, brief.title_ru) == ("", "Репатриация в 2025 году")
    _as(client, "en")
    assert '<span lang="ru">Репатриация в 2025 году</span>' in _page(client, f"/meetings/briefs/{brief.id}")


def test_a_brief_needs_a_title_in_one_language(client, db, login_as, meeting):
    login_as("secretariat")
    response = client.post(f"/meetings/{meeting.id}/briefs/new", data={**FORM, "title": "", "title_ru": ""})
    assert response.status_code == 400 and "Enter a title." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Brief)) == 0


@pytest.mark.parametrize(
    ("field", "limit", "label"),
    [
        ("title_ru", 300, "Title in Russian"),
        ("heading_1_ru", 200, "Section 1 heading in Russian"),
        ("body_2_ru", 20000, "Section 2 text in Russian (Markdown)"),
        ("body_3", 20000, "Section 3 text in English (Markdown)"),
    ],
)
def test_an_over_long_text_is_refused_naming_its_field(client, db, login_as, meeting, field, limit, label):
    login_as("secretariat")
    response = client.post(f"/meetings/{meeting.id}/briefs/new", data={**FORM, field: "я" * (limit + 1)})
    assert response.status_code == 400
    assert f"{label} is too long: {limit + 1} characters, at most {limit}." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Brief)) == 0


def test_the_service_refuses_an_over_long_part_by_its_name(db, meeting):
    with pytest.raises(ServiceError) as refused:
        brief_service.clean_sections([{"heading": "A"}, {"body_ru": "я" * 20001}])
    assert refused.value.field == "sections[2].body_ru"
    with pytest.raises(ServiceError) as refused:
        new_brief(meeting, title_ru="я" * 301)
    assert refused.value.field == "title_ru"


def test_the_api_gives_both_languages(client, db, login_as, create_user, meeting, accepted):
    brief = _compiled(client, db, login_as, meeting)
    use_token(client, create_user("delegate"))
    data = client.get(f"/api/v1/briefs/{brief.id}").json
    assert (data["title"], data["title_ru"]) == ("Repatriation in 2025", "Репатриация в 2025 году")
    assert data["snapshot"]["sections"][0]["heading"]["ru"] == "Кратко"
    listed = client.get(f"/api/v1/meetings/{meeting.id}").json["briefs"]
    assert listed == [
        {"id": brief.id, "title": "Repatriation in 2025", "title_ru": "Репатриация в 2025 году", "editions": 1}
    ]


def test_an_edition_compiled_in_one_language_still_renders(client, db, login_as, meeting, accepted):
    brief = _compiled(client, db, login_as, meeting)
    edition = db.session.scalar(select(BriefEdition))
    old = dict(edition.snapshot)
    old["title"] = "Repatriation in 2025"  # as editions were frozen before 0017
    old["sections"] = [{"heading": "Summary", "html": "<p>Kazakhstan <strong>reported</strong>.</p>"}]
    old["meeting"] = {k: v for k, v in old["meeting"].items() if k != "place_ru"}
    edition.snapshot = old
    db.session.commit()
    _as(client, "ru")
    page = _page(client, f"/meetings/briefs/{brief.id}")
    assert '<span lang="en">Repatriation in 2025</span>' in page
    assert '<div lang="en"><p>Kazakhstan <strong>reported</strong>.</p></div>' in page
    printed = _page(client, f"/meetings/briefs/{brief.id}/print")
    assert '<span data-testid="place"><span lang="en">Astana</span>' in printed
    assert _brief_sheet(client, brief.id, "Справка")[0] == ("Repatriation in 2025", "только на английском")
    _as(client, "en")
    english = _page(client, f"/meetings/briefs/{brief.id}")
    assert "<h2>Summary</h2>" in english and 'data-testid="fallback"' not in english


def test_frozen_tells_an_old_strings_language_from_its_letters():
    assert bilingual.frozen({"en": "A", "ru": "Б"}, "ru") == ("Б", "ru", False)
    assert bilingual.frozen("Кратко", "en") == ("Кратко", "ru", True)
    assert bilingual.frozen("Summary", "en") == ("Summary", "en", False)
    assert bilingual.frozen(None, "ru") == ("", "ru", False)
    assert str(bilingual.frozen({"en": "<p>x</p>", "ru": ""}, "ru", html=True).text) == "<p>x</p>"


def _migration():
    spec = importlib.util.spec_from_file_location("migration_0017", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_0017_moves_text_on_both_databases(db, meeting):
    """The data step of 0017 on this leg's database: titles and section parts written
    mostly in Cyrillic move to the Russian side; downgrade's step brings them back."""
    migration = _migration()
    brief = brief_service.save_brief(
        None, meeting, title="x", period="2025", indicators=["REP01"], countries=[], charts=[], sections=[], actor=None
    )
    db.session.flush()
    old_sections = [
        {"heading": "Обзор положения (UNOCT)", "body": "Only English"},
        {"heading": "Method", "body": "Текст"},
    ]
    connection = db.session.connection()
    connection.execute(
        sa.update(Brief).where(Brief.id == brief.id).values(title="Справка к заседанию", sections=old_sections)
    )
    assert migration.move_cyrillic(connection) == 1
    row = connection.execute(select(Brief.title, Brief.title_ru, Brief.sections).where(Brief.id == brief.id)).one()
    assert (row.title, row.title_ru) == ("", "Справка к заседанию")
    assert row.sections == [
        {"heading": "", "body": "Only English", "heading_ru": "Обзор положения (UNOCT)", "body_ru": ""},
        {"heading": "Method", "body": "", "heading_ru": "", "body_ru": "Текст"},
    ]
    assert migration.move_cyrillic(connection) == 0  # a second run changes nothing
    migration.restore_russian_only(connection)
    row = connection.execute(select(Brief.title, Brief.sections).where(Brief.id == brief.id)).one()
    assert row.title == "Справка к заседанию" and row.sections == old_sections


def test_migration_0017_upgrade_and_downgrade(tmp_path):
    """On a scratch SQLite file: a brief written at 0016, then upgraded and downgraded again."""
    app = create_app(base_config(f"sqlite:///{tmp_path / 'scratch.db'}", tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision="0016")
        with _db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO brief (id, meeting_id, title, period_id, indicators, countries, charts, sections, "
                    "library_refs, updated_at) VALUES (1, 1, 'Справка', 1, '[]', '[]', '[]', "
                    """'[{"heading": "Summary", "body": "Кыргызстан сообщил"}]', '[]', '2025-01-01 00:00:00')"""
                )
            )
        flask_migrate.upgrade(revision="0017")
        with _db.engine.connect() as conn:
            title, title_ru, sections = conn.execute(sa.text("SELECT title, title_ru, sections FROM brief")).one()
            assert (title, title_ru) == ("", "Справка")
            assert json.loads(sections) == [
                {"heading": "Summary", "body": "", "heading_ru": "", "body_ru": "Кыргызстан сообщил"}
            ]
        flask_migrate.downgrade(revision="0016")
        with _db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT title FROM brief")).scalar() == "Справка"
            assert "title_ru" not in {c["name"] for c in sa.inspect(conn).get_columns("brief")}
            sections = json.loads(conn.execute(sa.text("SELECT sections FROM brief")).scalar())
            assert sections == [{"heading": "Summary", "body": "Кыргызстан сообщил"}]
        _db.engine.dispose()
