"""GET /api/v1/notifications: the caller's notices, their text in the caller's language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Notification
from portal.services.notices import notifications

from .conftest import use_token

PARAMS = {"country": "KZ", "period": "2025", "version": 2}
ENGLISH = "KZ submitted its return for 2025 (version 2) for review."


@pytest.fixture
def noticed(db, create_user):
    def make(language="en"):
        user = create_user("secretariat", language=language)
        other = create_user("secretariat")
        notifications.notify(user, "return.submitted", PARAMS, link="/returns/7")
        notifications.notify(user, "return.accepted", {"period": "2024", "version": 1})
        notifications.notify(other, "return.submitted", PARAMS, link="/returns/7")
        db.session.commit()
        return user

    return make


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_callers_notices_in_their_language(client, db, noticed, language):
    user = use_token(client, noticed(language))
    answer = client.get("/api/v1/notifications")
    assert answer.status_code == 200
    body = answer.json
    assert body["unread"] == 2
    first, second = body["notifications"]  # newest first
    assert set(first) == {"id", "kind", "text", "link", "created_at", "read_at"}
    assert (second["kind"], second["link"], second["read_at"]) == ("return.submitted", "/returns/7", None)
    ids = {n.id for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))}
    assert {first["id"], second["id"]} == ids  # not the other user's
    assert (second["text"] == ENGLISH) == (language == "en")
    if language == "ru":
        assert "KZ" in second["text"] and any("а" <= ch <= "я" for ch in second["text"].lower())
    assert second["created_at"].startswith("20")


def test_listing_does_not_mark_read(client, noticed):
    user = use_token(client, noticed())
    client.get("/api/v1/notifications")
    assert client.get("/api/v1/notifications").json["unread"] == 2
    assert notifications.unread_count(user) == 2


def test_mark_read_needs_a_token_and_marks_the_callers_only(client, db, noticed):
    user = noticed()
    assert client.post("/api/v1/notifications/read").status_code == 401
    use_token(client, user)
    assert client.post("/api/v1/notifications/read").json == {"marked": 2}
    body = client.get("/api/v1/notifications").json
    assert body["unread"] == 0 and all(n["read_at"] for n in body["notifications"])
    unread_elsewhere = db.session.scalars(select(Notification).where(Notification.read_at.is_(None))).all()
    assert len(unread_elsewhere) == 1 and unread_elsewhere[0].user_id != user.id


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/notifications").status_code == 401
