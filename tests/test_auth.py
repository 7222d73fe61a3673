"""Signing in and out through the web: messages, statuses, throttling, audit trail."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, User
from portal.models.types import utcnow
from portal.services.accounts import auth as auth_service

BAD_CREDENTIALS = "The e-mail address or password is not correct."


def _actions(db):
    """Sign-in and user events (the reference data's own events left out)."""
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [e.action for e in events if e.action.startswith(("auth.", "user."))]


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/"


def test_login_success(client, db, create_user, auth):
    user = create_user("focal_point", country="UZ")
    response = auth.login(user.email.upper())
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Your country: Uzbekistan" in page
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None
    assert "auth.login" in _actions(db)


@pytest.mark.parametrize(
    "email, password",
    [
        ("nobody@prr.example", "correct-horse-battery"),
        ("delegate1@prr.example", "wrong-password"),
    ],
)
def test_unknown_email_and_wrong_password_get_the_same_answer(client, db, create_user, auth, email, password):
    create_user("delegate", email="delegate1@prr.example")
    response = auth.login(email, password)
    assert response.status_code == 401
    assert BAD_CREDENTIALS in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out
    assert _actions(db)[-1] == "auth.login_failed"


@pytest.mark.parametrize("password", ["correct-horse-battery", "wrong-password"])
def test_deactivated_account_answers_like_a_wrong_password(client, db, create_user, auth, password):
    """No oracle: the right and a wrong password for a deactivated account, and a wrong one
    for an active account, get the same status and the same words."""
    create_user("delegate", email="active@prr.example")
    user = create_user("delegate", active=False)
    response = auth.login(user.email, password)
    wrong = auth.login("active@prr.example", "wrong-password")
    assert (response.status_code, wrong.status_code) == (401, 401)
    assert BAD_CREDENTIALS in response.get_data(as_text=True)
    assert "deactivated" not in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    api = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    api_wrong = client.post("/api/v1/auth/token", json={"email": "active@prr.example", "password": "nope-nope"})
    assert (api.status_code, api.get_json()) == (api_wrong.status_code, api_wrong.get_json())
    assert api.status_code == 401


def test_a_signed_in_user_who_is_deactivated_is_signed_out(client, db, login_as):
    user = login_as("delegate")
    assert client.get("/").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_address(app, client, db, create_user, auth):
    user = create_user("delegate")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert auth.login(user.email, "wrong-password").status_code == 401
    response = auth.login(user.email)  # even the right password is refused now
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in response.get_data(as_text=True)
    assert "auth.login_locked" in _actions(db)


def test_lock_expires_and_success_clears_the_count(app, db, create_user):
    user = create_user("delegate")
    now = utcnow()
    for _ in range(5):
        with pytest.raises(auth_service.LoginRefused):
            auth_service.authenticate(user.email, "wrong", "10.0.0.1", now=now)
        db.session.commit()
    with pytest.raises(auth_service.TooManyAttempts):
        auth_service.authenticate(user.email, "correct-horse-battery", "10.0.0.1", now=now)
    later = now + timedelta(minutes=16)
    assert auth_service.authenticate(user.email, "correct-horse-battery", "10.0.0.1", now=later) == user
    db.session.commit()
    # After a success the count starts again: four more failures do not lock.
    for _ in range(4):
        with pytest.raises(auth_service.LoginRefused) as info:
            auth_service.authenticate(user.email, "wrong", "10.0.0.1", now=later)
        db.session.commit()  # as a request does: the caller commits after each attempt
        assert not isinstance(info.value, auth_service.TooManyAttempts)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " //evil.example",
    ],
)
def test_bad_next_is_not_followed(create_user, auth, target):
    user = create_user("delegate")
    response = auth.login(user.email, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_local_next_is_followed(create_user, auth):
    user = create_user("delegate")
    response = auth.login(user.email, next="/auth/account?tab=1")
    assert response.headers["Location"] == "/auth/account?tab=1"


@pytest.mark.parametrize(
    "email, message",
    [
        ("not-an-email", "Enter a valid e-mail address"),
        ("", "Enter your e-mail address."),
        ("a" * 250 + "@prr.example", "The e-mail address is too long (at most 254 characters)."),
    ],
)
def test_malformed_login_input_is_a_400(client, db, auth, reference_data, email, message):
    response = auth.login(email)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _actions(db) == []


def test_logout_needs_post_and_is_audited(client, db, login_as, auth):
    login_as("delegate")
    assert client.get("/auth/logout").status_code == 405
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert _actions(db)[-1] == "auth.logout"


def test_change_password(client, db, login_as, auth):
    user = login_as("delegate")
    bad = client.post(
        "/auth/account/password",
        data={
            "current_password": "nope-nope-nope",
            "new_password": "brand-new-password",
            "confirm": "brand-new-password",
        },
    )
    assert bad.status_code == 400
    assert "The current password is not correct." in bad.get_data(as_text=True)
    mismatch = client.post(
        "/auth/account/password",
        data={
            "current_password": "correct-horse-battery",
            "new_password": "brand-new-password",
            "confirm": "different-password",
        },
    )
    assert mismatch.status_code == 400
    assert "The two passwords are not the same." in mismatch.get_data(as_text=True)
    ok = client.post(
        "/auth/account/password",
        data={
            "current_password": "correct-horse-battery",
            "new_password": "brand-new-password",
            "confirm": "brand-new-password",
        },
    )
    assert ok.status_code == 302
    auth.logout()
    assert auth.login(user.email).status_code == 401
    assert auth.login(user.email, "brand-new-password").status_code == 302


def test_csrf_token_is_required(app, client, create_user):
    user = create_user("delegate")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/auth/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert "The form has expired or did not come from this portal" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


@pytest.mark.committing
def test_the_lock_holds_across_workers(app, database_url, tmp_path, create_user):
    """Two app instances (as two gunicorn workers) share the failure count via the database."""
    from portal import create_app

    from .conftest import IsolatedClient, base_config

    user = create_user("delegate")
    other_worker = create_app(base_config(database_url, tmp_path))
    other_worker.test_client_class = IsolatedClient
    clients = [app.test_client(), other_worker.test_client()]
    for attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        response = clients[attempt % 2].post("/auth/login", data={"email": user.email, "password": "wrong-password"})
        assert response.status_code == 401
    for client in clients:
        response = client.post("/auth/login", data={"email": user.email, "password": "correct-horse-battery"})
        assert response.status_code == 429
    with other_worker.app_context():
        from portal.extensions import db

        db.engine.dispose()
