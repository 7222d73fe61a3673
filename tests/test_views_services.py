"""Views reach the database through services only: the returns a user may see (the same set
and order the rules in access.py give one by one), the audit trail's pages, and the refusals
that the ServiceError handler now answers instead of hand-written aborts."""

import re

import pytest
from sqlalchemy import select

from portal.models import Return
from portal.services import audit
from portal.services.returns import access, listing, workflow
from portal.services.returns.validate import validate_upload

from .conftest import use_token

CELLS = {("REP01", "Women"): 5, ("REP01", "Total"): 5, ("REP01O", "Total"): 5}


@pytest.fixture
def returns(app, db, accepted_return, filled):
    """Accepted KZ 2025 and KG 2024; drafts of KG and TJ for 2025."""
    accepted_return(CELLS, "KZ", "2025")
    accepted_return(CELLS, "KG", "2024")
    with app.test_request_context():
        for country in ("KG", "TJ"):
            data = filled(CELLS, None, country, "2025")
            report, ident = validate_upload(data, None)
            workflow.store_version(report, ident, data, "x.xlsx", None, submit=False)
    db.session.commit()


def _one_by_one(db, user) -> list[Return]:
    """What the views computed before: every return, checked one by one."""
    return [r for r in db.session.scalars(select(Return).order_by(Return.id)) if access.can_see_return(user, r)]


def _listed_ids(page: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in re.findall(r'href="/returns/(\d+)"', page)))


ROLES = [("admin", None), ("secretariat", None), ("delegate", None), ("focal_point", "KG"), ("focal_point", "KZ")]


@pytest.mark.parametrize(("role", "country"), ROLES, ids=[f"{r}-{c}" for r, c in ROLES])
def test_visible_returns_are_the_ones_the_rules_allow(client, db, returns, login_as, role, country):
    user = login_as(role, country)
    expected = _one_by_one(db, user)
    assert expected, "every role sees at least the accepted returns"
    assert listing.visible_returns(user) == expected
    # The page: a focal point's own country only, newest period first, then by country name (descending).
    shown = [r for r in expected if role != "focal_point" or r.country_id == user.country_id]
    shown.sort(key=lambda r: (r.period.start_date, r.country.name_en), reverse=True)
    assert _listed_ids(client.get("/returns/").get_data(as_text=True)) == [r.id for r in shown]
    use_token(client, user)
    assert [r["id"] for r in client.get("/api/v1/returns").json["returns"]] == [r.id for r in expected]
    filtered = [r.id for r in expected if r.country.iso2 == "KG" and r.period.label == "2025"]
    assert [r["id"] for r in client.get("/api/v1/returns?country=kg&period=2025").json["returns"]] == filtered


def test_a_return_one_may_not_see_is_a_plain_404(client, db, returns, login_as):
    use_token(client, login_as("delegate"))
    draft = db.session.scalar(select(Return).where(Return.status == "draft"))
    page = client.get(f"/returns/{draft.id}")
    assert page.status_code == 404 and "There is no page at this address." in page.get_data(as_text=True)
    assert client.get(f"/api/v1/returns/{draft.id}").json["error"]["message"] == "There is no page at this address."
    assert client.get("/api/v1/returns/99999").status_code == 404


def test_the_audit_trail_pages_hold_fifty_events_newest_first(client, db, app, login_as):
    login_as("admin")
    with app.test_request_context():
        for i in range(60):
            audit.record(f"test.e{i:02d}")
    db.session.commit()
    first = client.get("/admin/audit").get_data(as_text=True)
    total = int(re.search(r"(\d+) events recorded", first).group(1))
    assert total >= 60 and "test.e59" in first and "test.e00" not in first
    assert first.count("<code>") == 50 and "page=2" in first and "Newer" not in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "test.e00" in second and "test.e59" not in second and "Newer" in second
    assert second.count("<code>") == total - 50 and "Older" not in second
    beyond = client.get("/admin/audit?page=9")
    assert beyond.status_code == 200 and "No events yet." in beyond.get_data(as_text=True)


def test_refusals_keep_their_status_and_message(client, db, returns, login_as):
    """Refusals no view catches any more: the handler answers with the service's status and
    message, as a page or (under /api/) as JSON."""
    staff = login_as("secretariat")
    draft = db.session.scalar(select(Return).where(Return.status == "draft"))
    accepted = db.session.scalar(select(Return).where(Return.status == "accepted"))
    page = client.post(f"/review/{draft.id}/accept")
    assert page.status_code == 409
    assert "Only a submitted return can be reviewed; this one is draft." in page.get_data(as_text=True)
    page = client.post(f"/returns/{accepted.id}/submit")
    assert page.status_code == 409 and "This version has already been submitted." in page.get_data(as_text=True)
    use_token(client, staff)
    comparison = client.get("/api/v1/comparison?indicator=NOPE&period=2025")
    assert comparison.status_code == 400
    assert comparison.json == {"error": {"status": 400, "title": "Bad request", "message": "Unknown indicator: NOPE."}}
    response = client.post(f"/api/v1/returns/{draft.id}/accept")
    assert response.status_code == 409 and response.json["error"] == {
        "status": 409,
        "title": "Conflict",
        "message": "Only a submitted return can be reviewed; this one is draft.",
    }
    db.session.expire_all()
    assert db.session.get(Return, draft.id).status == "draft"
