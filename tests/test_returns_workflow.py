"""Versions and the review workflow: nothing overwritten, history and diff, notices,
concurrent uploads each get their own version number."""

import pytest
from sqlalchemy import func, select

from portal.models import AuditEvent, Notification, Return, ReturnVersion
from portal.services.returns import workflow

from .conftest import upload


def _ret(db) -> Return:
    db.session.expire_all()
    return db.session.scalar(select(Return))


def test_full_cycle_with_history_and_diff(app, client, db, login_as, create_user, filled, auth):
    focal = login_as("focal_point", country="KZ")
    colleague = create_user("focal_point", country="KZ")
    assert upload(client, filled({("REP01", "Total"): 10, ("REP01O", "Total"): 10}), "save").status_code == 302
    ret = _ret(db)
    assert ret.status == "draft" and [v.number for v in ret.versions] == [1]
    assert client.post(f"/returns/{ret.id}/submit").status_code == 302
    assert _ret(db).status == "submitted"
    assert client.post(f"/returns/{ret.id}/submit").status_code == 409  # already submitted

    auth.logout()
    login_as("secretariat")
    assert client.post(f"/review/{ret.id}/return", data={"reason": ""}).status_code == 400
    response = client.post(f"/review/{ret.id}/return", data={"reason": "REP01 looks low; check stage 5."})
    assert response.status_code == 302
    assert _ret(db).status == "returned"
    assert client.post(f"/review/{ret.id}/accept").status_code == 409  # not submitted now
    notices = db.session.scalars(select(Notification).where(Notification.kind == "return.returned")).all()
    assert {n.user_id for n in notices} == {focal.id, colleague.id}
    assert notices[0].params["reason"] == "REP01 looks low; check stage 5."

    auth.logout()
    auth.login(focal.email)
    page = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "REP01 looks low; check stage 5." in page
    second = filled({("REP01", "Total"): 12, ("REP01O", "Total"): 12}, notes={"REP01": "stage 5 added"})
    assert upload(client, second, "submit").status_code == 302
    ret = _ret(db)
    assert [v.number for v in ret.versions] == [1, 2] and ret.status == "submitted"
    diff = workflow.diff_versions(ret.versions[0], ret.versions[1])
    assert {(c["indicator"], c["breakdown"], c["old"], c["new"]) for c in diff} == {
        ("REP01", "Total", "10", "12"),
        ("REP01O", "Total", "10", "12"),
    }
    page = client.get(f"/returns/{ret.id}/diff?a=1&b=2").get_data(as_text=True)
    assert "stage 5 added" in page
    assert client.get(f"/returns/{ret.id}/diff?a=1&b=9").status_code == 400

    auth.logout()
    login_as("secretariat")
    assert client.post(f"/review/{ret.id}/accept").status_code == 302
    ret = _ret(db)
    assert ret.status == "accepted" and ret.accepted_version.number == 2
    # Version 1 is still there, unchanged.
    v1 = ret.versions[0]
    assert {(v.indicator, v.number) for v in v1.values} == {("REP01", 10.0), ("REP01O", 10.0)}
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("return.%")).order_by(AuditEvent.id)
        )
    ]
    assert actions == [
        "return.upload",
        "return.submit",
        "return.return",
        "return.upload",
        "return.submit",
        "return.accept",
    ]
    original = client.get(f"/returns/{ret.id}/versions/1/file")
    assert original.status_code == 200 and original.data[:2] == b"PK"


def test_secretariat_uploads_on_behalf(client, db, login_as, filled):
    login_as("secretariat")
    assert (
        upload(client, filled({("REP01", "Total"): 1, ("REP01O", "Total"): 1}, country="TJ"), "save").status_code == 302
    )
    version = db.session.scalar(select(ReturnVersion))
    assert version.on_behalf is True and version.return_.country.iso2 == "TJ"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "return.upload"))
    assert event.details["on_behalf"] is True


@pytest.mark.committing
def test_concurrent_uploads_get_distinct_versions(app, db, database_url, filled, create_user):
    from portal.models import User
    from portal.services.returns.validate import validate_upload

    from .conftest import run_concurrently

    user_id = create_user("focal_point", country="KZ").id  # workers must not touch this thread's session
    data = filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3})

    def upload_once(session):
        me = session.get(User, user_id)
        report, ident = validate_upload(data, me)
        workflow.store_version(report, ident, data, "kz.xlsx", me)

    assert run_concurrently(app, upload_once, 6) == []
    db.session.expire_all()
    assert sorted(db.session.scalars(select(ReturnVersion.number))) == [1, 2, 3, 4, 5, 6]
    assert db.session.scalar(select(func.count(Return.id))) == 1


def test_note_shows_even_when_total_is_blank(client, db, login_as, filled):
    login_as("focal_point", country="KZ")
    upload(
        client,
        filled({("REP02", "Women"): 3, ("REP02", "Total"): "N/AV"}, notes={"REP02": "partial data from MIA"}),
        "save",
    )
    ret = _ret(db)
    assert "partial data from MIA" in client.get(f"/returns/{ret.id}").get_data(as_text=True)
