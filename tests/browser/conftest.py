"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against the
portal served from a thread. Without Chromium or Playwright they skip with the reason,
except under CI=true, where that is a failure."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.services import seed as seed_service

from ..conftest import CI, base_config

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _unavailable(message: str):
    if CI:
        pytest.fail(f"{message} (required under CI=true)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The portal with its demo data, on a free port of 127.0.0.1, with CSRF on."""
    with serve(tmp_path_factory.mktemp("live")) as (url, _app):
        yield url


@pytest.fixture(scope="session")
def pages_app(tmp_path_factory):
    """(URL, app): a portal of its own for the visits of every page (test_every_page.py), whose
    language switches are stored as users' preferences and must not reach the other tests."""
    with serve(tmp_path_factory.mktemp("pages")) as served:
        yield served


@contextmanager
def serve(tmp):
    """(URL, app) of the portal with the demo data in `tmp`, served from a thread."""
    config = base_config(f"sqlite:///{tmp / 'live.db'}", tmp)
    config["WTF_CSRF_ENABLED"] = True
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        seed_service.seed(demo=True)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"browser tests: {CHROMIUM} not found (make test installs Debian's chromium as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("browser tests: the playwright package is not installed (make install-test)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
