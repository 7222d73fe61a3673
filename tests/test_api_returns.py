"""The JSON API: bearer tokens, periods, template, upload with dry run, workflow, reading."""

from io import BytesIO

import pytest
from sqlalchemy import select

from portal.models import ApiToken, ReturnVersion

from . import hostile


def _token(client, email, password="correct-horse-battery"):
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _post_file(client, headers, data, **form):
    return client.post(
        "/api/v1/returns",
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (BytesIO(data), "return.xlsx"), **form},
    )


def test_token_issue_use_and_revoke(client, db, create_user, return_setup):
    user = create_user("focal_point", country="KZ")
    bad = client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong-wrong"})
    assert bad.status_code == 401
    assert bad.json["error"]["message"] == "The e-mail address or password is not correct."
    assert client.post("/api/v1/auth/token", json={"email": user.email}).status_code == 400
    assert client.post("/api/v1/auth/token", data="not json").status_code == 400
    headers = _token(client, user.email)
    assert db.session.scalar(select(ApiToken)).token_hash != headers["Authorization"][7:]
    assert client.get("/api/v1/periods", headers=headers).json["periods"][0]["label"] == "2025"
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/periods", headers=headers).status_code == 401


def test_writes_need_a_token_not_the_session(client, login_as, return_setup):
    login_as("focal_point", country="KZ")
    response = client.post("/api/v1/returns", data={})
    assert response.status_code == 401
    assert "Bearer" in response.json["error"]["message"]


def test_upload_dry_run_errors_and_workflow(client, db, create_user, filled):
    focal = create_user("focal_point", country="KZ")
    create_user("secretariat", email="sec@prr.example")
    headers = _token(client, focal.email)
    template = client.get("/api/v1/template.xlsx?country=KZ&period=2025", headers=headers)
    assert template.status_code == 200 and template.data[:2] == b"PK"
    assert client.get("/api/v1/template.xlsx?country=KG&period=2025", headers=headers).status_code == 403

    bad = _post_file(client, headers, filled({("REP01", "Men"): 5, ("REP01", "Total"): 3}))
    assert bad.status_code == 422
    assert bad.json["errors"] == [
        {
            "sheet": "A Repatriation",
            "cell": "M5",
            "indicator": "REP01",
            "column": "Total",
            "rule": "R2",
            "message": "The parts add up to 5, more than the Total 3.",
            "explained": False,
        }
    ]
    good = filled(
        {("REP01", "Women"): 156, ("REP01", "Total"): 156, ("REP01O", "Total"): 156},
        notes={"REP01": "Mehr-1 (illustrative)"},
    )
    dry = _post_file(client, headers, good, dry_run="1")
    assert dry.status_code == 200 and dry.json["dry_run"] is True
    assert db.session.scalar(select(ReturnVersion)) is None
    created = _post_file(client, headers, good)
    assert created.status_code == 201
    body = created.json
    assert (body["country"], body["period"], body["version"], body["status"]) == ("KZ", "2025", 1, "draft")
    rid = body["id"]
    assert client.post(f"/api/v1/returns/{rid}/accept", headers=headers).status_code == 403
    submitted = client.post(f"/api/v1/returns/{rid}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"

    staff = _token(client, "sec@prr.example")
    assert client.post(f"/api/v1/returns/{rid}/return", headers=staff, json={}).status_code == 400
    back = client.post(f"/api/v1/returns/{rid}/return", headers=staff, json={"reason": "Check REP01 origin"})
    assert back.status_code == 200 and back.json["status"] == "returned"
    assert client.post(f"/api/v1/returns/{rid}/accept", headers=staff).status_code == 409
    client.post(f"/api/v1/returns/{rid}/submit", headers=headers)
    accepted = client.post(f"/api/v1/returns/{rid}/accept", headers=staff)
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"

    detail = client.get(f"/api/v1/returns/{rid}", headers=headers).json
    assert {
        "indicator": "REP01",
        "breakdown": "Women",
        "value": 156.0,
        "status": None,
        "note": "Mehr-1 (illustrative)",
    } in detail["values"]
    assert [e["action"] for e in detail["events"]] == ["upload", "submit", "return", "submit", "accept"]
    listing = client.get("/api/v1/returns?country=KZ&period=2025", headers=staff).json["returns"]
    assert listing == [
        {
            "id": rid,
            "country": "KZ",
            "period": "2025",
            "status": "accepted",
            "versions": 1,
            "accepted_version": 1,
            "revision": None,
        }
    ]


@pytest.mark.parametrize(
    "make, status",
    [
        (lambda: b"plain text", 400),
        (hostile.macro_workbook, 400),
        (hostile.many_rows, 400),
    ],
)
def test_unusable_files(client, create_user, return_setup, make, status):
    headers = _token(client, create_user("focal_point", country="KZ").email)
    response = _post_file(client, headers, make())
    assert response.status_code == status
    assert response.json["error"]["message"]


def test_another_countrys_template_is_403(client, create_user, make_template):
    headers = _token(client, create_user("focal_point", country="KZ").email)
    response = _post_file(client, headers, make_template("UZ"))
    assert response.status_code == 403
    assert "This template is for Uzbekistan" in response.json["error"]["message"]


def test_too_large_is_413(app, client, create_user, return_setup):
    headers = _token(client, create_user("focal_point", country="KZ").email)
    app.config["MAX_CONTENT_LENGTH"] = 2000
    response = _post_file(client, headers, b"PK" + b"\0" * 10000)
    assert response.status_code == 413 and response.json["error"]["status"] == 413
