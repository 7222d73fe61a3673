"""Fixtures in the flaskr/Indico style: `app`, `db`, `client`, `runner`, callable
factories (`create_user`) and `login_as(role, country=None)`.

The whole suite runs once per database in TEST_DATABASE_URLS (comma-separated;
default SQLite only). The schema is built by the migrations and the reference data
(countries, then templates and periods) is seeded and committed, once per database.
Each test then runs inside one outer transaction that is rolled back at its end: every
session (the test's own, each request's) and every `db.engine.connect()` joins it with a
SAVEPOINT (`join_transaction_mode="create_savepoint"`, as CERN Indico's conftest does).
A test sees only the seed data it asks for (`reference_data`, `return_setup`): the rest is
deleted inside its transaction.

Tests that need real commits (threads, a second app instance, a separate process, code
that opens its own DBAPI connection, migrations) are marked `committing`: they start from
emptied tables as before, and the baseline is restored after them.

A PostgreSQL leg that cannot connect is skipped with the reason, except under CI=true,
where it fails.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess

import flask_migrate
import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from portal import create_app
from portal.extensions import db as _db
from portal.services import seed as seed_service
from portal.services.accounts import users as user_service

from .factories import cells_report, create_return  # noqa: F401 - a helper and a fixture for the tests
from .transactions import JoinedConnection, seed_baseline, sqlite_real_savepoints, trim_seed

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DATABASE_URLS = [u.strip() for u in os.environ.get("TEST_DATABASE_URLS", "sqlite://").split(",") if u.strip()]
# PRR_TEST_SCHEMA lets two checkouts run the PostgreSQL leg at once without sharing tables.
# Under pytest-xdist (`-n 2`) each worker has a schema of its own: prr_test_gw0, prr_test_gw1.
PG_SCHEMA = os.environ.get("PRR_TEST_SCHEMA", "prr_test") + (
    f"_{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else ""
)
PASSWORD = "correct-horse-battery"


def _leg(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def base_config(url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production-0123456789",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
    }


def _prepare_postgresql(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        message = f"PostgreSQL leg: cannot use {url}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        if CI:
            pytest.fail(message + " (required under CI=true)", pytrace=False)
        pytest.skip(message)
    finally:
        engine.dispose()
    # Our own schema, so other tables in the shared `test` database never interfere.
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{PG_SCHEMA}"


# Every session joins the test's outer transaction with a SAVEPOINT of its own (only matters
# when bound to a Connection, as in the transactional `app` fixture; an Engine bind ignores it).
_db.session.session_factory.configure(join_transaction_mode="create_savepoint")


@pytest.fixture(scope="session", params=DATABASE_URLS, ids=_leg)
def database_url(request, tmp_path_factory):
    url = request.param
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = _prepare_postgresql(url)
    app = create_app(base_config(url, tmp_path_factory.mktemp("setup")))
    with app.app_context():
        flask_migrate.upgrade()
        seed_baseline(url)
        _db.session.remove()
        _db.engine.dispose()
    return url


def _empty_all_tables() -> None:
    _db.session.rollback()
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in _db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())


def restore_baseline() -> None:
    """After a committing test (or module fixture): empty tables, seed again, as a leg starts."""
    _db.session.remove()
    _empty_all_tables()
    seed_baseline()
    _db.session.remove()


class IsolatedClient(FlaskClient):
    """Each request runs in an application context of its own, as in production.

    The `app` fixture keeps one context pushed for the test's own use of the database;
    without this, requests would share its `g` (signed-in user, cached locale) and session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def is_committing(request) -> bool:
    return request.node.get_closest_marker("committing") is not None


@pytest.fixture
def app(database_url, tmp_path, request):
    app = create_app(base_config(database_url, tmp_path))
    app.test_client_class = IsolatedClient
    with app.app_context():
        if is_committing(request):
            _empty_all_tables()
            yield app
            restore_baseline()
            _db.engine.dispose()
            return
        engine = _db.engine
        if engine.dialect.name == "sqlite":
            sqlite_real_savepoints(engine)
        connection = engine.connect()
        outer = connection.begin()
        trim_seed(connection, database_url, request.fixturenames)
        connection.connect = lambda: JoinedConnection(connection)  # db.engine.connect() joins the test
        engines = _db._app_engines[app]
        engines[None] = connection
        try:
            yield app
        finally:
            _db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()
            engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def reference_data(app, request):
    """Regions and countries (seeded once per leg; a committing test seeds them itself)."""
    if is_committing(request):
        seed_service.load_countries()
        _db.session.commit()


@pytest.fixture
def return_setup(reference_data, request):
    """The return templates and the reporting periods 2023–2025 (2025 open)."""
    if is_committing(request):
        seed_service.load_templates_and_periods()
        _db.session.commit()


