"""Choosing the language of a request: the session's choice, the user's preference,
then the browser's Accept-Language, then the configured default. (What templates see of it,
filters and globals, is registered in portal/jinja.py.)"""

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
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def init_app(app, babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
