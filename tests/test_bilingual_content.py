"""Meetings and action plans in both languages: each reader sees their own language, or the
other one marked as such; the forms take both side by side and refuse over-long text by
naming the field; migration 0016 moves existing text into the right column."""

from datetime import date

import flask_migrate
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from portal import create_app
from portal.extensions import db as _db
from portal.models import ActionPlan, AgendaItem, Meeting
from portal.services import bilingual
from portal.services import seed as seed_service
from portal.services.meetings import meetings as meeting_service

from .conftest import base_config, use_token


@pytest.fixture
def astana(db, return_setup):
    return db.session.scalar(select(Meeting).where(Meeting.place == "Astana"))


@pytest.fixture
def kyrgyz_plan(db, library):
    return db.session.scalar(select(ActionPlan).where(ActionPlan.start_year == 2025))


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_pick_prefers_the_readers_language_and_marks_the_other():
    assert bilingual.pick("Tashkent", "Ташкент", "ru") == ("Ташкент", "ru", False)
    assert bilingual.pick("Tashkent", "Ташкент", "en") == ("Tashkent", "en", False)
    assert bilingual.pick("Tashkent", "", "ru") == ("Tashkent", "en", True)
    assert bilingual.pick(None, " Ташкент ", "en") == ("Ташкент", "ru", True)
    assert bilingual.pick("", None, "ru") == ("", "ru", False)
    assert bilingual.is_cyrillic("Заседание (UNOCT)") and not bilingual.is_cyrillic("Meeting in Астана")


def test_a_russian_reader_sees_the_meeting_in_russian(client, login_as, astana):
    login_as("delegate", language="ru")
    page = _page(client, f"/meetings/{astana.id}")
    assert "Межрегиональный диалог" in page and "Астана" in page
    assert "Министерство культуры и информации Казахстана" in page
    assert "Вступительное слово" in page and "Национальный опыт репатриации и реинтеграции" in page
    assert "Источник: Caspian Post со ссылкой на ОБСЕ" in page
    assert "Opening remarks" not in page and "Co-organised" not in page and "только на английском" not in page
    listing = _page(client, "/meetings/")
    assert "Ташкент" in listing and "Онлайн" in listing and "Tashkent" not in listing


def test_an_english_reader_sees_the_meeting_in_english(client, login_as, astana):
    login_as("delegate", language="en")
    page = _page(client, f"/meetings/{astana.id}")
    assert "Cross-regional dialogue" in page and "Astana" in page and "Opening remarks" in page
    assert "Source: Caspian Post citing OSCE" in page
    assert "Вступительное слово" not in page and "Russian only" not in page


def test_the_demo_meetings_source_is_russian_too(client, db, login_as, return_setup):
    entries = seed_service._load_yaml(seed_service.SEED_DIR / "meetings.yaml")["demo_meetings"]
    assert meeting_service.load_meetings(entries) == 1
    db.session.commit()
    demo = db.session.scalar(select(Meeting).where(Meeting.source == "demo data"))
    login_as("delegate", language="ru")
    page = _page(client, f"/meetings/{demo.id}")
    assert "Источник: демонстрационные данные" in page and "demo data" not in page
    assert "Программа Кыргызстана на 2025–2030 годы" in page


def test_a_missing_russian_side_shows_the_english_marked(client, db, login_as, return_setup):
    meeting = meeting_service.save_meeting(
        None,
        title="Expert seminar",
        title_ru=None,
        start_date=date(2027, 3, 1),
        end_date=date(2027, 3, 1),
        host=None,
        format="online",
        place="Dushanbe",
        description="Only **English** so far.",
    )
    db.session.flush()
    meeting_service.set_agenda(meeting, meeting_service.parse_agenda("Welcome\nTJ: Practice", "\nПрактика"))
    db.session.commit()
    login_as("delegate", language="ru")
    page = _page(client, f"/meetings/{meeting.id}")
    assert '<span lang="en">Dushanbe</span>' in page and '<span lang="en">Welcome</span>' in page
    assert '<div lang="en"><p>Only <strong>English</strong> so far.</p>' in page
    assert page.count("только на английском") == 4  # title, place, description, the first agenda item
    assert "Практика" in page and "TJ: Practice" not in page and ">Practice<" not in page  # has its Russian


