"""Password reset by e-mail, end to end through the outbox and the real SMTP server the suite
runs (aiosmtpd): request, follow the link, set the password; old sessions and tokens end; the
link works once and for one hour; the same answer for any address; throttled."""

import re
from datetime import timedelta
from email import message_from_string
from email.policy import default

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from portal.models import AuditEvent, OutboxMessage
from portal.models.types import utcnow
from portal.services.accounts import password_reset
from portal.services.notices import outbox

from .conftest import PASSWORD
from .test_outbox_backup import smtp  # noqa: F401  (the real SMTP server fixture)
from .test_sessions import _captured, _replay, _token, _token_works

NEW = "a-brand-new-password"
INVALID = "This password-reset link is not valid any more"


def _actions(db):
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _link_path(app, text: str) -> str:
    url = re.search(r"https?://\S+/auth/reset/\S+", text).group(0)
    return url[len(app.config["PORTAL_URL"]) :]


def _outbox_link(app, db) -> str:
    db.session.rollback()
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return _link_path(app, message.body_text)


def test_the_sign_in_page_offers_it(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot"' in page and "Forgot password?" in page
    assert client.get("/auth/forgot").status_code == 200


@pytest.mark.parametrize(
    "language, words",
    [
        ("en", "reset the password of your account"),
        ("ru", "сбросить пароль"),
    ],
)
def test_reset_end_to_end_through_smtp(app, db, smtp, create_user, language, words):  # noqa: F811
    inbox, _server = smtp()
    user = create_user("focal_point", country="KZ", language=language)
    browser = app.test_client()
    assert (
        browser.post("/auth/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}).status_code
        == 302
    )
    old_cookies, old_token = _captured(browser), _token(app.test_client(), user.email)

    anonymous = app.test_client()
    asked = anonymous.post("/auth/forgot", data={"email": user.email.upper()})
    assert asked.status_code == 303 and asked.headers["Location"] == "/auth/login"
    assert outbox.send_pending()["sent"] == 1
    [(to, raw)] = inbox.messages
    assert to == [user.email]
    mail = message_from_string(raw, policy=default)
    body = mail.get_body(("plain",)).get_content()
    assert words in body
    path = _link_path(app, body)
    assert path in mail.get_body(("html",)).get_content()

    form = anonymous.get(path)
    assert form.status_code == 200 and 'name="new_password"' in form.get_data(as_text=True)
    done = anonymous.post(path, data={"new_password": NEW, "confirm": NEW})
    assert done.status_code == 303 and done.headers["Location"] == "/auth/login"

    # Every session, remember-me cookie and token from before has ended.
    assert not _replay(app, **old_cookies)
    assert not _replay(app, remember_token=old_cookies["remember_token"])
    assert not _token_works(app, old_token)
    # The link is dead once used, for reading and for posting.
    again = anonymous.get(path)
    assert again.status_code == 400 and INVALID in again.get_data(as_text=True)
    assert (
        anonymous.post(path, data={"new_password": "another-password-1", "confirm": "another-password-1"}).status_code
        == 400
    )
    # The new password signs in, the old one does not.
    fresh = app.test_client()
    assert fresh.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 401
    assert fresh.post("/auth/login", data={"email": user.email, "password": NEW}).status_code == 302
    actions = _actions(db)
    assert "auth.password_reset_requested" in actions and "user.password_reset_by_email" in actions


@pytest.mark.parametrize("minutes, status", [(59, 200), (61, 400)])
def test_the_link_lasts_one_hour(app, client, db, create_user, minutes, status):
    user = create_user("delegate")
    password_reset.request_reset(user.email, "10.0.0.5", now=utcnow() - timedelta(minutes=minutes))
    db.session.commit()
    response = client.get(_outbox_link(app, db))
    assert response.status_code == status
    if status == 400:
        assert INVALID in response.get_data(as_text=True)


def _follow(client, response) -> str:
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r"If (\S+) belongs to an account[^<]*", page).group(0)


@pytest.mark.parametrize("who", ["active account", "no account", "deactivated account"])
def test_the_same_answer_whether_or_not_the_address_has_an_account(app, db, create_user, who):
    create_user("delegate", email="known@prr.example")
    create_user("delegate", email="gone@prr.example", active=False)
    email = {
        "active account": "known@prr.example",
        "no account": "nobody@prr.example",
        "deactivated account": "gone@prr.example",
    }[who]
    client, reference = app.test_client(), app.test_client()
    response = client.post("/auth/forgot", data={"email": email})
    db.session.rollback()
    sent = db.session.scalar(select(func.count(OutboxMessage.id)))
    assert sent == (1 if who == "active account" else 0)
    known = reference.post("/auth/forgot", data={"email": "known@prr.example"})
    assert (response.status_code, response.headers["Location"]) == (known.status_code, known.headers["Location"])
    assert _follow(client, response).replace(email, "X") == _follow(reference, known).replace("known@prr.example", "X")


@pytest.mark.parametrize("who", ["active account", "no account"])
def test_requests_are_throttled_per_address(app, client, db, create_user, who):
    create_user("delegate", email="known@prr.example")
    email = "known@prr.example" if who == "active account" else "nobody@prr.example"
    statuses = [
        client.post("/auth/forgot", data={"email": email}).status_code for _ in range(password_reset.MAX_PER_EMAIL + 1)
    ]
    assert statuses == [303] * password_reset.MAX_PER_EMAIL + [429]
    last = client.post("/auth/forgot", data={"email": email})
    assert "Too many password-reset requests. Try again in 60 minutes." in last.get_data(as_text=True)
    assert "auth.password_reset_throttled" in _actions(db)


def test_requests_are_throttled_per_client_address(app, db, reference_data):
    client = app.test_client()
    office = {"REMOTE_ADDR": "10.9.9.9"}
    statuses = [
        client.post("/auth/forgot", data={"email": f"n{n}@prr.example"}, environ_base=office).status_code
        for n in range(password_reset.MAX_PER_CLIENT + 1)
    ]
    assert statuses == [303] * password_reset.MAX_PER_CLIENT + [429]
    other = client.post("/auth/forgot", data={"email": "n0@prr.example"}, environ_base={"REMOTE_ADDR": "10.9.9.10"})
    assert other.status_code == 303


@pytest.mark.parametrize(
    "data, message",
    [
        ({"new_password": "short", "confirm": "short"}, "between 10 and 128 characters"),
        ({"new_password": NEW, "confirm": "something-else"}, "The two passwords are not the same."),
        ({"new_password": "", "confirm": ""}, "Enter a password."),
    ],
)
def test_the_new_password_follows_the_rules(app, client, db, create_user, data, message):
    user = create_user("delegate")
    password_reset.request_reset(user.email)
    db.session.commit()
    path = _outbox_link(app, db)
    response = client.post(path, data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert client.get(path).status_code == 200  # a refused try does not use the link up


def _forged(app, db, user, token):
    """Everything right but the signing salt (e.g. a token of another kind)."""
    payload = {
        "u": user.id,
        "g": user.session_generation,
        "f": password_reset._fingerprint(user),
        "t": int(utcnow().timestamp()),
    }
    return URLSafeSerializer(app.config["SECRET_KEY"], salt="other").dumps(payload)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda app, db, user, token: "not-a-token",
        lambda app, db, user, token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        _forged,
        lambda app, db, user, token: (_admin_reset(app, db, user), token)[-1],
        lambda app, db, user, token: (_sign_out_elsewhere(app, user), token)[-1],
    ],
    ids=["garbage", "tampered signature", "other key", "password changed since", "signed out since"],
)
def test_forged_tampered_or_stale_links_are_refused(app, client, db, create_user, spoil):
    user = create_user("delegate")
    password_reset.request_reset(user.email)
    db.session.commit()
    token = _outbox_link(app, db).rsplit("/", 1)[1]
    path = "/auth/reset/" + spoil(app, db, user, token)
    response = client.post(path, data={"new_password": NEW, "confirm": NEW})
    assert response.status_code == 400 and INVALID in response.get_data(as_text=True)


def _admin_reset(app, db, user):
    from portal.services.accounts import users

    users.set_password(user, "set-by-an-admin-1")
    db.session.commit()


def _sign_out_elsewhere(app, user):
    browser = app.test_client()
    assert browser.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert browser.post("/auth/logout").status_code == 302


@pytest.mark.committing
def test_one_link_used_twice_at_the_same_moment_sets_one_password(app, db, create_user):
    import threading

    from .conftest import run_concurrently

    user = create_user("delegate")
    password_reset.request_reset(user.email)
    db.session.commit()
    token = _outbox_link(app, db).rsplit("/", 1)[1]
    barrier, outcomes = threading.Barrier(2), []

    def use(session):
        barrier.wait(30)
        try:
            password_reset.reset_password(token, NEW)
            outcomes.append("set")
        except password_reset.LinkInvalid:
            outcomes.append("refused")

    assert run_concurrently(app, use, 2) == []
    assert sorted(outcomes) == ["refused", "set"]
    assert _actions(db).count("user.password_reset_by_email") == 1
