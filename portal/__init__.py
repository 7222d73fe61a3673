"""PRR Council Portal: the application factory. It only wires things together:
no queries and no scheduler start here."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from . import errors, i18n, jinja, login, security
from .config import ConfigError, load_config, read_dotenv
from .extensions import babel, csrf, db, migrate
from .json_provider import OrjsonProvider

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

__all__ = ["ConfigError", "create_app"]


def instance_path() -> str | None:
    """Where the portal keeps its own files (SQLite database, uploads, backups, development key):
    PORTAL_INSTANCE_PATH if set; in a checkout its instance/ folder; for an installed package
    None, i.e. Flask's default `<prefix>/var/portal-instance` (site-packages is no place to write)."""
    if os.environ.get("PORTAL_INSTANCE_PATH"):
        return os.path.abspath(os.environ["PORTAL_INSTANCE_PATH"])
    if (ROOT / "pyproject.toml").is_file():
        return str(ROOT / "instance")
    return None


def create_app(config: dict | None = None) -> Flask:
    if not (config and config.get("TESTING")):
        read_dotenv()  # already here: PORTAL_INSTANCE_PATH may be set in .env
    app = Flask(__name__, instance_path=instance_path())
    app.json = OrjsonProvider(app)
    register_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    errors.init_app(app)
    security.init_app(app)
    register_cli(app)
    return app


def register_config(app: Flask, overrides: dict | None) -> None:
    environ = None
    if overrides is not None and overrides.get("TESTING"):
        environ = {"PORTAL_ENV": "testing", **overrides.get("ENVIRON", {})}
    app.config.update(load_config(app.instance_path, environ))
    if overrides:
        app.config.update({k: v for k, v in overrides.items() if k != "ENVIRON"})
        if "MAX_UPLOAD_MB" in overrides:
            app.config["MAX_CONTENT_LENGTH"] = overrides["MAX_UPLOAD_MB"] * 1024 * 1024
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:  # client addresses (sign-in throttle, audit trail) from X-Forwarded-For
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to add WSGI middleware; mypy refuses assigning to a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(HERE / "migrations"), compare_type=True, include_object=models.library.include_object
    )
    csrf.init_app(app)
    i18n.init_app(app, babel)
    jinja.init_app(app)
    login.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .blueprints.admin import bp as admin_bp
    from .blueprints.api import bp as api_bp
    from .blueprints.auth import bp as auth_bp
    from .blueprints.compare import bp as compare_bp
    from .blueprints.dashboard import bp as dashboard_bp
    from .blueprints.library import bp as library_bp
    from .blueprints.meetings import bp as meetings_bp
    from .blueprints.plans import bp as plans_bp
    from .blueprints.returns import bp as returns_bp
    from .blueprints.review import bp as review_bp

    app.register_blueprint(dashboard_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(returns_bp, url_prefix="/returns")
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(compare_bp, url_prefix="/compare")
    app.register_blueprint(meetings_bp, url_prefix="/meetings")
    app.register_blueprint(library_bp, url_prefix="/library")
    app.register_blueprint(plans_bp, url_prefix="/library/plans")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    # The API authenticates writes with bearer tokens only (never the session cookie),
    # so cross-site requests cannot act for a user: no CSRF token is needed there.
    csrf.exempt(api_bp)


def register_cli(app: Flask) -> None:
    from .cli import seed_command, users_cli
    from .cli_jobs import backup_command, jobs_cli, restore_command, scheduler_command
    from .cli_returns import periods_cli, returns_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(returns_cli)
    app.cli.add_command(periods_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
