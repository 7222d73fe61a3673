"""Sessions end when they should: cookies captured before sign-out, a password change, an
administrator's reset or a deactivation are replayed on a fresh client and must be refused,
and so must API tokens issued before. Under /api/ only the bearer token counts."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import AuditEvent
from portal.models.types import utcnow

from .conftest import PASSWORD

SESSION, REMEMBER = "session", "remember_token"


def _captured(client) -> dict:
    return {name: client.get_cookie(name).value for name in (SESSION, REMEMBER) if client.get_cookie(name) is not None}


def _replay(app, **cookies):
    """A fresh browser holding only these cookies: is it signed in?"""
    fresh = app.test_client()
    for name, value in cookies.items():
        fresh.set_cookie(name, value)
    return fresh.get("/").status_code == 200


def _token(client, email, password=PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _token_works(app, headers) -> bool:
    return app.test_client().get("/api/v1/me", headers=headers).status_code == 200


def _signed_in_with_remember(app, create_user, **fields):
    user = create_user("delegate", **fields)
    browser = app.test_client()
    response = browser.post("/auth/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookies = _captured(browser)
    assert set(cookies) == {SESSION, REMEMBER}
    return user, browser, cookies


def _actions(db):
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _sign_out(app, db, user, browser, create_user):
    assert browser.post("/auth/logout").status_code == 302


def _sign_out_everywhere(app, db, user, browser, create_user):
    assert browser.post("/auth/account/sign-out-everywhere").status_code == 302
    assert "auth.logout_everywhere" in _actions(db)


def _change_password(app, db, user, browser, create_user):
    response = browser.post(
        "/auth/account/password",
        data={"current_password": PASSWORD, "new_password": "brand-new-password", "confirm": "brand-new-password"},
    )
    assert response.status_code == 302
    assert browser.get("/").status_code == 200  # this browser goes on, with a new session


def _admin(app, create_user):
    admin = create_user("admin", email="admin@prr.example")
    client = app.test_client()
    assert client.post("/auth/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    return client


def _admin_reset(app, db, user, browser, create_user):
    admin = _admin(app, create_user)
    response = admin.post(
        f"/admin/users/{user.id}/password", data={"new_password": "reset-password-1", "confirm": "reset-password-1"}
    )
    assert response.status_code == 302


def _deactivate_and_reactivate(app, db, user, browser, create_user):
    admin = _admin(app, create_user)
    assert admin.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    response = admin.post(
        f"/admin/users/{user.id}",
        data={"name": user.name, "role": user.role, "country": "", "language": "en", "active": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert user.active is True


def _edit_inactive_and_back(app, db, user, browser, create_user):
    admin = _admin(app, create_user)
    form = {"name": user.name, "role": user.role, "country": "", "language": "en"}
    assert admin.post(f"/admin/users/{user.id}", data=form).status_code == 302  # active unticked
    assert admin.post(f"/admin/users/{user.id}", data={**form, "active": "y"}).status_code == 302


def _cli_set_password(app, db, user, browser, create_user):
    result = app.test_cli_runner().invoke(args=["users", "set-password", user.email, "--password", "cli-password-123"])
    assert result.exit_code == 0, result.output


ENDINGS = {
    "sign-out": _sign_out,
    "sign-out-everywhere": _sign_out_everywhere,
    "password-change": _change_password,
    "admin-reset": _admin_reset,
    "deactivate-then-reactivate": _deactivate_and_reactivate,
    "admin-form-inactive-then-active": _edit_inactive_and_back,
    "cli-set-password": _cli_set_password,
}


@pytest.mark.parametrize("what", ["session cookie", "remember-me cookie", "both cookies", "API token"])
@pytest.mark.parametrize("ending", ENDINGS)
def test_everything_issued_before_the_ending_is_refused(app, db, create_user, ending, what):
    user, browser, cookies = _signed_in_with_remember(app, create_user)
    headers = _token(app.test_client(), user.email)
    replay = {
        "session cookie": {SESSION: cookies[SESSION]},
        "remember-me cookie": {REMEMBER: cookies[REMEMBER]},
        "both cookies": cookies,
    }.get(what)
    # Before: each credential on its own signs a fresh client in (so the test can fail).
    assert (_replay(app, **replay) if replay else _token_works(app, headers)) is True
    ENDINGS[ending](app, db, user, browser, create_user)
    assert (_replay(app, **replay) if replay else _token_works(app, headers)) is False


def test_other_users_sessions_are_untouched(app, db, create_user):
    _user, browser, _cookies = _signed_in_with_remember(app, create_user)
    other, _other_browser, other_cookies = _signed_in_with_remember(app, create_user)
    other_token = _token(app.test_client(), other.email)
    assert browser.post("/auth/account/sign-out-everywhere").status_code == 302
    assert _replay(app, **other_cookies) and _token_works(app, other_token)


def test_sign_out_everywhere_needs_post_and_a_csrf_token(app, client, db, login_as):
    login_as("delegate")
    assert client.get("/auth/account/sign-out-everywhere").status_code == 405
    page = client.get("/auth/account").get_data(as_text=True)
    assert 'action="/auth/account/sign-out-everywhere"' in page and "Sign out everywhere" in page
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post("/auth/account/sign-out-everywhere")
    assert refused.status_code == 400
    assert client.get("/").status_code == 200
    assert "auth.logout_everywhere" not in _actions(db)


def test_remember_me_lasts_at_most_30_days(app, create_user):
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    _user, browser, _cookies = _signed_in_with_remember(app, create_user)
    expires = browser.get_cookie(REMEMBER).expires
    assert utcnow() + timedelta(days=29) < expires <= utcnow() + timedelta(days=30, minutes=1)


# --- the API and cookies ----------------------------------------------------------------

JUNK = {"Authorization": "Bearer x"}


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/periods"),
        ("DELETE", "/api/v1/auth/token"),  # a write that needs a signed-in user
        ("POST", "/api/v1/returns"),
    ],
)
@pytest.mark.parametrize("headers", [JUNK, {}], ids=["junk bearer", "no bearer"])
def test_a_session_cookie_never_authenticates_the_api(client, login_as, return_setup, method, path, headers):
    login_as("focal_point", country="KZ")
    assert client.get("/").status_code == 200  # the cookie is a good one
    response = client.open(path, method=method, headers=headers)
    assert response.status_code == 401, response.get_data(as_text=True)


def _anonymous_cookie(app, client, create_user):
    assert client.post("/auth/language", data={"language": "ru", "next": "/auth/login"}).status_code == 303
    assert client.get_cookie(SESSION) is not None


def _another_users_cookie(app, client, create_user):
    other = create_user("secretariat", email="other@prr.example")
    assert (
        client.post("/auth/login", data={"email": other.email, "password": PASSWORD, "remember": "y"}).status_code
        == 302
    )


def _garbage_cookies(app, client, create_user):
    client.set_cookie(SESSION, "not-a-signed-session")
    client.set_cookie(REMEMBER, "1|forged")


@pytest.mark.parametrize(
    "jar",
    [_anonymous_cookie, _another_users_cookie, _garbage_cookies],
    ids=["anonymous session", "another user's session", "garbage cookies"],
)
def test_a_valid_token_works_whatever_cookies_the_client_holds(app, client, create_user, return_setup, jar):
    user = create_user("focal_point", country="KZ")
    headers = _token(app.test_client(), user.email)
    jar(app, client, create_user)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["email"] == user.email
    assert client.get("/api/v1/periods", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_api_answers_set_no_cookie(client, create_user):
    user = create_user("delegate")
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert me.status_code == 200
    assert "Set-Cookie" not in response.headers and "Set-Cookie" not in me.headers


@pytest.mark.parametrize(
    "form, signed_in",
    [
        ("{id}:{generation}", True),
        ("{id}", False),  # a session from before generations existed
        ("{id}:{older}", False),
        ("{id}:x", False),
    ],
)
def test_the_session_names_the_current_generation(app, client, db, login_as, form, signed_in):
    user = login_as("delegate")
    generation = user.session_generation
    value = form.format(id=user.id, generation=generation, older=generation - 1)
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{user.id}:{generation}"
        session["_user_id"] = value
    assert (client.get("/").status_code == 200) is signed_in
