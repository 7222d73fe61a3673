"""JSON responses go through orjson but say the same as Flask's own provider."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from portal.json_provider import OrjsonProvider


@dataclass
class Point:
    x: int


def test_same_values_as_flask_provider():
    app = Flask(__name__)
    ours, flasks = OrjsonProvider(app), DefaultJSONProvider(app)
    obj = {
        "when": datetime(2025, 4, 30, 9, 30, tzinfo=UTC),
        "day": date(2024, 5, 14),
        "amount": Decimal("12.50"),
        "point": Point(3),
        "html": Markup("<b>x</b>"),
        "ru": "Кыргызстан",
        "rows": [{"value": 607.0, "status": None}],
    }
    assert json.loads(ours.dumps(obj)) == json.loads(flasks.dumps(obj))
    with app.test_request_context():
        response = ours.response(obj)
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data()) == json.loads(flasks.dumps(obj))
    assert ours.dumps({"a": 1}, indent=2) == flasks.dumps({"a": 1}, indent=2)
