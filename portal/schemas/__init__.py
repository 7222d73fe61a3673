"""marshmallow schemas for uploaded values and API payloads."""