def test_a_russian_reader_sees_the_plan_in_russian(client, login_as, kyrgyz_plan):
    login_as("delegate", language="ru")
    page = _page(client, f"/library/plans/{kyrgyz_plan.id}")
    assert "Программа реабилитации и реинтеграции возвращенцев на 2025–2030 годы" in page
    assert "Пятилетняя программа Кыргызстана" in page and "Укреплять взаимное <strong>доверие</strong>" in page
    assert "Кабинет министров Кыргызской Республики" in page
    assert '<dd class="col-sm-8" data-testid="instrument">не опубликовано</dd>' in page
    assert '<th scope="col">Мера</th>' in page and "Показатель" not in page
    assert "Противодействие стигме" in page and "Межведомственная рабочая группа (2022)" in page
    for english in ("five-year plan for the rehabilitation", "Cabinet of Ministers", "Counter stigma", "not published"):
        assert english not in page
    assert "только на английском" not in page


def test_an_english_reader_sees_the_plan_in_english(client, login_as, kyrgyz_plan):
    login_as("delegate", language="en")
    page = _page(client, f"/library/plans/{kyrgyz_plan.id}")
    assert "five-year plan for the rehabilitation" in page and '<th scope="col">Measure</th>' in page
    assert "Counter stigma" in page and ">not published</dd>" in page
    assert "Пятилетняя" not in page and "Противодействие стигме" not in page


def test_a_plan_without_russian_measures_shows_them_in_english_marked(client, db, login_as, kyrgyz_plan):
    for measure in kyrgyz_plan.measures:
        measure.text_ru = measure.agencies_ru = ""
    kyrgyz_plan.summary_ru = ""
    db.session.commit()
    login_as("delegate", language="ru")
    page = _page(client, f"/library/plans/{kyrgyz_plan.id}")
    assert '<span lang="en">Counter stigma: avoid stereotypes' in page
    assert "five-year plan for the rehabilitation" in page and page.count("только на английском") == 5 * 2 + 1


def test_the_library_list_shows_the_plan_title_in_the_readers_language(client, login_as, kyrgyz_plan):
    login_as("delegate", language="ru")
    page = _page(client, "/library/?type=action_plan&country=KG")
    assert "Программа реабилитации и реинтеграции возвращенцев на 2025–2030 годы" in page
    assert "Programme on the rehabilitation" not in page
    found = _page(client, "/library/?q=программа&type=action_plan&country=KG")
    assert "<mark>Программа</mark> реабилитации" in found
    client.post("/auth/language", data={"language": "en", "next": "/"})
    assert "Programme on the rehabilitation and reintegration of returnees" in _page(client, "/library/?country=KG")


def test_the_api_gives_both_languages(client, db, create_user, astana, kyrgyz_plan):
    plan = client.get(f"/api/v1/action-plans/{kyrgyz_plan.id}").json  # public, before signing in
    use_token(client, create_user("delegate"))
    meeting = client.get(f"/api/v1/meetings/{astana.id}").json
    assert (meeting["place"], meeting["place_ru"]) == ("Astana", "Астана")
    assert meeting["source_ru"] == "Caspian Post со ссылкой на ОБСЕ (справочный текст 004)"
    assert meeting["description_ru"].startswith("Организаторы")
    assert meeting["agenda"][0]["title_ru"] == "Вступительное слово"
    assert plan["summary_ru"].startswith("Пятилетняя") and plan["authority_ru"].startswith("Кабинет")
    assert plan["instrument"] is None and plan["instrument_ru"] is None
    assert plan["measures"][1]["text_ru"].startswith("Противодействие") and plan["measures"][1]["agencies_ru"]


def _meeting_form(**changes) -> dict:
    return {
        "title": "Working group on psychosocial support",
        "title_ru": "Рабочая группа по психосоциальной поддержке",
        "start_date": "2027-06-01",
        "end_date": "2027-06-01",
        "format": "online",
        "host": "KZ",
        "place": "Online",
        "place_ru": "Онлайн",
        "description": "Online <script>x</script> meeting",
        "description_ru": "Встреча онлайн <img src=x onerror=alert(1)>",
        "source": "secretariat",
        "source_ru": "секретариат",
        "agenda": "Opening\nKG: National practice\n",
        "agenda_ru": "Открытие\nKG: Национальная практика\nTJ: Только по-русски",
        **changes,
    }


