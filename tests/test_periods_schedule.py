"""Periods are opened once, on their opening date, only if never opened: the scheduler's
start-up catch-up and the daily job never re-open a period the seed or the secretariat closed
(at its first start the scheduler used to open 2023 and 2024, which seeding had left closed)."""

from datetime import UTC, date, datetime

import flask_migrate
import pytest
from sqlalchemy import select, text

from portal.models import AuditEvent, ReportingPeriod, User
from portal.services.jobs import outcomes, runner, scheduler
from portal.services.jobs.registry import JOBS
from portal.services.returns import periods as period_service

from .races import race

AFTER_ALL = datetime(2030, 1, 2, 0, 5, tzinfo=UTC)  # after every seeded opens_on


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T00:05").replace(tzinfo=UTC)


def _state(db) -> dict:
    db.session.expire_all()
    return {p.label: p.is_open for p in db.session.scalars(select(ReportingPeriod))}


def _opens(db) -> list:
    return [
        (a.object_id, a.details.get("via"))
        for a in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "period.open").order_by(AuditEvent.id)
        )
    ]


def _periods_job(now: datetime) -> str:
    run = runner.run(JOBS["periods"], now)
    assert run is not None and run.outcome == "ok", run and run.error
    return outcomes.describe(run.detail)  # stored as data, said in the current language (English here)


def _pending_2026(db) -> ReportingPeriod:
    """A period created ahead of its opening date (closed until then)."""
    template = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == "2025")).template
    period = period_service.create_period(
        label="2026",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        opens_on=date(2027, 1, 1),
        due_date=date(2027, 3, 31),
        template_version=template.version,
        via="test",
    )
    db.session.commit()
    return period


def test_catch_up_and_the_job_leave_seeded_closed_periods_closed(app, db, return_setup):
    assert _state(db) == {"2023": False, "2024": False, "2025": True}
    scheduler.catch_up(app)  # the scheduler's first start, today
    assert _state(db) == {"2023": False, "2024": False, "2025": True}
    assert "opened" not in _periods_job(AFTER_ALL)
    assert _state(db) == {"2023": False, "2024": False, "2025": True}
    assert _opens(db) == []


def test_a_never_opened_period_opens_once_on_its_opening_date(app, db, return_setup):
    period = _pending_2026(db)
    assert period.closed_at is None and period.opened_at is None
    assert _periods_job(at("2026-12-31")) == "no change"
    assert _periods_job(at("2027-01-01")) == "opened 2026"
    for day in ("2027-01-02", "2027-02-01", "2030-01-01"):
        assert _periods_job(at(day)) == "no change"
    assert _state(db)["2026"] is True and _opens(db) == [(str(period.id), "scheduler")]


def test_catch_up_opens_a_period_whose_date_passed_while_the_scheduler_was_down(app, db, return_setup):
    period = _pending_2026(db)
    assert _periods_job(at("2027-01-09")) == "opened 2026"
    assert _periods_job(at("2027-01-10")) == "no change"
    assert _opens(db) == [(str(period.id), "scheduler")]


def test_a_period_the_secretariat_closed_stays_closed(app, db, return_setup, create_user):
    secretariat = create_user("secretariat")
    period = _pending_2026(db)
    assert _periods_job(at("2027-01-01")) == "opened 2026"
    period_service.set_open(period, False, actor=secretariat)
    db.session.commit()
    for day in ("2027-01-02", "2027-06-01", "2030-01-01"):
        assert _periods_job(at(day)) == "no change"
    assert _state(db)["2026"] is False and len(_opens(db)) == 1


def test_a_period_closed_through_the_edit_form_stays_closed(app, client, db, return_setup, login_as):
    login_as("secretariat")
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == "2025"))
    response = client.post(
        f"/review/periods/{period.id}",
        data={"start_date": "2025-01-01", "end_date": "2025-12-31", "opens_on": "2026-01-01", "due_date": "2026-03-31"},
    )
    assert response.status_code == 302
    assert _state(db)["2025"] is False
    assert [
        a.action
        for a in db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action != "period.create",
                AuditEvent.action.like("period.%"),
                AuditEvent.object_id == str(period.id),
            )
        )
    ] == ["period.close"]
    assert _periods_job(AFTER_ALL) == "no change"
    scheduler.catch_up(app)
    assert _state(db)["2025"] is False and _opens(db) == []


