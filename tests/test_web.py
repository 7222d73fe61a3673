"""Web hygiene: headers, cookies, error pages in HTML and JSON, upload limit, rollback on 500."""

import pytest
from sqlalchemy import select

from portal.models import Region


def test_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_flags(client, create_user, auth):
    user = create_user("delegate")
    cookie = auth.login(user.email).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_404_page_in_portal_look(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and "PRR Council Portal" in page


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["error"]["title"] == "Sign-in required"


def test_api_countries_and_me(client, login_as):
    user = login_as("focal_point", country="KG")
    regions = client.get("/api/v1/countries").json["regions"]
    central_asia = next(r for r in regions if r["code"] == "central_asia")
    assert {c["iso2"] for c in central_asia["countries"]} == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert central_asia["name"]["ru"] == "Центральная Азия"
    assert client.get("/api/v1/me").status_code == 401  # the session cookie does not count on the API
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": "correct-horse-battery"}).json[
        "token"
    ]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json == {
        "email": user.email,
        "name": user.name,
        "role": "focal_point",
        "language": "en",
        "country": "KG",
    }


def test_upload_over_the_limit_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/auth/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


def test_unexpected_error_is_a_500_page_and_rolls_back(app, db, reference_data):
    @app.route("/boom")
    def boom():
        db.session.add(Region(code="half_written", name_en="x", name_ru="x"))
        db.session.flush()
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Region).where(Region.code == "half_written")) is None


@pytest.mark.parametrize("url", ["/", "/auth/account"])
def test_pages_need_sign_in(client, url):
    assert client.get(url).status_code == 302


@pytest.mark.committing
def test_behind_a_proxy_the_client_address_is_audited(database_url, tmp_path, reference_data):
    from portal import create_app
    from portal.models import AuditEvent

    from .conftest import IsolatedClient, base_config

    proxied = create_app({**base_config(database_url, tmp_path), "TRUSTED_PROXIES": 1})
    proxied.test_client_class = IsolatedClient
    proxied.test_client().post(
        "/auth/login",
        data={"email": "x@prr.example", "password": "whatever-pw"},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    with proxied.app_context():
        from portal.extensions import db

        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login_failed"))
        assert event.ip_address == "203.0.113.7"
        db.session.remove()
        db.engine.dispose()