def test_the_meeting_form_stores_both_languages(client, db, login_as, return_setup):
    login_as("secretariat")
    form = _page(client, "/meetings/new")
    assert 'lang="ru"' in form and 'name="place_ru"' in form and 'maxlength="200"' in form
    response = client.post("/meetings/new", data=_meeting_form())
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == "Working group on psychosocial support"))
    assert (meeting.place, meeting.place_ru, meeting.source_ru) == ("Online", "Онлайн", "секретариат")
    assert [(a.title, a.title_ru, a.presenter_country and a.presenter_country.iso2) for a in meeting.agenda] == [
        ("Opening", "Открытие", None),
        ("National practice", "Национальная практика", "KG"),
        ("", "Только по-русски", "TJ"),
    ]
    client.post("/auth/language", data={"language": "ru", "next": "/"})
    page = _page(client, f"/meetings/{meeting.id}")
    assert "<img" not in page.split('data-testid="description"')[1].split("</div>")[0]
    assert "Встреча онлайн" in page
    edit = _page(client, f"/meetings/{meeting.id}/edit")
    assert "KG: Национальная практика" in edit and "Открытие" in edit


@pytest.mark.parametrize(
    ("field", "limit", "label"),
    [("place_ru", 200, "Place in Russian"), ("title_ru", 300, "Title in Russian"), ("agenda", 20000, "Agenda")],
)
def test_an_over_long_meeting_text_is_refused_naming_its_field(client, db, login_as, return_setup, field, limit, label):
    login_as("secretariat")
    before = db.session.scalar(select(sa.func.count()).select_from(Meeting))
    response = client.post("/meetings/new", data=_meeting_form(**{field: "я" * (limit + 1)}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"{label}" in page and f"is too long: {limit + 1} characters, at most {limit}." in page
    assert db.session.scalar(select(sa.func.count()).select_from(Meeting)) == before


def test_an_over_long_agenda_item_is_refused_naming_its_line(db, return_setup):
    with pytest.raises(meeting_service.ServiceError) as refused:
        meeting_service.parse_agenda("Opening", "Открытие\n" + "я" * 301)
    assert refused.value.field == "agenda_ru" and "line 2" in str(refused.value.message)


PLAN_FORM = {
    "title": "Plan for testing",
    "title_ru": "План для проверки",
    "country": "TJ",
    "language": "en",
    "start_year": "2025",
    "end_year": "2030",
    "status": "draft",
    "visibility": "council",
    "authority": "Government",
    "authority_ru": "Правительство",
    "instrument": "Resolution No. 1",
    "instrument_ru": "Постановление № 1",
    "summary": "A plan",
    "summary_ru": "План",
    "objectives": "- Trust",
    "objectives_ru": "- Доверие <script>alert(1)</script>",
    "measures": "reintegration | in_progress | Mentoring | MoJ | 2026\nprevention | not_started |  | | 2027",
    "measures_ru": "Наставничество | Минюст\nТолько по-русски | Хукумат",
}


def test_the_plan_form_stores_both_languages(client, db, library, login_as):
    login_as("secretariat")
    form = _page(client, "/library/plans/new")
    assert 'name="summary_ru"' in form and 'lang="ru"' in form and 'name="measures_ru"' in form
    assert client.post("/library/plans/new", data=PLAN_FORM).status_code == 302
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.title == "Plan for testing"))
    assert (plan.title_ru, plan.authority_ru, plan.instrument_ru, plan.summary_ru) == (
        "План для проверки",
        "Правительство",
        "Постановление № 1",
        "План",
    )
    assert [(m.text, m.text_ru, m.agencies, m.agencies_ru) for m in plan.measures] == [
        ("Mentoring", "Наставничество", "MoJ", "Минюст"),
        ("", "Только по-русски", "", "Хукумат"),
    ]
    client.post("/auth/language", data={"language": "ru", "next": "/"})
    page = _page(client, f"/library/plans/{plan.id}")
    assert "<script>alert(1)</script>" not in page and "Доверие" in page
    assert "Только по-русски" in page and "Наставничество" in page
    edit = _page(client, f"/library/plans/{plan.id}/edit")
    assert "Наставничество | Минюст" in edit and "prevention | not_started |  |  | 2027" in edit
    # Editing the Russian side alone is saved, and a measure's progress updates are kept.
    measure = plan.measures[0]
    assert (
        client.post(
            f"/library/plans/measures/{measure.id}/updates",
            data={"on_date": "2025-06-01", "status": "in_progress", "text": "Pilot", "text_ru": "Пилот"},
        ).status_code
        == 303
    )
    changed = {**PLAN_FORM, "measures_ru": "Наставничество молодёжи | Минюст\nТолько по-русски | Хукумат"}
    assert client.post(f"/library/plans/{plan.id}/edit", data=changed).status_code == 302
    db.session.expire_all()
    assert plan.measures[0].text_ru == "Наставничество молодёжи"
    assert [(u.text, u.text_ru) for u in plan.measures[0].updates] == [("Pilot", "Пилот")]
    assert "Пилот" in _page(client, f"/library/plans/{plan.id}")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"summary_ru": "я" * 5001}, "Summary in Russian is too long: 5001 characters, at most 5000."),
        ({"authority_ru": "я" * 301}, "Adopted by, in Russian is too long: 301 characters, at most 300."),
        (
            {"measures_ru": "я" * 5001 + " | Минюст"},
            "measures[1].text_ru is too long (at most 5000 characters).",
        ),
        ({"measures_ru": "Мера | " + "я" * 501}, "measures[1].agencies_ru is too long (at most 500 characters)."),
    ],
)
def test_an_over_long_plan_text_is_refused_naming_its_field(client, db, library, login_as, change, message):
    login_as("secretariat")
    before = db.session.scalar(select(sa.func.count()).select_from(ActionPlan))
    response = client.post("/library/plans/new", data={**PLAN_FORM, **change})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(sa.func.count()).select_from(ActionPlan)) == before


