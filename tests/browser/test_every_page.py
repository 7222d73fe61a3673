"""Every page (tests/pages.py) for every role that may open it, in English and in Russian, in
Chromium: it fits a 1366 × 900 screen and a 390 × 844 phone (nothing wider than the viewport,
the header's items all inside it), and axe-core (from the npm registry: tests/js, installed
by `make test-tools`) finds no violation of impact serious or critical against WCAG 2.2 AA.

Each role signs in once per language (a saved browser state); each page is its own case.
"""

from __future__ import annotations

import json
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
