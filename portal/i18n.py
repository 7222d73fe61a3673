"""Choosing the language of a request: the session's choice, the user's preference,
then the browser's Accept-Language, then the configured default. (What templates see of it,
filters and globals, is registered in portal/jinja.py.)"""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
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


def _translations():
    """The catalogue of the locale now in force (flask_babel's, `force_locale` included), found
    without the half-dozen context lookups flask_babel makes for each string: a page calls it
    some thirty times. Kept per application context, keyed by the locale object itself, so a
    block under `force_locale` (an e-mail in its reader's language) never reads a stale one."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return get_translations()
    babel_ctx = ctx.g.__dict__.get("_flask_babel")
    locale = getattr(babel_ctx, "babel_locale", None)
    kept = ctx.__dict__.get("_portal_translations")
    if locale is not None and kept is not None and kept[0] is locale:
        return kept[1]
    found = get_translations()
    locale = getattr(ctx.g.__dict__.get("_flask_babel"), "babel_locale", None)
    if locale is not None:
        ctx._portal_translations = (locale, found)  # type: ignore[attr-defined]
    return found


def init_app(app, babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Templates' _() / gettext / ngettext: the same catalogue as flask_babel's, found faster.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
