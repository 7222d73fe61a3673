"""Configuration from the environment: good defaults, fail fast on bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import instance_path
from portal.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_development_generates_a_secret_key_once(tmp_path):
    first = load_config(tmp_path, {})
    second = load_config(tmp_path, {})
    assert len(first["SECRET_KEY"]) == 64
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").read_text() == first["SECRET_KEY"]


def test_defaults(tmp_path):
    config = load_config(tmp_path, {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"
    assert config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    assert config["BABEL_DEFAULT_LOCALE"] == "en"
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config(tmp_path, {"PORTAL_ENV": "production"})
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is too short"):
        load_config(tmp_path, {"PORTAL_ENV": "production", "SECRET_KEY": "short"})


def test_production_uses_secure_cookies(tmp_path):
    config = load_config(tmp_path, {"PORTAL_ENV": "production", "SECRET_KEY": "x" * 40})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    "env, message",
    [
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be one of"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL is not a database URL"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "must point to SQLite or PostgreSQL"),
        ({"MAIL_PORT": "abc"}, "MAIL_PORT must be a whole number, got 'abc'"),
        ({"MAIL_PORT": "70000"}, "MAIL_PORT must be at most 65535"),
        ({"MAX_UPLOAD_MB": "0"}, "MAX_UPLOAD_MB must be at least 1"),
        ({"MAIL_USE_TLS": "maybe"}, "MAIL_USE_TLS must be true or false"),
        ({"DEFAULT_LOCALE": "fr"}, "DEFAULT_LOCALE must be one of en, ru"),
        # a bad sender would fail every message in the outbox: refused at start-up instead
        ({"MAIL_FROM": "portal@example.org\r\nBcc: spy@example.org"}, "MAIL_FROM must be one e-mail address"),
        ({"MAIL_FROM": "a@example.org, b@example.org"}, "MAIL_FROM must be one e-mail address"),
        ({"SECRETARIAT_EMAIL": "a@example.org, b@example.org"}, "SECRETARIAT_EMAIL must be one e-mail address"),
        # a bad reminder day is refused, naming the entry, instead of being dropped
        ({"REMINDER_DAYS": "14,seven,1"}, "REMINDER_DAYS must be whole numbers of days separated by commas; 'seven'"),
        ({"REMINDER_DAYS": "14,7,"}, "REMINDER_DAYS .* '' in '14,7,' is not"),
        ({"REMINDER_DAYS": "14,-1"}, "'-1' in '14,-1' is not"),
        ({"REMINDER_DAYS": "14,²"}, "'²' in '14,²' is not"),
    ],
)
def test_bad_values_name_the_setting(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, env)


def test_reminder_days_and_secretariat_address(tmp_path):
    assert load_config(tmp_path, {})["REMINDER_DAYS"] == [14, 7, 1]
    assert load_config(tmp_path, {"REMINDER_DAYS": ""})["REMINDER_DAYS"] == [14, 7, 1]
    assert load_config(tmp_path, {"REMINDER_DAYS": " 30, 3 ,0"})["REMINDER_DAYS"] == [30, 3, 0]
    assert load_config(tmp_path, {})["SECRETARIAT_EMAIL"] == ""
    given = "Council secretariat <secretariat@prr.example>"
    assert load_config(tmp_path, {"SECRETARIAT_EMAIL": given})["SECRETARIAT_EMAIL"] == given


def test_instance_folder(monkeypatch, tmp_path):
    """In a checkout: its instance/ folder, unless PORTAL_INSTANCE_PATH says otherwise (an installed
    package: tests/test_wheel.py)."""
    monkeypatch.delenv("PORTAL_INSTANCE_PATH", raising=False)
    assert instance_path() == str(ROOT / "instance")
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    assert instance_path() == str(tmp_path / "elsewhere")


def test_postgresql_urls_use_psycopg3(tmp_path):
    for given in ("postgres://u@h/db", "postgresql://u@h/db"):
        config = load_config(tmp_path, {"DATABASE_URL": given})
        assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_wsgi_fails_fast_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env["PORTAL_ENV"] = "production"
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "configuration error: SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr
