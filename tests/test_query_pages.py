"""The query pages: the secretariat opens a query from the grid, the focal point answers on the
thread or in place on the return page, the secretariat resolves and reopens; who may see what;
CSRF on every new form; what people typed shown escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import QueryMessage, ValueQuery
from portal.services.returns import queries

from .test_review_grid import cell_html

VALUES = {("REP02", "Men"): 1, ("REP02", "Girls"): 2, ("REP02", "Total"): 3, ("REP08", "Total"): 4}


@pytest.fixture
def submitted(create_return):
    """A submitted KZ 2025 return."""
    return create_return("KZ", "2025", VALUES, status="submitted").return_


@pytest.fixture
def asked(app, submitted, create_user):
    """An open query on REP02 Girls of the submitted return, by a secretariat user."""
    staff = create_user("secretariat", email="asker@prr.example", name="Asel Secretariat")
    with app.test_request_context():
        query = queries.open_query(submitted, staff, "REP02", "Girls", "Where do the two girls come from?", "1")
    _db.session.commit()
    return query


def _messages(query_id: int) -> list[tuple[str, str]]:
    _db.session.expire_all()
    rows = _db.session.execute(
        select(QueryMessage.kind, QueryMessage.text).where(QueryMessage.query_id == query_id).order_by(QueryMessage.id)
    )
    return [tuple(r) for r in rows]


def _state(query_id: int) -> str:
    _db.session.expire_all()
    return _db.session.scalar(select(ValueQuery.state).where(ValueQuery.id == query_id))


# -- opening a query --------------------------------------------------------------------------


def test_secretariat_opens_a_query_from_the_grid(client, login_as, submitted):
    login_as("secretariat", name="Sara Reviewer")
    url = f"/review/{submitted.id}/queries/new?indicator=REP02&breakdown=Girls"
    form = client.get(url)
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert 'data-testid="current-value">2<' in page
    assert '<label class="form-label" for="text">Question to the focal point</label>' in page
    assert '<label class="form-label" for="suggested">Suggested value (optional)</label>' in page
    sent = client.post(url, data={"text": "Why two?", "suggested": "NIL"})
    assert sent.status_code == 302
    query = _db.session.scalar(select(ValueQuery).where(ValueQuery.return_id == submitted.id))
    assert (query.indicator, query.breakdown, query.state, query.suggested) == ("REP02", "Girls", "open", "NIL")
    assert sent.headers["Location"].endswith(f"/returns/{submitted.id}/queries/{query.id}")
    thread = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Query sent to the focal point." in thread
    assert "Sara Reviewer</strong> asked" in thread and "Why two?" in thread
    assert 'data-testid="suggested">NIL<' in thread
    assert 'data-query-state="open"' in thread
    # the grid now links the value to its thread
    grid = client.get(f"/review/{submitted.id}").get_data(as_text=True)
    assert f'href="/returns/{submitted.id}/queries/{query.id}"' in cell_html(grid, "REP02", "Girls")


def test_a_second_query_on_the_same_cell_goes_to_the_thread(client, login_as, submitted, asked):
    login_as("secretariat")
    response = client.get(f"/review/{submitted.id}/queries/new?indicator=REP02&breakdown=Girls")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/returns/{submitted.id}/queries/{asked.id}")


@pytest.mark.parametrize(
    "args, message",
    [
        ("indicator=NOPE&breakdown=Total", "The return&#39;s template has no indicator “NOPE”."),
        (
            "indicator=REP02&breakdown=Syria",
            "Indicator REP02 has no breakdown “Syria” (it has: Men, Women, Boys, Girls, Total).",
        ),
        ("indicator=REP07&breakdown=", "Indicator REP07 has no breakdown “” (it has: Value)."),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_query_on_a_cell_the_template_lacks(client, login_as, submitted, args, message, method):
    login_as("secretariat")
    response = getattr(client, method)(f"/review/{submitted.id}/queries/new?{args}", data={"text": "Why?"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(ValueQuery.id))) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": "  "}, "Write the text of the message."),
        ({"text": "x" * 2001}, "At most 2000 characters."),
        ({"text": "Why?", "suggested": "9" * 65}, "At most 64 characters."),
    ],
)
def test_a_query_form_with_bad_input(client, login_as, submitted, data, message):
    login_as("secretariat")
    response = client.post(f"/review/{submitted.id}/queries/new?indicator=REP02&breakdown=Total", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(ValueQuery.id))) == 0


# -- answering ---------------------------------------------------------------------------------


def test_focal_point_replies_on_the_thread(client, login_as, submitted, asked, auth):
    login_as("focal_point", country="KZ", name="Kairat Focal")
    thread = client.get(f"/returns/{submitted.id}/queries/{asked.id}")
    assert thread.status_code == 200
    page = thread.get_data(as_text=True)
    assert "Where do the two girls come from?" in page and "Asel Secretariat</strong> asked" in page
    assert 'data-testid="current-value">2' in page
    assert 'action="/review/' not in page  # no resolve or reopen for the country
    sent = client.post(f"/returns/{submitted.id}/queries/{asked.id}/reply", data={"text": "From Iraq, both."})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/queries/{asked.id}")
    assert _state(asked.id) == "answered"
    assert _messages(asked.id)[-1] == ("reply", "From Iraq, both.")
    assert "Kairat Focal</strong> replied" in client.get(sent.headers["Location"]).get_data(as_text=True)
    # the secretariat sees the answer on the grid, beside the value
    auth.logout()
    login_as("secretariat")
    girls = cell_html(client.get(f"/review/{submitted.id}").get_data(as_text=True), "REP02", "Girls")
    assert "query answered" in girls and "“From Iraq, both.”" in girls


def test_focal_point_answers_in_place_on_the_return_page(client, login_as, submitted, asked):
    login_as("focal_point", country="KZ")
    page = client.get(f"/returns/{submitted.id}").get_data(as_text=True)
    listed = page[page.index('data-testid="open-queries"') :]
    assert "1 open query from the secretariat" in listed
    assert f'href="/returns/{submitted.id}/queries/{asked.id}"' in listed
    assert f'action="/returns/{submitted.id}/queries/{asked.id}/reply"' in listed
    assert f'<label class="form-label small" for="reply-{asked.id}">Your answer on REP02 Girls</label>' in listed
    sent = client.post(
        f"/returns/{submitted.id}/queries/{asked.id}/reply", data={"text": "Corrected in version 2.", "back": "return"}
    )
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/returns/{submitted.id}#cell-REP02-Girls")
    assert _state(asked.id) == "answered"


def test_the_reply_box_keeps_the_services_limit(client, login_as, submitted, asked):
    login_as("focal_point", country="KZ")
    page = client.get(f"/returns/{submitted.id}").get_data(as_text=True)
    box = re.search(rf'<textarea[^>]*id="reply-{asked.id}"[^>]*>', page)
    assert box and f'maxlength="{queries.MAX_TEXT}"' in box.group(0) and "required" in box.group(0)


def test_staff_see_the_open_queries_on_the_return_page_without_reply_boxes(client, login_as, submitted, asked):
    login_as("secretariat")
    page = client.get(f"/returns/{submitted.id}").get_data(as_text=True)
    listed = page[page.index('data-testid="open-queries"') :]
    assert f'href="/returns/{submitted.id}/queries/{asked.id}"' in listed
    assert "/reply" not in page and f'id="reply-{asked.id}"' not in page


def test_a_new_version_that_changes_the_cell_shows_in_the_thread(client, login_as, submitted, asked, create_return):
    create_return("KZ", "2025", {**VALUES, ("REP02", "Girls"): 1, ("REP02", "Total"): 2}, status="submitted")
    login_as("focal_point", country="KZ", language="ru")
    page = client.get(f"/returns/{submitted.id}/queries/{asked.id}").get_data(as_text=True)
    assert "Изменено с 2 на 1 в версии 2." in page
    assert 'data-testid="current-value">1' in page


def test_an_empty_reply_is_refused_with_its_field(client, login_as, submitted, asked):
    login_as("focal_point", country="KZ")
    response = client.post(f"/returns/{submitted.id}/queries/{asked.id}/reply", data={"text": " "})
    assert response.status_code == 400 and "Write the text of the message." in response.get_data(as_text=True)
    assert _messages(asked.id) == [("question", "Where do the two girls come from?")]


def test_queried_cells_are_highlighted_for_the_focal_point(client, login_as, submitted, asked, app):
    login_as("focal_point", country="KZ")
    page = client.get(f"/returns/{submitted.id}").get_data(as_text=True)
    girls = cell_html(page, "REP02", "Girls")
    assert 'data-queried="open"' in girls and "bg-warning-subtle" in girls
    assert "❓</span> query" in girls  # a visible marker besides the colour
    assert f'href="/returns/{submitted.id}/queries/{asked.id}"' in girls
    men = cell_html(page, "REP02", "Men")
    assert "data-queried" not in men and "query" not in men
    # resolved: no longer highlighted nor listed
    staff = _db.session.get(type(asked), asked.id).created_by
    with app.test_request_context():
        queries.resolve(_db.session.get(ValueQuery, asked.id), staff)
    _db.session.commit()
    page = client.get(f"/returns/{submitted.id}").get_data(as_text=True)
    assert "data-queried" not in cell_html(page, "REP02", "Girls") and 'data-testid="open-queries"' not in page


def test_the_send_back_reasons_show_on_the_return_page(client, login_as, submitted, asked, auth):
    login_as("secretariat")
    grid = client.get(f"/review/{submitted.id}").get_data(as_text=True)
    listed = grid[grid.index('data-testid="send-back-queries"') :]
    assert "Where do the two girls come from?" in listed[: listed.index("</ul>")]
    assert client.post(f"/review/{submitted.id}/return", data={"reason": ""}).status_code == 302
    auth.logout()
    login_as("focal_point", country="KZ")
    page = client.get(f"/returns/{submitted.id}").get_data(as_text=True)
    reason = page[page.index('data-testid="return-reason"') :]
    assert '<a href="#cell-REP02-Girls"><code>REP02 Girls</code></a>: Where do the two girls come from?' in reason


# -- resolving and reopening -------------------------------------------------------------------


def test_resolve_and_reopen(client, login_as, submitted, asked):
    login_as("secretariat", name="Sara Reviewer")
    thread = client.get(f"/returns/{submitted.id}/queries/{asked.id}").get_data(as_text=True)
    assert f'action="/review/{submitted.id}/queries/{asked.id}/resolve"' in thread
    assert f'action="/review/{submitted.id}/queries/{asked.id}/reopen"' not in thread
    done = client.post(f"/review/{submitted.id}/queries/{asked.id}/resolve", data={"resolve-text": "Thanks."})
    assert done.status_code == 302 and _state(asked.id) == "resolved"
    assert _messages(asked.id)[-1] == ("resolve", "Thanks.")
    thread = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Query resolved." in thread and f'action="/review/{submitted.id}/queries/{asked.id}/reopen"' in thread
    assert "Sara Reviewer</strong> resolved" in thread
    again = client.post(f"/review/{submitted.id}/queries/{asked.id}/resolve", data={})
    assert again.status_code == 409 and "This query is already resolved." in again.get_data(as_text=True)
    no_reason = client.post(f"/review/{submitted.id}/queries/{asked.id}/reopen", data={"reopen-text": ""})
    assert no_reason.status_code == 400 and "Write the text of the message." in no_reason.get_data(as_text=True)
    assert _state(asked.id) == "resolved"
    reopened = client.post(f"/review/{submitted.id}/queries/{asked.id}/reopen", data={"reopen-text": "Still two?"})
    assert reopened.status_code == 302 and _state(asked.id) == "reopened"
    assert _messages(asked.id)[-1] == ("reopen", "Still two?")


def test_a_reply_to_a_resolved_query_is_refused(client, login_as, submitted, asked, app):
    with app.test_request_context():
        queries.resolve(asked, asked.created_by)
    _db.session.commit()
    login_as("focal_point", country="KZ")
    thread = client.get(f"/returns/{submitted.id}/queries/{asked.id}").get_data(as_text=True)
    assert "This query is resolved; the secretariat can reopen it." in thread and "/reply" not in thread
    response = client.post(f"/returns/{submitted.id}/queries/{asked.id}/reply", data={"text": "Late answer."})
    assert response.status_code == 409
    assert _messages(asked.id)[-1][0] == "resolve"


# -- who may see and do what --------------------------------------------------------------------


@pytest.mark.parametrize("role, country", [("delegate", None), ("focal_point", "KG")])
def test_others_get_404(client, login_as, submitted, asked, role, country):
    login_as(role, country=country)
    assert client.get(f"/returns/{submitted.id}/queries/{asked.id}").status_code == 404
    assert client.post(f"/returns/{submitted.id}/queries/{asked.id}/reply", data={"text": "Hi"}).status_code == 404
    assert _messages(asked.id) == [("question", "Where do the two girls come from?")]
    assert client.get(f"/returns/{submitted.id}").status_code == 404  # a submitted return: not even the page


@pytest.mark.parametrize("role, country", [("delegate", None), ("focal_point", "KG")])
def test_an_accepted_return_shows_others_no_query(app, client, login_as, create_return, create_user, role, country):
    ret = create_return("KZ", "2024", VALUES).return_
    staff = create_user("secretariat")
    with app.test_request_context():
        queries.open_query(ret, staff, "REP02", "Girls", "A question for Kazakhstan only.")
    _db.session.commit()
    login_as(role, country=country)
    response = client.get(f"/returns/{ret.id}")
    assert response.status_code == 200  # accepted figures: everyone signed in
    page = response.get_data(as_text=True)
    assert "A question for Kazakhstan only." not in page and "data-queried" not in page
    assert 'data-testid="open-queries"' not in page and "/queries/" not in page


def test_a_query_of_another_return_is_404(client, login_as, submitted, asked, create_return):
    other = create_return("KZ", "2024", {("REP02", "Total"): 1}, status="submitted")
    login_as("secretariat")
    assert client.get(f"/returns/{other.return_id}/queries/{asked.id}").status_code == 404
    assert client.post(f"/review/{other.return_id}/queries/{asked.id}/resolve").status_code == 404
    assert _state(asked.id) == "open"


def test_focal_points_cannot_open_resolve_or_reopen(client, login_as, submitted, asked):
    login_as("focal_point", country="KZ")
    base = f"/review/{submitted.id}/queries"
    assert client.get(f"{base}/new?indicator=REP02&breakdown=Total").status_code == 403
    assert client.post(f"{base}/new?indicator=REP02&breakdown=Total", data={"text": "Self?"}).status_code == 403
    assert client.post(f"{base}/{asked.id}/resolve").status_code == 403
    assert client.post(f"{base}/{asked.id}/reopen", data={"reopen-text": "x"}).status_code == 403
    assert _state(asked.id) == "open" and _db.session.scalar(select(func.count(ValueQuery.id))) == 1


def test_anonymous_goes_to_sign_in(client, submitted, asked):
    response = client.get(f"/returns/{submitted.id}/queries/{asked.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# -- CSRF -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, path, data",
    [
        ("secretariat", "/review/{rid}/queries/new?indicator=REP08&breakdown=Total", {"text": "Four?"}),
        ("focal_point", "/returns/{rid}/queries/{qid}/reply", {"text": "Answer."}),
        ("focal_point", "/returns/{rid}/queries/{qid}/reply", {"text": "Answer.", "back": "return"}),
        ("secretariat", "/review/{rid}/queries/{qid}/resolve", {"resolve-text": ""}),
        ("secretariat", "/review/{rid}/queries/{qid}/reopen", {"reopen-text": "Again."}),
    ],
)
def test_every_query_form_needs_its_csrf_token(app, client, login_as, submitted, asked, role, path, data):
    login_as(role, country="KZ" if role == "focal_point" else None)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(path.format(rid=submitted.id, qid=asked.id), data=data)
    assert response.status_code == 400
    assert "The form has expired or did not come from this portal" in response.get_data(as_text=True)
    assert _state(asked.id) == "open"
    assert _messages(asked.id) == [("question", "Where do the two girls come from?")]
    assert _db.session.scalar(select(func.count(ValueQuery.id))) == 1


# -- escaping and the reader's locale ------------------------------------------------------------


def test_script_in_a_query_is_shown_escaped(client, login_as, submitted, app, auth):
    staff = login_as("secretariat")
    with app.test_request_context():
        query = queries.open_query(submitted, staff, "REP02", "Total", "<script>alert(1)</script>", "<b>3</b>")
    _db.session.commit()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for url in (f"/returns/{submitted.id}/queries/{query.id}", f"/review/{submitted.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page and escaped in page, url
    assert "&lt;b&gt;3&lt;/b&gt;" in client.get(f"/returns/{submitted.id}/queries/{query.id}").get_data(as_text=True)
    auth.logout()
    login_as("focal_point", country="KZ")
    for url in (f"/returns/{submitted.id}", f"/returns/{submitted.id}/queries/{query.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page and escaped in page, url


@pytest.mark.parametrize("language, expected", [("en", "Mar 5, 2026"), ("ru", "5 мар. 2026")])
def test_message_times_in_the_readers_locale(client, login_as, submitted, asked, language, expected):
    message = _db.session.scalar(select(QueryMessage).where(QueryMessage.query_id == asked.id))
    message.created_at = datetime(2026, 3, 5, 14, 7, tzinfo=UTC)
    _db.session.commit()
    login_as("focal_point", country="KZ", language=language)
    page = client.get(f"/returns/{submitted.id}/queries/{asked.id}").get_data(as_text=True)
    assert f'<time datetime="2026-03-05T14:07:00+00:00">{expected}' in page
