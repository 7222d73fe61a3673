"""English and Russian: every user-facing string has a Russian translation, and it shows."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "portal" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
METHOD_MAP = [("portal/**.py", "python"), ("portal/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        ROOT, METHOD_MAP, keywords=KEYWORDS, options_map={"portal/templates/**.html": {}}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_has_a_russian_translation():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="ru")
    source = _source_messages()
    assert len(source) > 100
    missing = sorted(m for m in source if not (catalogue.get(m) and catalogue.get(m).string))
    assert missing == [], "untranslated: run `make extract-messages` and translate"
    fuzzy = sorted(m.id for m in catalogue if m.id and m.fuzzy)
    assert fuzzy == []


def test_russian_from_the_browser_language(client):
    page = client.get("/auth/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(as_text=True)
    assert '<html lang="ru">' in page
    assert "Вход" in page and "Пароль" in page


def test_language_switch_persists_for_the_user(client, db, login_as):
    user = login_as("focal_point", country="TJ")
    response = client.post("/auth/language", data={"language": "ru", "next": "/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Ваша страна: Таджикистан" in page
    db.session.expire_all()
    assert user.language == "ru"


def test_unknown_language_is_a_400(client, reference_data):
    response = client.post("/auth/language", data={"language": "fr"})
    assert response.status_code == 400
    assert "Unknown language" in response.get_data(as_text=True)


def test_russian_error_messages(client, login_as):
    login_as("delegate", language="ru")
    page = client.get("/no/such/page").get_data(as_text=True)
    assert "Страница не найдена" in page


def test_the_catalogue_compiles_cleanly():
    """The checks `pybabel compile` makes (placeholders match, …), so a bad entry fails here too."""
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="ru")
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()]
    assert problems == []


def test_templates_follow_force_locale_inside_a_request(app):
    """Templates find their catalogue by a per-request shortcut (i18n._translations): a block
    under force_locale (an e-mail in its reader's language) reads that language's, and the
    page's own language comes back after it."""
    from flask import render_template_string
    from flask_babel import force_locale

    source = "{{ _('Sign in') }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        before = render_template_string(source)
        with force_locale("ru"):
            inside = render_template_string(source)
        after = render_template_string(source)
    assert (before, inside, after) == ("Sign in", "Вход", "Sign in")


def test_the_welcome_follows_the_users_language_not_the_browsers(client, create_user):
    """Seen: a Russian-speaking user with an English browser was welcomed in English."""
    user = create_user("delegate", language="ru")
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct-horse-battery"},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"Добро пожаловать, {user.name}." in page and "Welcome," not in page
