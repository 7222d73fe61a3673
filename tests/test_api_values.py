"""PUT /api/v1/returns/<id>/values (correct a return without a workbook) and
GET /api/v1/returns/<id>/versions/<n>.xlsx (a version's workbook)."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.models import ReturnValue, ReturnVersion, ValueQuery
from portal.models.queries import QueryMessage

from .conftest import use_token

START = {("REP01", "Men"): 2, ("REP01", "Total"): 5, ("REP01O", "Total"): 5}


def _versions(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ReturnVersion))


def _stored(db, number: int) -> dict:
    version = db.session.scalar(select(ReturnVersion).where(ReturnVersion.number == number))
    return {(v.indicator, v.breakdown): (v.number, v.status, v.note) for v in version.values}


@pytest.fixture
def kz(create_return, create_user, client):
    """A KZ draft (version 1) and the API client signed in as a KZ focal point."""
    version = create_return("KZ", "2025", START, status="draft")
    use_token(client, create_user("focal_point", country="KZ"))
    return version.return_


def test_saves_a_new_version_keeping_what_is_not_sent(client, db, kz):
    values = [
        {"indicator": "REP01", "breakdown": "Girls", "value": "3"},
        {"indicator": "REP01", "note": "stage 5"},
        {"indicator": "REP06", "breakdown": "Total", "status": "EST", "value": 120},
        {"indicator": "PRS04", "breakdown": "Total", "status": "NIL"},
    ]
    response = client.put(f"/api/v1/returns/{kz.id}/values", json={"values": values, "base_version": 1})
    assert response.status_code == 201, response.json
    assert response.json["version"]["version"] == 2 and response.json["version"]["source"] == "api-values"
    assert response.json["status"] == "draft"
    assert _stored(db, 2) == {
        ("REP01", "Men"): (2.0, None, "stage 5"),
        ("REP01", "Girls"): (3.0, None, "stage 5"),
        ("REP01", "Total"): (5.0, None, "stage 5"),
        ("REP01O", "Total"): (5.0, None, None),
        ("REP06", "Total"): (120.0, "EST", None),
        ("PRS04", "Total"): (None, "NIL", None),
    }
    assert {(c["indicator"], c["breakdown"]) for c in response.json["changes"]} == {
        ("REP01", "Men"),
        ("REP01", "Girls"),
        ("REP01", "Total"),
        ("REP06", "Total"),
        ("PRS04", "Total"),
    }


def test_a_blank_value_clears_the_cell(client, db, kz):
    values = [{"indicator": "REP01", "breakdown": "Men", "value": None}]
    assert client.put(f"/api/v1/returns/{kz.id}/values", json={"values": values}).status_code == 201
    assert ("REP01", "Men") not in _stored(db, 2)


def test_dry_run_stores_nothing(client, db, kz):
    values = [{"indicator": "REP01", "breakdown": "Women", "value": 3}]
    response = client.put(f"/api/v1/returns/{kz.id}/values", json={"values": values, "dry_run": True})
    assert response.status_code == 200, response.json
    assert response.json["dry_run"] is True and response.json["version"] is None
    assert response.json["changes"] == [{"indicator": "REP01", "breakdown": "Women"}]
    assert _versions(db) == 1


BAD = {
    "text in a count cell": (
        [{"indicator": "REP01", "breakdown": "Men", "value": "many"}],
        "REP01",
        "Men",
        "“many” is not a number",
    ),
    "a status code with a number": (
        [{"indicator": "REP01", "breakdown": "Men", "value": "NIL 4"}],
        "REP01",
        "Men",
        "A status code and a number in the same cell",
    ),
    "N/A with a number": (
        [{"indicator": "REP01", "breakdown": "Men", "status": "N/A", "value": 2}],
        "REP01",
        "Men",
        "A status code and a number in the same cell",
    ),
    "EST without its number": (
        [{"indicator": "REP01", "breakdown": "Men", "status": "EST"}],
        "REP01",
        "Men",
        "EST needs its number",
    ),
    "parts above their total": (
        [{"indicator": "REP01", "breakdown": "Men", "value": 9}],
        "REP01",
        "Total",
        "The parts add up to 9, more than the Total 5.",
    ),
    "a grey cell": (
        [{"indicator": "REP01", "breakdown": "Syria", "value": 1}],
        "REP01",
        "Syria",
        "has no “Syria” column",
    ),
    "an unknown indicator": (
        [{"indicator": "XYZ99", "breakdown": "Total", "value": 1}],
        "XYZ99",
        "Total",
        "There is no indicator “XYZ99”",
    ),
    "no breakdown": ([{"indicator": "REP01", "value": 1}], "REP01", None, "Say which breakdown column of REP01"),
    "a cell given twice": (
        [
            {"indicator": "REP01", "breakdown": "Men", "value": 1},
            {"indicator": "REP01", "breakdown": "Men", "value": 2},
        ],
        "REP01",
        "Men",
        "given twice",
    ),
    "a value that is an object": (
        [{"indicator": "REP01", "breakdown": "Men", "value": {"n": 1}}],
        "REP01",
        "Men",
        "The value must be a number or a text",
    ),
    "a negative count": ([{"indicator": "REP01", "breakdown": "Men", "value": -1}], "REP01", "Men", "-1 is negative"),
    "above the unit's largest value": (
        [{"indicator": "REP01O", "breakdown": "Other", "value": 2e9}],
        "REP01O",
        "Other",
        "the largest value this indicator takes",
    ),
    "a note too long": ([{"indicator": "REP01", "note": "x" * 2001}], "REP01", "Notes", "a note takes at most 2,000"),
    "two different notes": (
        [{"indicator": "REP01", "note": "a"}, {"indicator": "REP01", "note": "b"}],
        "REP01",
        "Notes",
        "two different notes",
    ),
    "a control character in a note": (
        [{"indicator": "REP01", "note": "a\x01b"}],
        "REP01",
        "Notes",
        "a control character that a workbook cannot keep",
    ),
    "a value for a text-free yes/no cell": (
        [{"indicator": "CAP01", "breakdown": "Value", "value": "perhaps"}],
        "CAP01",
        "Value",
        "Answer yes or no",
    ),
}


@pytest.mark.parametrize("values, indicator, breakdown, message", BAD.values(), ids=BAD.keys())
def test_bad_values_are_422_naming_the_cell_and_store_nothing(client, db, kz, values, indicator, breakdown, message):
    response = client.put(f"/api/v1/returns/{kz.id}/values", json={"values": values})
    assert response.status_code == 422, response.json
    errors = response.json["errors"]
    assert any(
        e["indicator"] == indicator and e["breakdown"] == breakdown and message in e["message"] for e in errors
    ), errors
    assert _versions(db) == 1


BAD_REQUESTS = {
    "not JSON": ("values", 400),
    "values not a list": ({"values": {"REP01": 1}}, 400),
    "dry_run not a boolean": ({"values": [], "dry_run": "yes"}, 400),
    "base_version not a number": ({"values": [], "base_version": "1"}, 400),
    "base_version the return does not have": ({"values": [], "base_version": 7}, 400),
}


@pytest.mark.parametrize("body, status", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_requests_are_400(client, db, kz, body, status):
    if isinstance(body, str):
        response = client.put(f"/api/v1/returns/{kz.id}/values", data=body, content_type="text/plain")
    else:
        response = client.put(f"/api/v1/returns/{kz.id}/values", json=body)
    assert response.status_code == status, response.json
    assert response.json["error"]["message"]
    assert _versions(db) == 1


def test_stale_base_version_is_409_naming_what_changed(client, db, kz, create_user):
    colleague = create_user("focal_point", country="KZ", name="Dana Colleague")
    from portal.services.returns.entry import save_values

    with client.application.test_request_context():
        save_values(
            kz, colleague, [{"indicator": "REP01", "breakdown": "Women", "value": 3}], base_version=1, dry_run=False
        )
    db.session.commit()
    values = [{"indicator": "REP01", "breakdown": "Boys", "value": 1}]
    response = client.put(f"/api/v1/returns/{kz.id}/values", json={"values": values, "base_version": 1})
    assert response.status_code == 409, response.json
    message = response.json["error"]["message"]
    assert "version 2 was saved by Dana Colleague" in message and "REP01 Women" in message
    assert [(c["indicator"], c["breakdown"]) for c in response.json["changes"]] == [("REP01", "Women")]
    assert _versions(db) == 2 and ("REP01", "Boys") not in _stored(db, 2)


@pytest.mark.parametrize(
    "role, country, status",
    [("delegate", None, 404), ("focal_point", "KG", 404), ("secretariat", None, 201), ("admin", None, 201)],
)
def test_who_may_correct(app, db, create_return, create_user, role, country, status):
    ret = create_return("KZ", "2025", START, status="submitted").return_
    client = app.test_client()
    use_token(client, create_user(role, country=country))
    values = [{"indicator": "REP01", "breakdown": "Women", "value": 3}]
    response = client.put(f"/api/v1/returns/{ret.id}/values", json={"values": values})
    assert response.status_code == status, response.json
    assert _versions(db) == (2 if status == 201 else 1)
    if status == 201:
        assert response.json["version"]["on_behalf"] is True


def test_writes_need_a_token(client, db, create_return):
    ret = create_return("KZ", "2025", START, status="draft").return_
    assert client.put(f"/api/v1/returns/{ret.id}/values", json={"values": []}).status_code == 401


def test_closed_period_is_409_for_a_focal_point(client, db, create_return, create_user):
    ret = create_return("KZ", "2024", START, status="draft").return_
    use_token(client, create_user("focal_point", country="KZ"))
    response = client.put(f"/api/v1/returns/{ret.id}/values", json={"values": []})
    assert response.status_code == 409 and "closed" in response.json["error"]["message"]
    assert _versions(db) == 1


def test_errors_in_the_users_language(client, db, create_return, create_user):
    ret = create_return("KZ", "2025", START, status="draft").return_
    use_token(client, create_user("focal_point", country="KZ", language="ru"))
    values = [{"indicator": "REP01", "breakdown": "Syria", "value": 1}]
    response = client.put(f"/api/v1/returns/{ret.id}/values", json={"values": values})
    assert response.status_code == 422
    assert "нет столбца «Syria»" in response.json["errors"][0]["message"]


@pytest.mark.parametrize(
    "role, country, status",
    [("focal_point", "KZ", 200), ("secretariat", None, 200), ("focal_point", "KG", 404), ("delegate", None, 404)],
)
def test_version_workbook_who_may_download(app, db, create_return, create_user, role, country, status):
    version = create_return("KZ", "2025", START, status="accepted")
    client = app.test_client()
    use_token(client, create_user(role, country=country))
    response = client.get(f"/api/v1/returns/{version.return_id}/versions/1.xlsx")
    assert response.status_code == status
    if status == 200:
        assert response.headers["Content-Disposition"].endswith("PRR-return_KZ_2025_version1.xlsx")
        assert load_workbook(BytesIO(response.data))["A Repatriation"]["M5"].value == 5
    assert client.get(f"/api/v1/returns/{version.return_id}/versions/9.xlsx").status_code == 404


def test_version_workbook_of_a_returned_return_shows_its_queries(app, db, client, create_return, create_user):
    version = create_return("KZ", "2025", START, status="returned")
    staff = create_user("secretariat", name="Reviewer R")
    for indicator, breakdown, state in [("REP01", "Men", "open"), ("REP01", "Total", "resolved")]:
        query = ValueQuery(return_id=version.return_id, indicator=indicator, breakdown=breakdown, state=state)
        query.messages.append(QueryMessage(kind="question", author=staff, text=f"Check {breakdown}"))
        db.session.add(query)
    db.session.commit()
    use_token(client, create_user("focal_point", country="KZ"))
    response = client.get(f"/api/v1/returns/{version.return_id}/versions/1.xlsx?lang=ru")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data))["A Repatriation"]
    assert "Check Men" in sheet["D5"].comment.text and "Reviewer R" in sheet["D5"].comment.text
    assert sheet["M5"].comment is None  # a resolved query is not shown
    assert db.session.scalar(select(func.count()).select_from(ReturnValue)) == len(START)
