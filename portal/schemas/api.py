"""Payloads of the JSON API."""

from marshmallow import Schema, fields, validate


class TokenRequest(Schema):
    email = fields.String(required=True, validate=validate.Length(1, 254))
    password = fields.String(required=True, validate=validate.Length(1, 128))


class ReturnReason(Schema):
    """A send-back: a reason, or none when the return's open queries say what to correct."""

    reason = fields.String(load_default="", validate=validate.Length(max=5000))
