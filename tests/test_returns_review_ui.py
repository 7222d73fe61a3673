"""Periods managed in the UI, per-cell reasons, and notices."""

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
    focal = login_as("focal_point", country="KZ")
    upload(client, filled({("REP01", "Total"): 3, ("REP01O", "Total"): 3}), "submit")
    auth.logout()
    login_as("secretariat")
    from portal.models import Return

    rid = db.session.scalar(select(Return.id))
    client.post(
        f"/review/{rid}/return",
        data={
            "reason": "Two cells to check.",
            "cell_comments": "'A Repatriation'!M5: the total seems low\nREP01O: give the origin",
        },
    )
    auth.logout()
    auth.login(focal.email)
    page = client.get(f"/returns/{rid}").get_data(as_text=True)
    assert "&#39;A Repatriation&#39;!M5</code>: the total seems low" in page
    assert "<code>REP01O</code>: give the origin" in page
    assert 'data-testid="notices-link"><span aria-hidden="true">🔔</span> Notices <span class="badge' in client.get(
        "/"
    ).get_data(as_text=True)
    notices = client.get("/notifications").get_data(as_text=True)
    assert "Your return for 2025 (version 1) was returned for correction: Two cells to check." in notices
    assert client.post("/notifications/read").status_code == 302
    assert 'data-testid="notices-link"><span aria-hidden="true">🔔</span> Notices</a>' in client.get("/").get_data(
        as_text=True
    )
