"""Administration pages: only for administrators; every change audited."""

import re

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, User

NEW_USER = {
    "email": "New.Person@prr.example",
    "name": "New Person",
    "role": "focal_point",
    "country": "TJ",
    "language": "ru",
    "new_password": "a-fine-password",
    "confirm": "a-fine-password",
}


@pytest.mark.parametrize("role", ["focal_point", "delegate", "secretariat"])
def test_other_roles_get_403(client, login_as, role):
    login_as(role)
    for url in ("/admin/users", "/admin/users/new", "/admin/audit"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Your account does not have access to this page." in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=/admin/users")


def test_create_user(client, db, login_as, auth):
    admin = login_as("admin")
    response = client.post("/admin/users/new", data=NEW_USER)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.person@prr.example"))
    assert (user.role, user.country.iso2, user.language) == ("focal_point", "TJ", "ru")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "user.create", AuditEvent.object_id == str(user.id))
    )
    assert event.actor_id == admin.id
    auth.logout()
    assert auth.login("new.person@prr.example", "a-fine-password").status_code == 302


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"email": "focal_point1@prr.example"},
            "A user with the e-mail address focal_point1@prr.example already exists.",
        ),
        ({"country": ""}, "A focal point must have a country."),
        ({"email": "bad@"}, "Enter a valid e-mail address"),
        ({"name": "x" * 121}, "The name is too long (at most 120 characters)."),
        ({"confirm": "something-else"}, "The two passwords are not the same."),
        ({"country": "FR"}, "Not a valid choice"),
    ],
)
def test_create_user_bad_input(client, db, login_as, create_user, changes, message):
    create_user("focal_point")  # focal_point1@prr.example
    login_as("admin")
    before = db.session.scalar(select(db.func.count(User.id)))
    response = client.post("/admin/users/new", data={**NEW_USER, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == before


def test_edit_user(client, db, login_as, create_user):
    login_as("admin")
    user = create_user("delegate")
    response = client.post(
        f"/admin/users/{user.id}",
        data={"name": "Renamed", "role": "secretariat", "country": "", "language": "en", "active": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.name, user.role) == ("Renamed", "secretariat")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert event.details["changes"]["role"] == ["delegate", "secretariat"]


def test_edit_unknown_user_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/9999").status_code == 404


def test_reset_password_and_deactivate(client, db, login_as, create_user, app):
    login_as("admin")
    user = create_user("delegate")
    short = client.post(f"/admin/users/{user.id}/password", data={"new_password": "short", "confirm": "short"})
    assert short.status_code == 400
    assert "between 10 and 128 characters" in short.get_data(as_text=True)
    ok = client.post(
        f"/admin/users/{user.id}/password", data={"new_password": "reset-password-1", "confirm": "reset-password-1"}
    )
    assert ok.status_code == 302
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert user.active is False
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "user.password_reset" in actions and "user.deactivate" in actions
    other = app.test_client()
    response = other.post("/auth/login", data={"email": user.email, "password": "reset-password-1"})
    assert response.status_code == 401  # like a wrong password: no deactivated-account oracle


def test_admin_cannot_deactivate_self(client, db, login_as):
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    db.session.expire_all()
    assert admin.active


def test_audit_trail_page(client, login_as):
    login_as("admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "auth.login" in page and "user.create" in page
    assert client.get("/admin/audit?page=0").status_code == 400


@pytest.mark.parametrize(
    "language, shown, hidden",
    [
        ("ru", ["план действий #", "источник: начальные данные", "от имени страны: нет"], ["action_plan", "via:"]),
        ("en", ["action plan #", "via: seed data", "on behalf of the country: no"], ["action_plan"]),
    ],
)
def test_the_audit_trail_reads_in_the_readers_language(client, db, login_as, language, shown, hidden):
    """Seen: object types and details as codes ("action_plan", "via: seed") to Russian readers."""
    from portal.services import audit

    admin = login_as("admin", language=language)
    audit.record("library.created", actor=admin, object_type="action_plan", object_id=7, via="seed", on_behalf=False)
    db.session.commit()
    page = re.sub(r"<[^>]+>", "", client.get("/admin/audit").get_data(as_text=True))  # the text as read
    assert all(text in page for text in shown), [t for t in shown if t not in page]
    assert not any(text in page for text in hidden), [t for t in hidden if t in page]
    assert "library.created" in page  # the action stays a code: what an auditor searches for
