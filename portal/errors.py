"""Error pages in the portal's look, and JSON errors for /api/ clients.

Any error rolls the session back first, so nothing half-written is ever committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .services.errors import ServiceError

T = TypeVar("T")

TITLES = {
    400: _l("Bad request"),
    401: _l("Sign-in required"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("File too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}

MESSAGES = {
    400: _l("The request could not be understood. Check what you entered and try again."),
    401: _l("Sign in to continue."),
    403: _l("Your account does not have access to this page."),
    404: _l("There is no page at this address."),
    405: _l("This address does not accept that kind of request."),
    409: _l("The request conflicts with data already stored."),
    413: _l("The upload is larger than the limit of %(mb)d MB."),
    429: _l("Too many requests. Wait a little and try again."),
    500: _l(
        "The portal hit an unexpected error. Nothing was saved; the administrators can see the details in the log."
    ),
}

CSRF_MESSAGE = _l("The form has expired or did not come from this portal. Reload the page and try again.")


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, message=None):
    from flask import current_app

    db.session.rollback()
    if message is None:
        message = MESSAGES.get(status, MESSAGES[500])
        if status == 413:
            message = _l("The upload is larger than the limit of %(mb)d MB.", mb=current_app.config["MAX_UPLOAD_MB"])
    title = TITLES.get(status, TITLES[500])
    if wants_json():
        return jsonify(error={"status": status, "title": str(title), "message": str(message)}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def handle_http_exception(error: HTTPException):
    if error.response is not None:  # abort(response): already the answer
        db.session.rollback()
        return error.response
    status = error.code or 500
    # Our own aborts may carry a specific, already translated message.
    message = error.description if getattr(error, "portal_message", False) else None
    return render_error(status, message)


def handle_service_error(error: ServiceError):
    """A service's refusal that no view caught: its status and message, as a page or JSON."""
    return render_error(error.status, error.message)


def handle_csrf_error(error: CSRFError):
    return render_error(400, CSRF_MESSAGE)


def handle_unexpected(error: Exception):
    from flask import current_app

    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return render_error(500)


def init_app(app) -> None:
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)


def abort_with(status: int, message) -> NoReturn:
    """Abort with `status` and a specific message for the user (page or JSON)."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[status](description=str(message))
    exc.portal_message = True  # type: ignore[attr-defined]  # a marker the error handlers read
    raise exc


def found_or_404(lookup: Callable[..., T], *args, **kwargs) -> T:
    """A service lookup whose refusal (no such object, or one the caller may not see) is a
    plain 404, so a page never tells which of the two it was."""
    from flask import abort

    try:
        return lookup(*args, **kwargs)
    except ServiceError:
        abort(404)
