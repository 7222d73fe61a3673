"""Configuration read from the environment (and a `.env` file).

`load_config()` returns a plain dict for `app.config`; any bad value raises
`ConfigError` with a message that names the variable and what is wrong, so the
portal refuses to start instead of misbehaving later.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from dotenv import find_dotenv, load_dotenv
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENVIRONMENTS = ("development", "production", "testing")
LOCALES = ("en", "ru")  # the portal's languages: pages, e-mails, templates, library items
MIN_SECRET_KEY_LENGTH = 32
REMEMBER_DAYS = 30  # "Keep me signed in" lasts at most this long


def read_dotenv() -> None:
    """Load a `.env` file from the working directory (or a parent), never over the real environment;
    from the working directory, not the package's, so that an installed portal finds it too."""
    load_dotenv(find_dotenv(usecwd=True), override=False)


def _one_address(env: dict, name: str, default: str = "") -> str:
    """One e-mail address (optionally with a name), checked here so that a bad value (a line break,
    two addresses) stops the start-up instead of failing every message in the outbox."""
    from email.message import EmailMessage
    from email.policy import SMTP

    value = env.get(name, default)
    message = EmailMessage(policy=SMTP)
    try:
        message["From"] = value
        ok = len(message["From"].addresses) == 1
    except (ValueError, IndexError, TypeError):
        ok = False
    if not ok:
        raise ConfigError(f"{name} must be one e-mail address (optionally with a name), not {value!r}")
    return value


def _days(env: dict, name: str, default: str) -> list[int]:
    """A comma-separated list of whole numbers of days, e.g. "14,7,1"; a bad entry is refused, not
    dropped (a typo must not silently cancel a reminder)."""
    raw = env.get(name) or default
    days = []
    for entry in raw.split(","):
        entry = entry.strip()
        if not (entry.isascii() and entry.isdigit()):
            raise ConfigError(f"{name} must be whole numbers of days separated by commas; {entry!r} in {raw!r} is not")
        days.append(int(entry))
    return days


class ConfigError(RuntimeError):
    """The configuration is unusable; the message says which setting and why."""


def _flag(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _int(env: dict, name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 explicitly for PostgreSQL and check the URL parses."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL is not a database URL: {url!r} "
            "(expected e.g. sqlite:///path/portal.db or postgresql+psycopg://user@host/db)"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"DATABASE_URL must point to SQLite or PostgreSQL, got {parsed.get_backend_name()!r}")
    return url


def _secret_key(env: dict, environment: str, instance_path: Path) -> str:
    key = env.get("SECRET_KEY", "")
    if key:
        if environment == "production" and len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"SECRET_KEY is too short for production ({len(key)} characters; "
                f"at least {MIN_SECRET_KEY_LENGTH} are needed)"
            )
        return key
    if environment == "production":
        raise ConfigError(
            "SECRET_KEY is not set. In production the portal refuses to start without one; "
            "generate it with: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    # Development and tests: generate once and keep it in instance/.
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_config(instance_path: str | os.PathLike, environ: dict | None = None) -> dict:
    """Build the Flask configuration from environment variables."""
    if environ is None:
        read_dotenv()
        environ = dict(os.environ)
    env = environ
    instance = Path(instance_path)

    environment = env.get("PORTAL_ENV", "development").strip().lower()
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
    production = environment == "production"

    database_url = normalise_database_url(env.get("DATABASE_URL") or f"sqlite:///{instance / 'portal.db'}")
    default_locale = env.get("DEFAULT_LOCALE", "en").strip().lower()
    if default_locale not in LOCALES:
        raise ConfigError(f"DEFAULT_LOCALE must be one of {', '.join(LOCALES)}, got {default_locale!r}")

    upload_mb = _int(env, "MAX_UPLOAD_MB", 10, minimum=1)
    secure_cookies = _flag(env, "SESSION_COOKIE_SECURE", production)
    mail_port = _int(env, "MAIL_PORT", 587, minimum=1)
    if mail_port > 65535:
        raise ConfigError(f"MAIL_PORT must be at most 65535, got {mail_port}")

    return {
        "PORTAL_ENV": environment,
        "SECRET_KEY": _secret_key(env, environment, instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Only where migration 0014 finds the files kept on disk before; files live in the database.
        "UPLOAD_FOLDER": env.get("UPLOAD_FOLDER") or str(instance / "uploads"),
        "MAX_UPLOAD_MB": upload_mb,
        "MAX_CONTENT_LENGTH": upload_mb * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": default_locale,
        "LANGUAGES": LOCALES,
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": mail_port,
        "MAIL_USE_TLS": _flag(env, "MAIL_USE_TLS", True),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": _one_address(env, "MAIL_FROM", "prr-portal@localhost"),
        "MAIL_TIMEOUT": _int(env, "MAIL_TIMEOUT", 10, minimum=1),
        # The contact printed on the return template's instructions sheet ("the council
        # secretariat" when unset).
        "SECRETARIAT_EMAIL": _one_address(env, "SECRETARIAT_EMAIL") if env.get("SECRETARIAT_EMAIL") else "",
        # The scheduler's work (services/jobs): reminder days before a due date, days before a
        # meeting to compile a draft brief, backups kept.
        "REMINDER_DAYS": _days(env, "REMINDER_DAYS", "14,7,1"),
        "BRIEF_DRAFT_DAYS": _int(env, "BRIEF_DRAFT_DAYS", 7, minimum=1),
        "BACKUP_FOLDER": env.get("BACKUP_FOLDER") or str(instance / "backups"),
        "BACKUP_KEEP": _int(env, "BACKUP_KEEP", 7, minimum=1),
        "PORTAL_URL": env.get("PORTAL_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Number of reverse proxies in front of the portal whose X-Forwarded-* headers to trust.
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0, minimum=0),
        "LOGIN_MAX_FAILURES": _int(env, "LOGIN_MAX_FAILURES", 5, minimum=1),
        "LOGIN_LOCK_MINUTES": _int(env, "LOGIN_LOCK_MINUTES", 15, minimum=1),
        # Disclosure control (services/disclosure.py): counts below these are hidden; 0 = off.
        "SMALL_CELL_THRESHOLD_COUNCIL": _int(env, "SMALL_CELL_THRESHOLD_COUNCIL", 0, minimum=0),
        "SMALL_CELL_THRESHOLD_PUBLIC": _int(env, "SMALL_CELL_THRESHOLD_PUBLIC", 5, minimum=0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_DURATION": timedelta(days=REMEMBER_DAYS),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session
        # argon2id parameters (OWASP: m=19 MiB, t=2, p=1 at least); tests lower them.
        "ARGON2_TIME_COST": _int(env, "ARGON2_TIME_COST", 3, minimum=1),
        "ARGON2_MEMORY_COST": _int(env, "ARGON2_MEMORY_COST", 65536, minimum=8),
    }