@pytest.fixture
def create_user(app, reference_data):
    """Callable factory: create_user(role="delegate", country=None, **fields) -> User."""
    counter = itertools.count(1)

    def factory(role: str = "delegate", country: str | None = None, **fields):
        if role == "focal_point" and country is None:
            country = "KZ"
        n = next(counter)
        user = user_service.create_user(
            email=fields.pop("email", f"{role}{n}@prr.example"),
            name=fields.pop("name", f"Test {role} {n}"),
            role=role,
            password=fields.pop("password", PASSWORD),
            country_code=country,
            language=fields.pop("language", "en"),
        )
        for key, value in fields.items():
            setattr(user, key, value)
        _db.session.commit()
        return user

    return factory


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        return self.client.post("/auth/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self.client.post("/auth/logout")


def use_token(client, user, password: str = PASSWORD):
    """Let `client` call the API as `user`: under /api/ only a bearer token counts, never the
    session cookie. Sets the Authorization header on every later request of this client."""
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    assert response.status_code == 201, response.get_data(as_text=True)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {response.json['token']}"
    return user


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login_as(create_user, auth):
    """Sign in through the real login form as a new user of `role` and return that user."""

    def do_login(role: str, country: str | None = None, **fields):
        user = create_user(role=role, country=country, **fields)
        response = auth.login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do_login


def pytest_report_header(config):
    legs = ", ".join(_leg(u) for u in DATABASE_URLS)
    return [f"database legs: {legs} (TEST_DATABASE_URLS); CI={'true' if CI else 'false'}"]


def pytest_terminal_summary(terminalreporter):
    """Say how many tests passed on each leg, so a skipped leg cannot go unnoticed."""
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("passed", []):
        if report.when != "call":
            continue
        node = report.nodeid
        if "tests/browser/" in node:
            leg = "browser (chromium)"
        elif "[postgresql" in node:
            leg = "postgresql"
        elif "[sqlite" in node:
            leg = "sqlite"
        else:
            leg = "no database"
        counts[leg] = counts.get(leg, 0) + 1
    line = ", ".join(f"{leg}: {n}" for leg, n in sorted(counts.items()))
    terminalreporter.write_line(f"passed per leg: {line}")


@pytest.fixture
def make_template(app, return_setup):
    """make_template(country="KZ", period="2025", lang="en") -> the downloaded .xlsx bytes."""
    from portal.models import Country, ReportingPeriod
    from portal.services.returns.template_xlsx import build_template

    def factory(country: str = "KZ", period: str = "2025", lang: str = "en") -> bytes:
        c = _db.session.scalar(_db.select(Country).where(Country.iso2 == country))
        p = _db.session.scalar(_db.select(ReportingPeriod).where(ReportingPeriod.label == period))
        with app.test_request_context():
            return build_template(p.template, c, p, lang)

    return factory


@pytest.fixture
def filled(make_template):
    """filled(values, notes=None, country="KZ", period="2025") -> a completed workbook."""
    from portal.services.returns.fill import fill_template

    def factory(values: dict, notes: dict | None = None, country: str = "KZ", period: str = "2025") -> bytes:
        return fill_template(make_template(country, period), values, notes)

    return factory


@pytest.fixture
def accepted_return(create_return):  # noqa: F811 - the fixture imported above, requested by name
    """accepted_return(values, country="KZ", period="2025", notes=None) -> the accepted ReturnVersion
    (`create_return` with status="accepted")."""

    def factory(values: dict, country: str = "KZ", period: str = "2025", notes: dict | None = None):
        return create_return(country, period, values, status="accepted", notes=notes)

    return factory


def upload(client, data: bytes, mode: str = "check", filename: str = "return.xlsx"):
    from io import BytesIO

    return client.post(
        "/returns/upload", data={"file": (BytesIO(data), filename), "mode": mode}, content_type="multipart/form-data"
    )


def run_concurrently(app, work, count: int) -> list[str]:
    """Run `work(session)` in `count` threads at once, each in its own application context
    and session (as separate requests would); return the errors, as repr strings."""
    import threading

    errors: list[str] = []

    def worker():
        try:
            with app.app_context(), app.test_request_context():
                work(_db.session)
                _db.session.commit()
        except Exception as exc:  # noqa: BLE001 - the test asserts there are none
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


SOFFICE = shutil.which("soffice")


def soffice_converter(tmp_path, target: str, what: str, source: str = "xlsx", infilter: str | None = None):
    """convert(bytes of a `source` file: xlsx, csv) -> the same workbook saved by LibreOffice as
    `target` (xlsx, ods), read with `infilter` (the import options) if given, with a profile of
    its own under `tmp_path`; skips (fails under CI=true) without soffice."""
    if SOFFICE is None:
        message = f"{what}: soffice not found (make test installs libreoffice-calc-nogui as root)"
        if CI:
            pytest.fail(message + " (required under CI=true)", pytrace=False)
        pytest.skip(message)

    def run(data: bytes) -> bytes:
        src, out = tmp_path / f"in.{source}", tmp_path / "out"
        src.write_bytes(data)
        subprocess.run(
            [
                SOFFICE,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                *([f"--infilter={infilter}"] if infilter else []),
                "--convert-to",
                target,
                "--outdir",
                str(out),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (out / f"in.{target}").read_bytes()

    return run


@pytest.fixture
def resave(tmp_path):
    """resave(xlsx bytes) -> the workbook opened and saved again by LibreOffice Calc."""
    return soffice_converter(tmp_path, "xlsx", "LibreOffice round trip")


@pytest.fixture
def library(reference_data):
    """The seeded library: 8 case studies (3 in Russian) and 3 action plans, all published."""
    from portal.services.library.seed import load_library

    load_library(seed_service.SEED_DIR / "library")
    _db.session.commit()
