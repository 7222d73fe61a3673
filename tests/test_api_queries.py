"""The queries API: the thread JSON, opening, replying, resolving and reopening, who gets 403
and who 404, bad JSON naming the field, send-back through the API with queries only, and two
concurrent opens on the same cell (one 201, one 409)."""

import pytest
from sqlalchemy import func, select

from portal.models import AuditEvent, Notification, QueryMessage, Return, ReturnEvent, ValueQuery
from portal.services.returns import queries

from .conftest import PASSWORD
from .races import in_threads, meet_after_loading

VALUES = {("REP01", "Total"): 10, ("REP01O", "Total"): 10}
ROLES = {
    "sec": ("secretariat", None),
    "admin": ("admin", None),
    "focal": ("focal_point", "KZ"),
    "other": ("focal_point", "KG"),
    "delegate": ("delegate", None),
}


@pytest.fixture
def people(create_user):
    return {name: create_user(role, country=country) for name, (role, country) in ROLES.items()}


@pytest.fixture
def ret(create_return, people):
    # Accepted, so that delegates and other countries may see the return itself (not its queries).
    return create_return("KZ", "2025", VALUES, status="accepted").return_


class Tokens(dict):
    """Bearer headers by person, each token issued on first use (issuing one hashes a password)."""

    def __init__(self, client, people):
        super().__init__()
        self.client, self.people = client, people

    def __missing__(self, name):
        user = self.people[name]
        response = self.client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 201
        self[name] = {"Authorization": f"Bearer {response.json['token']}"}
        return self[name]


@pytest.fixture
def tokens(client, people):
    return Tokens(client, people)


def _counts(db) -> dict:
    db.session.expire_all()
    models = (ValueQuery, QueryMessage, AuditEvent, Notification, ReturnEvent)
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def _open(client, ret, headers, **body):
    payload = {"indicator": "REP01", "breakdown": "Girls", "text": "Why are there no girls?", **body}
    return client.post(f"/api/v1/returns/{ret.id}/queries", json=payload, headers=headers)


def test_the_whole_thread_through_the_api(client, db, ret, people, tokens):
    created = _open(client, ret, tokens["sec"], suggested="4")
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["indicator"], body["breakdown"], body["state"], body["suggested"]) == ("REP01", "Girls", "open", "4")
    assert body["return_id"] == ret.id and body["created_at"] and body["resolved_at"] is None
    assert [(m["author"], m["kind"], m["text"]) for m in body["messages"]] == [
        (people["sec"].name, "question", "Why are there no girls?")
    ]
    qid = body["id"]

    reply = client.post(f"/api/v1/queries/{qid}/replies", json={"text": "Counted as boys."}, headers=tokens["focal"])
    assert reply.status_code == 201
    assert (reply.json["author"], reply.json["kind"], reply.json["text"]) == (
        people["focal"].name,
        "reply",
        "Counted as boys.",
    )
    assert reply.json["at"]
    listed = client.get(f"/api/v1/returns/{ret.id}/queries", headers=tokens["focal"])
    assert listed.status_code == 200
    (thread,) = listed.json["queries"]
    assert thread["state"] == "answered" and [m["kind"] for m in thread["messages"]] == ["question", "reply"]

    resolved = client.post(f"/api/v1/queries/{qid}/resolve", json={}, headers=tokens["sec"])
    assert resolved.status_code == 200 and resolved.json["state"] == "resolved" and resolved.json["resolved_at"]
    again = client.post(f"/api/v1/queries/{qid}/resolve", json={}, headers=tokens["admin"])
    assert again.status_code == 409 and again.json["error"]["message"] == "This query is already resolved."
    reopened = client.post(f"/api/v1/queries/{qid}/reopen", json={"text": "Still none."}, headers=tokens["sec"])
    assert reopened.status_code == 200 and reopened.json["state"] == "reopened"
    assert [m["kind"] for m in reopened.json["messages"]] == ["question", "reply", "resolve", "reopen"]
    duplicate = _open(client, ret, tokens["sec"])
    assert duplicate.status_code == 409
    assert "reply to it, or reopen it" in duplicate.json["error"]["message"]


@pytest.mark.parametrize(
    "who, status",
    [("sec", 200), ("admin", 200), ("focal", 200), ("other", 404), ("delegate", 404)],
)
def test_who_may_read_the_queries(client, ret, people, tokens, who, status):
    queries.open_query(ret, people["sec"], "REP01", "Girls", "Why?")
    assert client.get(f"/api/v1/returns/{ret.id}", headers=tokens[who]).status_code == 200  # the return: everyone
    response = client.get(f"/api/v1/returns/{ret.id}/queries", headers=tokens[who])
    assert response.status_code == status
    if status == 404:
        assert "queries" not in response.json
    assert client.get(f"/api/v1/returns/{ret.id + 1000}/queries", headers=tokens[who]).status_code == 404


