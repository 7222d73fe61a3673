"""Errors that services raise for a caller to show to a person."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service refuses; `message` is shown to the user as it is.

    `field` names the input that is wrong (a form field, a CLI option), when there is one.
    """

    status = 400

    def __init__(self, message, field: str | None = None):
        # Rendered now, in the caller's language. A plain str is escaped by Jinja; a lazy
        # string would not be (flask-babel's LazyString.__html__ returns it unescaped, and
        # messages can carry what the user typed).
        message = str(message)
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Forbidden(ServiceError):
    status = 403