@pytest.mark.committing
def test_periods_stored_before_the_fix_are_stamped_by_the_migration(app, db, return_setup):
    """Migration 0010: periods stored without opened/closed stamps (as the seed left them)."""
    flask_migrate.downgrade(revision="0010-1")
    db.engine.dispose()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE reporting_period SET opened_at = NULL, closed_at = NULL"))
        conn.execute(
            text(
                "INSERT INTO reporting_period (label, start_date, end_date, opens_on, is_open, template_id) "
                "SELECT '2026', start_date, end_date, :future, is_open, template_id "
                "FROM reporting_period WHERE label = '2024'"
            ),
            {"future": date(2999, 1, 1)},
        )
    flask_migrate.upgrade()
    db.engine.dispose()
    db.session.expire_all()
    stamps = {
        p.label: (p.opened_at is not None, p.closed_at is not None) for p in db.session.scalars(select(ReportingPeriod))
    }
    assert stamps == {"2023": (False, True), "2024": (False, True), "2025": (True, False), "2026": (False, False)}
    assert _periods_job(AFTER_ALL) == "no change"  # 2026 opens in 2999
    assert _state(db) == {"2023": False, "2024": False, "2025": True, "2026": False}


@pytest.mark.committing
def test_two_schedulers_open_a_period_once(app, db, return_setup):
    period_id = _pending_2026(db).id
    for _trial in range(5):
        db.session.execute(
            text("UPDATE reporting_period SET is_open = :f, opened_at = NULL WHERE id = :id"),
            {"f": False, "id": period_id},
        )
        db.session.commit()

        def prepare(_i):
            period = db.session.get(ReportingPeriod, period_id)
            assert not period.is_open and period.opened_at is None
            return period

        opened = []
        outcomes = race(app, prepare, lambda p, _i: opened.append(period_service.open_on_schedule(p)))
        assert outcomes == ["ok", "ok"] and sorted(opened) == [False, True]
    assert _opens(db) == [(str(period_id), "scheduler")] * 5


@pytest.mark.committing
def test_two_secretariat_users_close_a_period_once(app, db, return_setup, create_user):
    users = [create_user("secretariat").id, create_user("secretariat").id]
    period_id = db.session.scalar(select(ReportingPeriod.id).where(ReportingPeriod.label == "2025"))
    for trial in range(5):
        is_open = trial % 2 == 1  # close, open, close, … from both at once

        def prepare(i):
            period = db.session.get(ReportingPeriod, period_id)
            assert period.is_open is not is_open
            return period, db.session.get(User, users[i])

        outcomes = race(app, prepare, lambda s, _i: period_service.set_open(s[0], is_open, actor=s[1]))
        verb = "opened" if is_open else "closed"
        assert sorted(outcomes, key=str) == [(409, f"The period 2025 was already {verb} by someone else."), "ok"]
        assert _state(db)["2025"] is is_open
    actions = [
        a.action
        for a in db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action != "period.create",
                AuditEvent.action.like("period.%"),
                AuditEvent.object_id == str(period_id),
            )
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == ["period.close", "period.open"] * 2 + ["period.close"]


@pytest.mark.committing
def test_two_closes_through_the_edit_form_one_wins(app, db, return_setup, create_user):
    from .conftest import AuthActions
    from .races import in_threads, meet_after_loading

    clients = [app.test_client(), app.test_client()]
    for c in clients:
        assert AuthActions(c).login(create_user("secretariat").email).status_code == 302
    period_id = db.session.scalar(select(ReportingPeriod.id).where(ReportingPeriod.label == "2025"))
    form = {"start_date": "2025-01-01", "end_date": "2025-12-31", "opens_on": "2026-01-01", "due_date": "2026-03-31"}
    with meet_after_loading(ReportingPeriod, 2):
        responses = in_threads([lambda c=c: c.post(f"/review/periods/{period_id}", data=form) for c in clients])
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], codes
    page = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert "The period 2025 was already closed by someone else." in page
    assert _state(db)["2025"] is False
    assert [
        a.action
        for a in db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["period.close", "period.update"])))
    ] == ["period.close"]