def test_reading_without_a_token_is_401(client, ret):
    assert client.get(f"/api/v1/returns/{ret.id}/queries").status_code == 401


def _post(client, qid, rid, action, headers):
    urls = {
        "open": (f"/api/v1/returns/{rid}/queries", {"indicator": "REP01", "breakdown": "Boys", "text": "And boys?"}),
        "reply": (f"/api/v1/queries/{qid}/replies", {"text": "A reply."}),
        "resolve": (f"/api/v1/queries/{qid}/resolve", {"text": "Done."}),
        "reopen": (f"/api/v1/queries/{qid}/reopen", {"text": "Again."}),
    }
    url, body = urls[action]
    return client.post(url, json=body, headers=headers)


@pytest.mark.parametrize(
    "who, action, status",
    [
        ("focal", "open", 403),
        ("focal", "resolve", 403),
        ("focal", "reopen", 403),
        ("other", "open", 404),
        ("other", "reply", 404),
        ("other", "resolve", 404),
        ("delegate", "open", 404),
        ("delegate", "reply", 404),
        ("delegate", "resolve", 404),
        ("delegate", "reopen", 404),
        (None, "open", 401),
        (None, "reply", 401),
        (None, "resolve", 401),
    ],
)
def test_refused_writes_change_nothing(client, db, ret, people, tokens, who, action, status):
    query = queries.open_query(ret, people["sec"], "REP01", "Girls", "Why?")
    db.session.commit()
    headers = tokens[who] if who else {}
    before = _counts(db)
    response = _post(client, query.id, ret.id, action, headers)
    assert response.status_code == status, response.json
    assert _counts(db) == before
    assert db.session.get(ValueQuery, query.id).state == "open"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"breakdown": "Girls", "text": "Why?"}, "indicator"),
        ({"indicator": "REP01", "text": "Why?"}, "breakdown"),
        ({"indicator": "REP01", "breakdown": "Girls"}, "text"),
        ({"indicator": "REP01", "breakdown": "Girls", "text": ""}, "text"),
        ({"indicator": "REP01", "breakdown": "Girls", "text": 5}, "text"),
        ({"indicator": "REP01", "breakdown": "Girls", "text": "x" * 2001}, "text"),
        ({"indicator": "REP01", "breakdown": "Girls", "text": "Why?", "suggested": "9" * 65}, "suggested"),
        ({"indicator": ["REP01"], "breakdown": "Girls", "text": "Why?"}, "indicator"),
    ],
)
def test_bad_json_for_a_new_query_names_the_field(client, db, ret, tokens, payload, field):
    headers = tokens["sec"]
    before = _counts(db)
    response = client.post(f"/api/v1/returns/{ret.id}/queries", json=payload, headers=headers)
    assert response.status_code == 400
    assert list(response.json["error"]["fields"]) == [field]
    assert _counts(db) == before


@pytest.mark.parametrize(
    "indicator, breakdown, says",
    [
        ("REP99", "Total", "The return's template has no indicator “REP99”."),
        ("REP07", "Men", "Indicator REP07 has no breakdown “Men” (it has: Value)."),
    ],
)
def test_a_cell_the_template_does_not_have_is_400(client, db, ret, tokens, indicator, breakdown, says):
    headers = tokens["sec"]
    before = _counts(db)
    response = _open(client, ret, headers, indicator=indicator, breakdown=breakdown)
    assert response.status_code == 400 and response.json["error"]["message"] == says
    assert _counts(db) == before


@pytest.mark.parametrize(
    "url, body",
    [
        ("/api/v1/queries/{qid}/replies", {}),
        ("/api/v1/queries/{qid}/replies", {"text": "  "}),
        ("/api/v1/queries/{qid}/replies", {"text": "a\u0000b"}),
        ("/api/v1/queries/{qid}/reopen", {"text": "\u0000"}),
        ("/api/v1/queries/{qid}/reopen", {}),
        ("/api/v1/queries/{qid}/resolve", "not an object"),
        ("/api/v1/returns/{rid}/queries", ["a list"]),
    ],
)
def test_bad_json_for_the_other_writes_is_400(client, db, ret, people, tokens, url, body):
    query = queries.open_query(ret, people["sec"], "REP01", "Girls", "Why?")
    queries.resolve(query, people["sec"])
    db.session.commit()
    headers = tokens["sec"]
    before = _counts(db)
    response = client.post(url.format(qid=query.id, rid=ret.id), json=body, headers=headers)
    assert response.status_code == 400
    assert _counts(db) == before