def test_an_over_long_progress_note_is_refused(client, db, library, login_as, kyrgyz_plan):
    login_as("secretariat")
    measure = kyrgyz_plan.measures[0]
    response = client.post(
        f"/library/plans/measures/{measure.id}/updates",
        data={"on_date": "2025-06-01", "status": "done", "text_ru": "я" * 5001},
    )
    assert response.status_code == 400 and "What happened, in Russian" in response.get_data(as_text=True)
    db.session.refresh(measure)
    assert measure.updates == [] and measure.status == "not_started"


def test_seeding_again_adds_the_russian_to_meetings_and_plans_seeded_before_it(db, return_setup, kyrgyz_plan):
    astana = db.session.scalar(select(Meeting).where(Meeting.place == "Astana"))
    astana.place_ru, astana.description_ru = "", "Написано вручную"
    for item in astana.agenda:
        item.title_ru = ""
    kyrgyz_plan.summary_ru = ""
    kyrgyz_plan.measures[0].text_ru = ""
    db.session.flush()
    meeting_service.load_meetings(seed_service._load_yaml(seed_service.SEED_DIR / "meetings.yaml")["meetings"])
    from portal.services.library.seed import load_library

    assert load_library(seed_service.SEED_DIR / "library") == 0
    assert astana.place_ru == "Астана" and astana.description_ru == "Написано вручную"
    assert [a.title_ru for a in astana.agenda][0] == "Вступительное слово"
    assert kyrgyz_plan.summary_ru.startswith("Пятилетняя") and kyrgyz_plan.measures[0].text_ru.startswith("Укреп")


