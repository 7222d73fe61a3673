"""Every page (tests/pages.py) for every role that may open it, in English and in Russian, in
Chromium: it fits a 1366 × 900 screen and a 390 × 844 phone (nothing wider than the viewport,
the header's items all inside it), and axe-core (from the npm registry: tests/js, installed
by `make test-tools`) finds no violation of impact serious or critical against WCAG 2.2 AA.

Each role signs in once per language (a saved browser state); each page is its own case.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ..pages import PAGES, USERS, ids, visits
from .conftest import _unavailable

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}

# What is wider than the viewport, and which header items stick out of it.
MEASURE = """() => {
  const width = window.innerWidth;
  const outside = [...document.querySelectorAll('header a, header button, header form')]
    .filter(e => e.offsetParent !== null)
    .filter(e => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > width + 0.5; })
    .map(e => (e.textContent || e.getAttribute('aria-label') || e.tagName).trim().slice(0, 40));
  return {document: document.documentElement.scrollWidth, viewport: width, outside};
}"""
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _unavailable(f"accessibility tests: {AXE} not found (make test-tools installs axe-core with npm ci)")
    return AXE.read_text()


@pytest.fixture(scope="session")
def urls(pages_app) -> dict[str, str]:
    base, app = pages_app
    from portal.extensions import db

    with app.app_context():
        found = ids(db.session)
        db.session.remove()
    return {rule: base + url.format(**found) for rule, (url, _roles) in PAGES.items()}


@pytest.fixture(scope="session")
def signed_in(browser, pages_app, tmp_path_factory):
    """signed_in(role, language) -> a saved browser state: signed in as `role` (or not), with
    the interface in `language` chosen with the header's switch."""
    live_server = pages_app[0]
    states: dict[tuple[str, str], str] = {}

    def state(role: str, language: str) -> str:
        if (role, language) not in states:
            context = browser.new_context(locale="en-GB")
            page = context.new_page()
            if role in USERS:
                page.goto(f"{live_server}/auth/login")
                page.fill("#email", USERS[role][0])
                page.fill("#password", USERS[role][1])
                page.click("main button[type=submit]")
                page.wait_for_url(f"{live_server}/")
            else:
                page.goto(f"{live_server}/auth/login")
            page.locator(f"header button[name=language][value={language}]").dispatch_event("click")
            page.wait_for_function(f"document.documentElement.lang === '{language}'")
            path = tmp_path_factory.mktemp("state") / f"{role}-{language}.json"
            context.storage_state(path=str(path))
            context.close()
            states[(role, language)] = str(path)
        return states[(role, language)]

    return state


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("role, rule", visits(), ids=[f"{r}-{p}" for r, p in visits()])
def test_page_fits_and_passes_axe(browser, signed_in, urls, axe_source, role, rule, language):
    # bypass_csp: the page's own Content-Security-Policy would refuse the injected axe script;
    # it changes nothing that axe looks at.
    context = browser.new_context(storage_state=signed_in(role, language), viewport=WIDE, bypass_csp=True)
    try:
        page = context.new_page()
        response = page.goto(urls[rule])
        assert response is not None and response.status == 200, (urls[rule], response and response.status)
        assert page.evaluate("document.documentElement.lang") == language
        wide = page.evaluate(MEASURE)
        assert wide["document"] <= wide["viewport"] and not wide["outside"], ("1366 px", wide)
        page.add_script_tag(content=axe_source)
        violations = page.evaluate(RUN_AXE, AXE_TAGS)
        assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
        page.set_viewport_size(PHONE)
        narrow = page.evaluate(MEASURE)
        assert narrow["document"] <= narrow["viewport"] and not narrow["outside"], ("390 px", narrow)
    finally:
        context.close()


# --- one language at a time -------------------------------------------------------------

# Visible text, but not what is deliberately in another language: content marked with its
# `lang` (an English case study, a name kept in its own script), code, what is marked
# translate="no", and text boxes (they hold what someone wrote, in whatever language).
VISIBLE_TEXT = """(other) => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode, el = node.parentElement;
    // a text box holds what someone wrote, in whatever language
    if (!el || el.closest('script, style, code, kbd, textarea, [translate=no]')) continue;
    const marked = el.closest('[lang]');
    if (marked && marked.getAttribute('lang') !== document.documentElement.lang) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
    out.push(node.textContent);
  }
  return out.join(' ');
}"""
ADDRESSES = re.compile(
    r"\S+@\S+|https?://\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|int|uz|kg|kz|tj|tm|ru|gov|info)\b\S*"
    r"|\S*\.(?:xlsx|ods|csv|pdf|docx|pptx|png|jpe?g|svg)\b",
    re.I,
)
LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]*")
CYRILLIC = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё'’-]*")
# Kept in Latin letters in a Russian text: codes and acronyms (REP01, KZ, UTC, OSCE, PDF) are
# caught by the pattern; these are names of things that have no Russian name.
LATIN_NAMES = {"Excel", "LibreOffice", "Markdown", "SMTP", "Bootstrap", "English"}


def _foreign_words(text: str, language: str, names: set[str]) -> list[str]:
    text = ADDRESSES.sub(" ", text)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    if language == "ru":
        words = [
            w
            for w in LATIN.findall(text)  # codes (REP01, KZ, UTC, OSCE) and flags (c, e, p) are not words
            if not re.fullmatch(r"[A-Z]{1,6}[a-z]?\d*-?|[a-z]", w) and w not in LATIN_NAMES
        ]
    else:
        words = [w for w in CYRILLIC.findall(text) if w != "Русский"]
    return sorted(set(words))


@pytest.fixture(scope="session")
def proper_names(pages_app) -> set[str]:
    """People's names as they wrote them (a name is not translated)."""
    _base, app = pages_app
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import User

    with app.app_context():
        found = set(db.session.scalars(select(User.name)))
        db.session.remove()
    return found


# Pages that still show text in the other language, unmarked, and why. Strict: a page that
# becomes right fails here until its line is removed.
STILL_MIXED = {
    ("/library/", "en"): "Russian case studies in the English list are not yet marked with their language",
    ("/library/", "ru"): "English case studies in the Russian list are not yet marked, nor linked to a Russian version",
    ("/library/?q", "en"): "as /library/ (signed-in readers: the anonymous one sees no Russian item here)",
    ("/library/?q", "ru"): "as /library/",
}


def _language_cases():
    for role, rule in visits():
        for language in ("en", "ru"):
            reason = STILL_MIXED.get((rule, language))
            if (rule, language, role) == ("/library/?q", "en", "anonymous"):
                reason = None
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            yield pytest.param(role, rule, language, marks=marks, id=f"{role}-{rule}-{language}")


@pytest.mark.parametrize("role, rule, language", list(_language_cases()))
def test_page_speaks_the_readers_language(browser, signed_in, urls, proper_names, role, rule, language):
    """No visible run of Latin letters in the Russian interface that is not a code, an address
    or a name (and no Cyrillic in the English one), unless marked as another language."""
    context = browser.new_context(storage_state=signed_in(role, language), viewport=WIDE)
    try:
        page = context.new_page()
        assert page.goto(urls[rule]).status == 200
        words = _foreign_words(page.evaluate(VISIBLE_TEXT), language, proper_names)
        assert words == [], f"{language} page with other words: {words[:40]}"
    finally:
        context.close()
