"""Payloads of the JSON API."""

from marshmallow import Schema, fields, validate


class TokenRequest(Schema):
    email = fields.String(required=True, validate=validate.Length(1, 254))
    password = fields.String(required=True, validate=validate.Length(1, 128))


class ReturnReason(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 5000))
