"""The dashboard's to-do for every role (issue 13, item 6), and the Notices page marking read.

The open period is 2025 (opens 2026-01-01, due 2026-03-31); `today` is fixed in the service
tests."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.models import Notification, ReportingPeriod, ReturnStatus
from portal.models.queries import QueryState, ValueQuery
from portal.services import todo
from portal.services.notices import notifications

PART = {("REP01", "Women"): 4, ("REP01", "Total"): 10}
BEFORE_DUE = date(2026, 3, 21)  # 10 days before 2026-03-31
AFTER_DUE = date(2026, 4, 5)  # 5 days after


def full_values(db) -> dict:
    """Every indicator's headline cell reported (N/A counts as reported): completeness 100 %."""
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == "2025"))
    template = period.template
    values = {}
    for ind in template.indicators:
        column = "Total" if "Total" in template.columns(ind.breakdown) else "Value"
        values[(ind.code, column)] = "N/A"
    return values


def ask(db, ret, state=QueryState.OPEN, indicator="REP01", breakdown="Total"):
    query = ValueQuery(return_id=ret.id, indicator=indicator, breakdown=breakdown, state=state)
    db.session.add(query)
    db.session.commit()
    return query


@pytest.fixture
def kz_return(db, create_return, create_user):
    """kz_return(state) -> the KZ 2025 return (or None) in one of the focal point's cases."""
    reviewer = create_user("secretariat", email="todo.reviewer@prr.example")

    def make(case: str):
        if case == "not started":
            return None
        if case == "draft, incomplete":
            return create_return("KZ", "2025", PART, status="draft").return_
        if case == "draft, complete":
            return create_return("KZ", "2025", full_values(db), status="draft").return_
        if case == "draft with an open query":
            ret = create_return("KZ", "2025", full_values(db), status="draft").return_
            ask(db, ret)
            return ret
        if case == "submitted":
            return create_return("KZ", "2025", PART, status="submitted").return_
        if case == "returned with an open query":
            ret = create_return("KZ", "2025", PART, status="returned", reviewer=reviewer).return_
            ask(db, ret)
            return ret
        if case == "returned, query answered":
            ret = create_return("KZ", "2025", PART, status="returned", reviewer=reviewer).return_
            ask(db, ret, QueryState.ANSWERED)
            return ret
        if case == "accepted":
            return create_return("KZ", "2025", PART, status="accepted", reviewer=reviewer).return_
        if case == "revision in draft":
            create_return("KZ", "2025", PART, status="accepted", reviewer=reviewer)
            return create_return("KZ", "2025", full_values(db), status="draft").return_
        if case == "revision submitted":
            create_return("KZ", "2025", PART, status="accepted", reviewer=reviewer)
            return create_return("KZ", "2025", full_values(db), status="submitted").return_
        raise AssertionError(case)

    return make


