"""Queries on single values: the API's input and output shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..services.returns.queries import MAX_SUGGESTED, MAX_TEXT
from ..services.returns.query_changes import message_text


def _iso(value):
    return value.isoformat() if value is not None else None


class QueryMessageSchema(Schema):
    """One message of a thread; a CHANGE message's text in the reader's language."""

    id = fields.Raw()
    kind = fields.Raw()
    author = fields.Function(lambda m: m.author.name if m.author is not None else None)
    at = fields.Function(lambda m: _iso(m.created_at))
    text = fields.Function(message_text)
    version = fields.Raw(attribute="version_number")


class QuerySchema(Schema):
    id = fields.Raw()
    return_id = fields.Raw()
    indicator = fields.Raw()
    breakdown = fields.Raw()
    state = fields.Raw()
    suggested = fields.Raw()
    created_at = fields.Function(lambda q: _iso(q.created_at))
    updated_at = fields.Function(lambda q: _iso(q.updated_at))
    resolved_at = fields.Function(lambda q: _iso(q.resolved_at))
    messages = fields.Nested(QueryMessageSchema, many=True)


def query_json(query) -> dict:
    return QuerySchema().dump(query)


# Input (lengths and blanks are checked again, with the field named, by the service) --------


class NewQuery(Schema):
    indicator = fields.String(required=True, validate=validate.Length(1, 16))
    breakdown = fields.String(required=True, validate=validate.Length(1, 16))
    text = fields.String(required=True, validate=validate.Length(1, MAX_TEXT))
    suggested = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_SUGGESTED))


class QueryText(Schema):
    text = fields.String(required=True, validate=validate.Length(1, MAX_TEXT))


class OptionalQueryText(Schema):
    text = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
