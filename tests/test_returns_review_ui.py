"""Periods managed in the UI, per-cell reasons, and notices."""

import re

from sqlalchemy import select

from portal.models import ReportingPeriod

from .conftest import upload


def test_secretariat_manages_periods(client, db, login_as, return_setup):
    login_as("secretariat")
    assert "2025" in client.get("/review/periods").get_data(as_text=True)
    bad = client.post(
        "/review/periods",
        data={
            "label": "next",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "opens_on": "2027-01-01",
            "template_version": 1,
        },
    )
    assert bad.status_code == 400 and "A period label is a year such as 2025" in bad.get_data(as_text=True)
    ok = client.post(
        "/review/periods",
        data={
            "label": "2026",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "opens_on": "2027-01-01",
            "due_date": "2027-03-31",
            "template_version": 1,
        },
    )
    assert ok.status_code == 302
    dup = client.post(
        "/review/periods",
        data={
            "label": "2026",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "opens_on": "2027-01-01",
            "template_version": 1,
        },
    )
    assert dup.status_code == 400 and "The period 2026 already exists." in dup.get_data(as_text=True)
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == "2026"))
    closed = client.post(
        f"/review/periods/{period.id}",
        data={"start_date": "2026-01-01", "end_date": "2026-12-31", "opens_on": "2027-01-01", "due_date": "2026-01-01"},
    )
    assert closed.status_code == 400
    assert "The due date is before the period opens for reporting." in closed.get_data(as_text=True)
    opened = client.post(
        f"/review/periods/{period.id}",
        data={
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "opens_on": "2027-01-01",
            "due_date": "2027-04-30",
            "is_open": "y",
        },
    )
    assert opened.status_code == 302
    db.session.expire_all()
    assert period.is_open and period.due_date.isoformat() == "2027-04-30"


def test_focal_points_cannot_manage_periods(client, login_as, return_setup):
    login_as("focal_point", country="KZ")
    assert client.get("/review/periods").status_code == 403


def test_reason_per_cell_and_notice(client, db, login_as, filled, auth):
    """The send-back's per-cell reasons are the open queries (the free-text box is gone)."""
    from portal.models import Return, ReturnEvent
    from portal.services.returns import queries

    focal = login_as("focal_point", country="KZ")
    upload(client, filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3}), "submit")
    auth.logout()
    staff = login_as("secretariat")
    ret = db.session.scalar(select(Return))
    queries.open_query(ret, staff, "REP01", "Total", "The total seems low.")
    queries.open_query(ret, staff, "REP01O", "Syria", "Give the origin.")
    db.session.commit()
    response = client.post(
        f"/review/{ret.id}/return",
        data={"reason": "Two cells to check.", "cell_comments": "'A Repatriation'!M5: ignored now"},
    )
    assert response.status_code == 302
    event = db.session.scalar(select(ReturnEvent).where(ReturnEvent.action == "return"))
    assert event.reason == "Two cells to check."
    assert event.cell_comments == [
        {"indicator": "REP01", "breakdown": "Total", "text": "The total seems low."},
        {"indicator": "REP01O", "breakdown": "Syria", "text": "Give the origin."},
    ]
    auth.logout()
    auth.login(focal.email)
    assert re.search(r'data-testid="notices-link".*?Notices</span> <span class="badge[^>]*>\d', _header(client), re.S)
    notices = client.get("/notifications").get_data(as_text=True)
    assert "Your return for 2025 (version 1) was returned for correction: Two cells to check." in notices
    assert "The secretariat asks about REP01 · Total in your 2025 return: The total seems low." in notices
    assert client.post("/notifications/read").status_code == 302
    assert re.search(r'data-testid="notices-link".*?Notices</span></a>', _header(client), re.S)  # no count once read


def test_send_back_with_open_queries_and_no_reason(client, db, login_as, filled, auth):
    from portal.models import Return, ReturnEvent
    from portal.services.returns import queries

    login_as("focal_point", country="KZ")
    upload(client, filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3}), "submit")
    auth.logout()
    staff = login_as("secretariat")
    ret = db.session.scalar(select(Return))
    assert client.post(f"/review/{ret.id}/return", data={"reason": " "}).status_code == 400  # neither
    queries.open_query(ret, staff, "REP01", "Girls", "Where are the girls?")
    db.session.commit()
    response = client.post(f"/review/{ret.id}/return", data={"reason": ""}, follow_redirects=True)
    assert "The return was sent back to the focal point with its open queries." in response.get_data(as_text=True)
    event = db.session.scalar(select(ReturnEvent).where(ReturnEvent.action == "return"))
    assert (event.reason, event.cell_comments) == (
        "",
        [{"indicator": "REP01", "breakdown": "Girls", "text": "Where are the girls?"}],
    )


def _header(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return page[: page.index("</header>")]