# case -> (state shown, open queries, next action)
CASES = {
    "not started": ("not_started", 0, "download"),
    "draft, incomplete": (ReturnStatus.DRAFT, 0, "continue"),
    "draft, complete": (ReturnStatus.DRAFT, 0, "submit"),
    "draft with an open query": (ReturnStatus.DRAFT, 1, "answer"),
    "submitted": (ReturnStatus.SUBMITTED, 0, "none"),
    "returned with an open query": (ReturnStatus.RETURNED, 1, "answer"),
    "returned, query answered": (ReturnStatus.RETURNED, 0, "answer"),
    "accepted": (ReturnStatus.ACCEPTED, 0, "none"),
    "revision in draft": (ReturnStatus.DRAFT, 0, "submit"),
    "revision submitted": (ReturnStatus.SUBMITTED, 0, "none"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_focal_points_next_action(create_user, kz_return, case):
    ret = kz_return(case)
    user = create_user("focal_point", "KZ")
    [item] = todo.focal_point_todo(user, BEFORE_DUE)
    state, queries, action = CASES[case]
    assert (item.period.label, item.state, item.open_queries, item.action) == ("2025", state, queries, action)
    assert item.ret is ret
    assert (item.revision is not None) == case.startswith("revision")
    assert item.accepted_version == (1 if case.startswith("revision") or case == "accepted" else None)


BUTTONS = {
    "download": ("Download the template", "/returns/template.xlsx?country=KZ&amp;period=2025"),
    "continue": ("Continue the return", "/returns/{id}"),
    "submit": ("Review and submit version 1", "/returns/{id}"),
    "answer": ("Answer the queries", "/returns/{id}#queries"),
    "none": ("Nothing to do", "/returns/{id}"),
}


@pytest.mark.parametrize(
    "case", ["not started", "draft, incomplete", "draft, complete", "returned with an open query", "submitted"]
)
def test_the_dashboard_shows_one_next_action(client, login_as, kz_return, case):
    ret = kz_return(case)
    login_as("focal_point", "KZ")
    html = client.get("/").get_data(as_text=True)
    block = html[html.index('data-testid="todo-period"') :].split('data-testid="next-action"')[1]
    action = CASES[case][2]
    text, href = BUTTONS[action]
    assert f'data-action="{action}"' in html
    assert text in block.split("</")[0]
    assert href.format(id=ret.id if ret else "") in html
    assert html.count('data-testid="next-action"') == 1


def test_the_dashboard_lists_open_queries_with_a_link(client, login_as, kz_return):
    ret = kz_return("returned with an open query")
    login_as("focal_point", "KZ")
    html = client.get("/").get_data(as_text=True)
    assert f'<a href="/returns/{ret.id}#queries">1 open query from the secretariat</a>' in html


@pytest.mark.parametrize(
    ("today", "days"),
    [(BEFORE_DUE, 10), (date(2026, 3, 31), 0), (AFTER_DUE, -5), (date(2026, 1, 1), 89)],
)
def test_days_left_or_late(return_setup, create_user, today, days):
    [item] = todo.focal_point_todo(create_user("focal_point", "KZ"), today)
    assert item.due_date == date(2026, 3, 31) and item.days == days


def test_no_open_period_no_rows(return_setup, create_user):
    assert todo.focal_point_todo(create_user("focal_point", "KZ"), date(2025, 12, 31)) == []  # not yet open


@pytest.mark.parametrize(
    ("language", "due", "late"),
    [("en", "March 31, 2026", "days late"), ("ru", "31 марта 2026", "дн")],
)
def test_the_due_date_in_the_readers_language(return_setup, client, login_as, language, due, late):
    login_as("focal_point", "KZ", language=language)
    html = client.get("/").get_data(as_text=True)  # today (December 2026) is past the due date
    days = (date.today() - date(2026, 3, 31)).days
    assert due in html
    assert f'data-days-late="{days}"' in html
    assert late in html.split(f'data-days-late="{days}">')[1].split("<")[0]


def test_a_delegate_has_no_todo(client, login_as):
    login_as("delegate")
    assert 'data-testid="todo"' not in client.get("/").get_data(as_text=True)


# The secretariat's to-do ----------------------------------------------------------------------


@pytest.fixture
def review_world(db, create_return, create_user):
    reviewer = create_user("secretariat", email="world.reviewer@prr.example")
    new = create_return("KZ", "2025", PART, status="submitted").return_
    returned = create_return("KG", "2025", PART, status="returned", reviewer=reviewer).return_
    ask(db, returned, QueryState.OPEN, "REP01", "Women")
    ask(db, returned, QueryState.ANSWERED, "REP01", "Total")
    resubmitted = create_return("TJ", "2025", PART, status="returned", reviewer=reviewer).return_
    create_return("TJ", "2025", PART, status="submitted")
    ask(db, resubmitted, QueryState.ANSWERED)
    ask(db, resubmitted, QueryState.RESOLVED, "REP01", "Women")
    revision = create_return("UZ", "2025", PART, status="accepted", reviewer=reviewer).return_
    create_return("UZ", "2025", PART, status="submitted")
    draft = create_return("TM", "2025", PART, status="draft").return_  # nothing submitted: overdue
    return {"new": new, "returned": returned, "resubmitted": resubmitted, "revision": revision, "draft": draft}


def test_the_secretariats_lists(review_world):
    result = todo.secretariat_todo(AFTER_DUE)
    w = review_world
    assert [(i.ret, i.kind) for i in result.awaiting] == [
        (w["new"], "new"),
        (w["resubmitted"], "resubmitted"),
        (w["revision"], "revision"),
    ]
    assert (result.open_queries, result.answered_queries) == (1, 2)
    assert {(q.ret.country.iso2, q.open, q.answered) for q in result.queries} == {("KG", 1, 1), ("TJ", 0, 1)}
    [(period, overdue)] = result.overdue
    iso = {c.iso2 for c in overdue}
    assert period.label == "2025"
    assert "TM" in iso and "ID" in iso  # a draft never submitted, a return not started
    assert not iso & {"KZ", "KG", "TJ", "UZ"}  # submitted at least once


def test_nobody_is_overdue_before_the_due_date(review_world):
    assert todo.secretariat_todo(BEFORE_DUE).overdue == []


@pytest.mark.parametrize("role", ["secretariat", "admin"])
def test_the_secretariats_dashboard(client, login_as, review_world, role):
    login_as(role)
    html = client.get("/").get_data(as_text=True)
    assert "3 returns awaiting review" in html
    for kind in ("new", "resubmitted", "revision"):
        ret = review_world[kind]
        assert f'data-review-kind="{kind}"><a href="/returns/{ret.id}">' in html
    assert "1 open (waiting for the country)" in html and "2 answered (waiting for you)" in html
    assert f'<a href="/returns/{review_world["returned"].id}#queries">' in html
    assert 'data-country="TM"' in html and 'data-country="KZ"' not in html  # today is past the due date


# The Notices page marks what it shows as read -------------------------------------------------


def test_opening_the_notices_page_marks_them_read(client, db, login_as, create_user):
    user = login_as("focal_point", "KZ")
    other = create_user("focal_point", "KZ")
    for who in (user, user, other):
        notifications.notify(who, "return.accepted", {"period": "2025", "version": 1}, link="/returns/1")
    db.session.commit()
    assert notifications.unread_count(user) == 2
    html = client.get("/notifications").get_data(as_text=True)
    assert html.count('data-unread="1"') == 2  # shown as new this once
    assert notifications.unread_count(user) == 0
    assert notifications.unread_count(other) == 1  # someone else's are untouched
    assert 'data-unread="1"' not in client.get("/notifications").get_data(as_text=True)
    reads = db.session.scalars(select(Notification.read_at).where(Notification.user_id == user.id)).all()
    assert len(reads) == 2 and all(reads)


def test_the_button_still_marks_all_read(client, db, login_as):
    user = login_as("focal_point", "KZ")
    notifications.notify(user, "return.accepted", {"period": "2025", "version": 1})
    db.session.commit()
    assert client.post("/notifications/read").status_code == 302
    assert notifications.unread_count(user) == 0
