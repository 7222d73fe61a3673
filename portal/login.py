"""Who is signed in, decided in one place.

- Pages: the session cookie (or the remember-me cookie) names "<user id>:<generation>";
  the loader refuses it unless the account is active and the generation is the user's
  current one, so sign-out, a password change or reset and deactivation end every session
  and every remember-me cookie at once (see services.accounts.users.end_sessions).
- The API (/api/): only `Authorization: Bearer <token>` authenticates, for reads and writes.
  Cookies are not even read there (`PortalRequest.cookies` is empty), so a stray session
  cookie can neither run a request as its user nor get a valid token refused, and no
  session cookie is ever set on an API answer.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from .extensions import db, login_manager

API_PREFIX = "/api/"


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


class PortalRequest(Request):
    @cached_property
    def cookies(self):
        if is_api_path(self.path):
            return ImmutableMultiDict()
        return super().cookies


class PortalSessionInterface(SecureCookieSessionInterface):
    """No session on API answers: nothing read (see PortalRequest), nothing written."""

    def save_session(self, app, session, response):
        from flask import request

        if is_api_path(request.path):
            return
        super().save_session(app, session, response)


def parse_session_id(value: str) -> tuple[int, int] | None:
    user_id, sep, generation = (value or "").partition(":")
    if not sep:
        return None  # issued before generations existed: refused
    try:
        return int(user_id), int(generation)
    except ValueError:
        return None


def init_app(app: Flask) -> None:
    app.request_class = PortalRequest
    app.session_interface = PortalSessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import abort, flash, redirect, request, url_for

        if is_api_path(request.path):
            abort(401)
        flash(login_manager.login_message, login_manager.login_message_category)
        target = request.full_path if request.query_string else request.path
        return redirect(url_for(login_manager.login_view, next=target))

    @login_manager.request_loader
    def load_user_from_bearer(request):
        """API clients: `Authorization: Bearer <token>` (see POST /api/v1/auth/token)."""
        header = request.headers.get("Authorization", "")
        if not is_api_path(request.path) or not header.startswith("Bearer "):
            return None
        from .services.accounts.tokens import user_for_token

        user = user_for_token(header[len("Bearer ") :].strip())
        if user is not None:
            db.session.commit()  # last_used_at
        return user

    @login_manager.user_loader
    def load_user(session_id: str):
        from flask import request

        from .models import User

        if is_api_path(request.path):
            return None  # never from a cookie on the API (there are none: belt and braces)
        parsed = parse_session_id(session_id)
        if parsed is None:
            return None
        user = db.session.get(User, parsed[0])
        if user is None or not user.active or user.session_generation != parsed[1]:
            return None  # deactivated, or a session from before a sign-out / password change
        return user