def test_script_in_a_query_comes_back_as_text(client, db, ret, tokens):
    script = "<script>alert(1)</script>"
    created = _open(client, ret, tokens["sec"], text=script, suggested="<b>4</b>")
    assert created.status_code == 201
    listed = client.get(f"/api/v1/returns/{ret.id}/queries", headers=tokens["focal"])
    assert listed.mimetype == "application/json"
    (thread,) = listed.json["queries"]
    assert thread["messages"][0]["text"] == script and thread["suggested"] == "<b>4</b>"


def test_send_back_through_the_api_with_queries_only(client, db, create_return, people, tokens):
    ret = create_return("KZ", "2025", VALUES, status="submitted").return_
    refused = client.post(f"/api/v1/returns/{ret.id}/return", json={}, headers=tokens["sec"])
    assert refused.status_code == 400 and "Give the reason" in refused.json["error"]["message"]
    assert _open(client, ret, tokens["sec"]).status_code == 201
    back = client.post(f"/api/v1/returns/{ret.id}/return", json={}, headers=tokens["sec"])
    assert back.status_code == 200 and back.json["status"] == "returned"
    event = db.session.scalar(select(ReturnEvent).where(ReturnEvent.action == "return"))
    assert event.cell_comments == [{"indicator": "REP01", "breakdown": "Girls", "text": "Why are there no girls?"}]


@pytest.mark.committing
def test_two_opens_on_the_same_cell_at_once_one_wins(app, db, create_return, create_user):
    focal = create_user("focal_point", country="KZ")
    staff = [create_user("secretariat"), create_user("secretariat")]
    clients = [app.test_client(), app.test_client()]
    headers = []
    for c, user in zip(clients, staff, strict=True):
        response = c.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
        headers.append({"Authorization": f"Bearer {response.json['token']}"})
    ret_id = create_return("KZ", "2025", VALUES, status="submitted", by=focal).return_id
    for trial, breakdown in enumerate(("Men", "Women", "Boys")):

        def call(i, breakdown=breakdown):
            body = {"indicator": "REP01", "breakdown": breakdown, "text": f"Question {i}"}
            return lambda: clients[i].post(f"/api/v1/returns/{ret_id}/queries", json=body, headers=headers[i])

        with meet_after_loading(Return, 2):
            responses = in_threads([call(0), call(1)])
        codes = sorted(r.status_code for r in responses)
        assert codes == [201, 409], [r.get_json() for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert "reply to it, or reopen it" in loser.json["error"]["message"]
        db.session.expire_all()
        (query,) = db.session.scalars(select(ValueQuery).where(ValueQuery.breakdown == breakdown)).all()
        assert [m.kind for m in query.messages] == ["question"]
        audits = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "query.open", AuditEvent.object_id == str(query.id))
        ).all()
        assert len(audits) == 1
        notices = db.session.scalars(select(Notification).where(Notification.kind == "query.opened")).all()
        assert len(notices) == trial + 1 and {n.user_id for n in notices} == {focal.id}


@pytest.mark.committing
@pytest.mark.parametrize("action", ["resolve", "reopen"])
def test_two_resolves_or_reopens_at_once_one_wins(app, db, create_return, create_user, action):
    staff = [create_user("secretariat"), create_user("secretariat")]
    ret = create_return("KZ", "2025", VALUES, status="submitted").return_
    query = queries.open_query(ret, staff[0], "REP01", "Girls", "Why?")
    if action == "reopen":
        queries.resolve(query, staff[0])
    db.session.commit()
    qid = query.id
    clients = [app.test_client(), app.test_client()]
    headers = []
    for c, user in zip(clients, staff, strict=True):
        response = c.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
        headers.append({"Authorization": f"Bearer {response.json['token']}"})

    def call(i):
        return lambda: clients[i].post(f"/api/v1/queries/{qid}/{action}", json={"text": f"By {i}"}, headers=headers[i])

    with meet_after_loading(ValueQuery, 2):
        responses = in_threads([call(0), call(1)])
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    db.session.expire_all()
    kinds = [m.kind for m in db.session.get(ValueQuery, qid).messages]
    assert kinds.count(action) == 1
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == f"query.{action}")) == 1