def test_migration_0016_moves_cyrillic_text_and_downgrade_keeps_it(tmp_path):
    """On a scratch SQLite file: rows written at 0014, then upgraded and downgraded again."""
    app = create_app(base_config(f"sqlite:///{tmp_path / 'scratch.db'}", tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision="0014")
        with _db.engine.begin() as conn:
            # (SQLite does not enforce the plan's country here: no country row is needed.)
            conn.execute(
                sa.text(
                    "INSERT INTO meeting (id, title, start_date, end_date, place, format, description, source, "
                    "created_at) VALUES (1, 'Meeting', '2025-01-01', '2025-01-01', 'Бишкек', 'in_person', "
                    "'Only English here', 'данные секретариата (UNOCT)', '2025-01-01 00:00:00')"
                )
            )
            conn.execute(
                sa.text("INSERT INTO agenda_item (id, meeting_id, position, title) VALUES (1, 1, 0, 'Открытие')")
            )
            conn.execute(
                sa.text("INSERT INTO agenda_item (id, meeting_id, position, title) VALUES (2, 1, 1, 'Closing')")
            )
            conn.execute(
                sa.text(
                    "INSERT INTO action_plan (id, title, language, state, visibility, review_comment, sources, "
                    "created_at, updated_at, country_id, title_ru, start_year, end_year, authority, instrument, "
                    "status, summary, objectives) VALUES (1, 'Plan', 'en', 'draft', 'council', '', '[]', "
                    "'2025-01-01 00:00:00', '2025-01-01 00:00:00', 1, '', 2025, 2030, 'Кабинет министров', '', "
                    "'draft', 'An English summary', '- Доверие')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO plan_measure (id, plan_id, position, text, phase, agencies, timeline, status) "
                    "VALUES (1, 1, 1, 'Наставничество', 'reintegration', 'MoJ', '2026', 'not_started')"
                )
            )
        flask_migrate.upgrade(revision="0016")
        with _db.engine.connect() as conn:
            meeting = conn.execute(
                sa.text("SELECT place, place_ru, description, description_ru, source, source_ru FROM meeting")
            ).one()
            assert tuple(meeting) == ("", "Бишкек", "Only English here", "", "", "данные секретариата (UNOCT)")
            agenda = conn.execute(sa.text("SELECT title, title_ru FROM agenda_item ORDER BY position")).all()
            assert [tuple(a) for a in agenda] == [("", "Открытие"), ("Closing", "")]
            plan = conn.execute(
                sa.text(
                    "SELECT authority, authority_ru, summary, summary_ru, objectives, objectives_ru FROM action_plan"
                )
            ).one()
            assert tuple(plan) == ("", "Кабинет министров", "An English summary", "", "", "- Доверие")
            measure = conn.execute(sa.text("SELECT text, text_ru, agencies, agencies_ru FROM plan_measure")).one()
            assert tuple(measure) == ("", "Наставничество", "MoJ", "")
        flask_migrate.downgrade(revision="0014")
        with _db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT place, source FROM meeting")).one() == (
                "Бишкек",
                "данные секретариата (UNOCT)",
            )
            assert [r[0] for r in conn.execute(sa.text("SELECT title FROM agenda_item ORDER BY position"))] == [
                "Открытие",
                "Closing",
            ]
            assert conn.execute(sa.text("SELECT text FROM plan_measure")).scalar() == "Наставничество"
            columns = {c["name"] for c in sa.inspect(conn).get_columns("meeting")}
            assert "place_ru" not in columns and "place" in columns
        _db.engine.dispose()


def test_agenda_items_keep_their_order_and_languages(db, return_setup):
    items = meeting_service.parse_agenda("A\n\nC", "А\nБ")
    assert items == [("A", "А", None), ("", "Б", None), ("C", "", None)]
    assert AgendaItem.__table__.c.title_ru.type.length == 300


def test_a_plan_is_found_by_the_words_of_either_language(db, kyrgyz_plan):
    """The search document of a plan holds both languages (search._plain): its Russian
    summary and measures find it as its English ones do."""
    from portal.services.library import search

    search.index_item(kyrgyz_plan)
    db.session.commit()
    russian_word = next(w for w in (kyrgyz_plan.summary_ru or "").split() if len(w) > 6)
    english_word = next(w for w in (kyrgyz_plan.summary or "").split() if len(w) > 6)
    for word in (russian_word, english_word):
        found = search.search(None, word.strip(".,;:()«»"))
        assert kyrgyz_plan.id in [h.doc.item_id for h in found.hits if h.doc.item_kind == "action_plan"], word
