"""Choosing the language of a request: the session's choice, the user's preference,
then the browser's Accept-Language, then the configured default."""
from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, scheduled jobs: the configured default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang", "")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.language in languages:
            return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def init_app(app, babel) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def inject_language():
        from .services.notices.notifications import unread_count

        unread = unread_count(current_user) if current_user and current_user.is_authenticated else 0
        return {"current_language": current_language(), "unread_notices": unread}

    from .forms import ROLE_LABELS

    from .services.compare.charts import data_uri

    app.jinja_env.filters["svg_data_uri"] = data_uri

    def column_label(column: str) -> str:
        """A breakdown column (Men, Total, …) in the reader's language."""
        from .services.returns.template_xlsx import column_captions

        return column_captions().get(column, column)

    app.jinja_env.filters["column_label"] = column_label
    from .services.returns.matrix import STATUS_LABELS, TIMELINESS_LABELS

    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS.get(role, role)
    app.jinja_env.globals["status_label"] = lambda status: STATUS_LABELS.get(status, status)
    app.jinja_env.globals["timeliness_label"] = lambda on_time: TIMELINESS_LABELS.get(on_time, "")
    app.jinja_env.filters["localname"] = lambda obj: obj.name(current_language()) if obj else ""
