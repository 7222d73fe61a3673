"""Scheduled work with a controlled clock: reminders and overdue notices to exactly the right
people exactly once in their language, periods opening and closing, draft briefs, the
once-per-slot guarantee with two schedulers, take-over of a killed run, failures recorded."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.models import (
    BriefEdition,
    Country,
    JobRun,
    Meeting,
    Notification,
    OutboxMessage,
    ReportingPeriod,
    Return,
    ReturnValue,
    ReturnVersion,
)
from portal.services.jobs import runner, tasks
from portal.services.jobs.registry import JOBS
from portal.services.jobs.runner import Job, daily
from portal.services.notices import notifications

from .conftest import run_concurrently
from .factories import new_brief


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _submitted(db, country: str, period: str = "2025"):
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == period))
    ret = Return(
        country=db.session.scalar(select(Country).where(Country.iso2 == country)), period=period, status="submitted"
    )
    db.session.add(
        ReturnVersion(
            return_=ret,
            number=1,
            template=period.template,
            original_filename="r.xlsx",
            file_sha256="0" * 64,
            stored_path="-",
            submitted_at=at("2026-02-01T10:00"),
            completeness=100.0,
        )
    )
    db.session.commit()


def _notices(db, user=None, kind=None):
    stmt = select(Notification).order_by(Notification.id)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


@pytest.fixture
def people(db, return_setup, create_user):
    made = {
        "kz": create_user("focal_point", country="KZ"),
        "kg": create_user("focal_point", country="KG", language="ru"),
        "tj": create_user("focal_point", country="TJ"),
        "delegate": create_user("delegate"),
        "secretariat": create_user("secretariat", language="ru"),
    }
    _submitted(db, "TJ")
    return made


def test_reminders_and_overdue_notices_reach_the_right_people_once(db, people):
    kz, kg, tj, sec = people["kz"], people["kg"], people["tj"], people["secretariat"]
    for day in ("2026-03-10", "2026-03-17", "2026-03-17", "2026-03-18", "2026-03-24", "2026-03-30"):
        tasks.reminders(at(f"{day}T06:00"))
        db.session.commit()
    due = _notices(db, kind="reminder.due")
    assert sorted((n.user_id, n.params["days"]) for n in due) == sorted(
        [(kz.id, 14), (kg.id, 14), (kz.id, 7), (kg.id, 7), (kz.id, 1), (kg.id, 1)]
    )
    assert not _notices(db, tj) and not _notices(db, people["delegate"])  # TJ submitted; delegates not asked
    for day in ("2026-04-01", "2026-04-02", "2026-04-08"):
        tasks.reminders(at(f"{day}T06:00"))
        db.session.commit()
    assert len(_notices(db, kz, "reminder.overdue")) == 1  # once, 1 day overdue (tests/test_reminders.py)
    digests = _notices(db, sec, "digest.overdue")
    assert len(digests) == 3  # one a day: 1, 2 and 8 April
    assert {d.params["countries"] for d in digests} == {"KZ, KG"}  # by English name; TJ submitted
    # E-mails in each recipient's language, one per notice.
    mails = {
        m.to_address: m
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.like("reminder.due:%:due-7")))
    }
    assert "Reminder: the Kazakhstan return for 2025 is due on March 31, 2026 (in 7 days)." in mails[kz.email].body_text
    assert "Напоминание" in mails[kg.email].body_text and "Кыргызстан" in mails[kg.email].body_text
    assert "31 марта 2026" in mails[kg.email].body_text  # the date in the recipient's language
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == db.session.scalar(
        select(func.count()).select_from(Notification)
    )


def test_reminders_skip_periods_without_due_date_and_people_without_email(db, people, caplog):
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == "2025"))
    period.due_date = None
    db.session.commit()
    with caplog.at_level("INFO"):
        assert tasks.reminders(at("2026-03-24T06:00")) == "0 notices"
    assert "period 2025 has no due date; skipped" in caplog.text
    period.due_date = date(2026, 3, 31)
    people["kz"].email = ""
    db.session.commit()
    with caplog.at_level("INFO"):
        tasks.reminders(at("2026-03-24T06:00"))
        db.session.commit()
    assert _notices(db, people["kz"], "reminder.due")  # the notice, in the portal
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == people["kz"].id)) is None
    assert "has no e-mail address" in caplog.text


def test_routine_email_can_be_turned_off_but_essential_cannot(db, people):
    kz = people["kz"]
    kz.email_notices = False
    db.session.commit()
    notifications.notify(kz, "library.published", {"title": "X"}, dedupe_key="t1")
    notifications.notify(kz, "reminder.overdue", {"period": "2025"}, dedupe_key="t2")
    db.session.commit()
    assert [m.key for m in db.session.scalars(select(OutboxMessage))] == ["t2"]


def test_periods_open_and_close_at_their_dates(db, return_setup, create_user):
    template = db.session.scalar(select(ReportingPeriod)).template
    period = ReportingPeriod(
        label="2026",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        opens_on=date(2027, 1, 1),
        due_date=date(2027, 3, 31),
        closes_on=date(2027, 6, 30),
        is_open=False,
        template=template,
    )
    db.session.add(period)
    db.session.commit()
    assert "2026" not in tasks.open_and_close_periods(at("2026-12-31T00:05"))
    assert tasks.open_and_close_periods(at("2027-01-01T00:05")) == "opened 2026"
    assert period.is_open and period.opened_at is not None
    assert tasks.open_and_close_periods(at("2027-06-30T00:05")) == "closed 2026"
    assert not period.is_open
    period.is_open = True  # the secretariat re-opens it by hand
    db.session.commit()
    assert tasks.open_and_close_periods(at("2027-07-01T00:05")) == "no change" and period.is_open


def test_draft_briefs_before_meetings(db, return_setup, create_user, caplog):
    sec = create_user("secretariat")
    upcoming = Meeting(
        title="Fourth meeting", start_date=date(2026, 12, 10), end_date=date(2026, 12, 10), place="Bishkek"
    )
    past = db.session.scalar(select(Meeting).where(Meeting.start_date < date(2025, 1, 1)))
    db.session.add(upcoming)
    db.session.flush()
    for meeting in (upcoming, past):
        new_brief(meeting, title=f"Brief {meeting.place}")
    db.session.commit()
    assert tasks.brief_drafts(at("2026-12-01T05:00")) == "nothing to compile"  # 9 days before: not yet
    with caplog.at_level("INFO"):
        assert tasks.brief_drafts(at("2026-12-03T05:00")).startswith("compiled")
    assert f"meeting {past.id} is in the past" in caplog.text
    db.session.commit()
    assert tasks.brief_drafts(at("2026-12-04T05:00")) == "nothing to compile"  # unchanged since
    editions = list(db.session.scalars(select(BriefEdition)))
    assert [e.brief.meeting_id for e in editions] == [upcoming.id]
    assert [n.params["edition"] for n in _notices(db, sec, "brief.draft")] == [1]


@pytest.mark.committing
def test_two_schedulers_run_each_slot_once(app, db, people):
    now = at("2026-03-24T06:00")
    assert run_concurrently(app, lambda session: runner.run(JOBS["reminders"], now), 4) == []
    db.session.expire_all()
    runs = list(db.session.scalars(select(JobRun).where(JobRun.job == "reminders")))
    assert [(r.slot, r.outcome, r.attempts) for r in runs] == [("2026-03-24", "ok", 1)]
    assert len(_notices(db, kind="reminder.due")) == 2
    assert runner.run(JOBS["reminders"], now + timedelta(hours=3)) is None  # same slot: skipped


def test_a_killed_run_is_taken_over_and_a_failure_is_recorded(db, people):
    now = at("2026-03-24T06:00")
    db.session.add(JobRun(job="reminders", slot="2026-03-24", started_at=now - timedelta(minutes=5)))
    db.session.commit()
    assert runner.run(JOBS["reminders"], now) is None  # still within its timeout
    taken = runner.run(JOBS["reminders"], now + timedelta(hours=1))  # its process died
    assert (taken.outcome, taken.attempts) == ("ok", 2) and len(_notices(db, kind="reminder.due")) == 2

    def broken(now):
        notifications.notify(people["kz"], "library.published", {"title": "half-written"}, dedupe_key="broken")
        raise RuntimeError("disk full")

    run = runner.run(Job("broken", broken, daily), now)
    assert run.outcome == "error" and "RuntimeError: disk full" in run.error
    assert db.session.scalar(select(Notification).where(Notification.dedupe_key == "broken")) is None
    assert runner.run(Job("broken", lambda now: "fixed", daily), now).outcome == "ok"  # retried: an error is not done


def _accepted(db, country: str, values: dict, period: str = "2025"):
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == period))
    ret = Return(
        country=db.session.scalar(select(Country).where(Country.iso2 == country)), period=period, status="accepted"
    )
    version = ReturnVersion(
        return_=ret,
        number=1,
        template=period.template,
        original_filename="r.xlsx",
        file_sha256="0" * 64,
        stored_path="-",
        submitted_at=at("2026-02-01T10:00"),
        accepted_at=at("2026-02-02T10:00"),
        completeness=100.0,
    )
    for (code, column), number in values.items():
        version.values.append(ReturnValue(indicator=code, breakdown=column, number=number))
    db.session.add(version)
    db.session.commit()


def test_quality_sweep_flags_returns_failing_current_rules(db, people):
    assert tasks.quality_sweep(at("2026-03-24T03:30")) == "all accepted returns pass"
    parts = {("REP01", "Men"): 4, ("REP01", "Women"): 1, ("REP01", "Boys"): 3, ("REP01", "Girls"): 4}
    _accepted(db, "KZ", {**parts, ("REP01", "Total"): 99, ("REP01O", "Total"): 99})  # parts add up to 12
    _accepted(db, "UZ", {**parts, ("REP01", "Total"): 12, ("REP01O", "Total"): 12})
    assert tasks.quality_sweep(at("2026-03-30T03:30")) == "1 flagged: KZ 2025 v1"
    db.session.commit()
    [notice] = _notices(db, people["secretariat"], "quality.flag")
    assert notice.params == {"count": 1, "list": "KZ 2025 v1"}
    assert not _notices(db, people["kz"], "quality.flag")


def test_the_scheduler_process_has_every_job_once(app):
    from datetime import timedelta

    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from portal.services.jobs.registry import HOURLY, SCHEDULE
    from portal.services.jobs.scheduler import build

    scheduler = build(app)
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted(JOBS)
    assert scheduler._job_defaults["coalesce"] is True and scheduler._job_defaults["max_instances"] == 1
    # Each job fires at the registry's time: daily ones at (hour, minute), hourly ones at their
    # minute of every hour, the outbox every 5 minutes; all in UTC.
    assert set(SCHEDULE) | set(HOURLY) | {"outbox"} == set(JOBS) and not set(SCHEDULE) & set(HOURLY)
    fired = {}
    for job in scheduler.get_jobs():
        trigger = job.trigger
        if isinstance(trigger, IntervalTrigger):
            fired[job.id] = ("every", trigger.interval)
            continue
        assert isinstance(trigger, CronTrigger) and str(trigger.timezone) == "UTC", job.id
        fields = {f.name: str(f) for f in trigger.fields}
        assert {k: fields[k] for k in ("year", "month", "day", "week", "day_of_week", "second")} == {
            "year": "*",
            "month": "*",
            "day": "*",
            "week": "*",
            "day_of_week": "*",
            "second": "0",
        }, job.id
        fired[job.id] = (fields["hour"], fields["minute"])
    assert fired == {
        **{name: (str(hour), str(minute)) for name, (hour, minute) in SCHEDULE.items()},
        **{name: ("*", str(minute)) for name, minute in HOURLY.items()},
        "outbox": ("every", timedelta(minutes=5)),
    }


def test_admin_sees_runs_and_outbox_and_runs_a_job(client, db, login_as):
    login_as("admin")
    assert client.post("/admin/jobs/periods/run").status_code == 303
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert 'data-testid="job-runs"' in page and "periods" in page and "No SMTP server is configured" in page
    assert client.post("/admin/jobs/nope/run").status_code == 400


def test_jobs_cli(runner, db, return_setup):
    result = runner.invoke(args=["jobs", "run", "periods", "--at", "2026-01-01T00:05"])
    assert result.exit_code == 0 and "periods [2026-01-01]: ok" in result.output
    again = runner.invoke(args=["jobs", "run", "periods", "--at", "2026-01-01T09:00"])
    assert "already done" in again.output


def test_the_outbox_job_prunes_its_old_runs(db, return_setup):
    now = at("2026-03-24T06:00")
    db.session.add_all(
        [
            JobRun(job="outbox", slot="old", started_at=now - timedelta(days=8), outcome="ok"),
            JobRun(job="outbox", slot="recent", started_at=now - timedelta(days=1), outcome="ok"),
            JobRun(job="backup", slot="old-backup", started_at=now - timedelta(days=30), outcome="ok"),
        ]
    )
    db.session.commit()
    runner.run(JOBS["outbox"], now)
    assert sorted(db.session.scalars(select(JobRun.slot))) == ["2026-03-24T06:00", "old-backup", "recent"]


@pytest.mark.parametrize(
    "outcome, en, ru",
    [
        (("notices", {"num": 3}), "3 notices", "3 уведомления"),
        (("periods", {"changes": [["opened", "2026"]]}), "opened 2026", "открыт период 2026"),
        (("periods", {"changes": []}), "no change", "без изменений"),
        (("briefs", {"editions": []}), "nothing to compile", "нечего составлять"),
        (("outbox", {"sent": 0, "failed": 0}), "sent: 0, failed: 0", "отправлено: 0, с ошибкой: 0"),
        (("quality", {"flagged": []}), "all accepted returns pass", "все принятые отчёты проходят проверку"),
        (("pending", {"removed": 1, "kept": 2}), "1 removed, 2 kept", "удалено: 1, осталось: 2"),
    ],
    ids=["notices", "opened", "no-change", "no-briefs", "outbox", "quality", "pending"],
)
def test_a_job_outcome_is_stored_as_data_and_read_in_each_language(app, outcome, en, ru):
    """The Jobs page said "sent: 0, failed: 0" to Russian readers: outcomes are stored as their
    message and parameters (outcomes.Outcome) and said in the reader's language."""
    from flask_babel import force_locale

    from portal.services.jobs import outcomes

    key, params = outcome
    made = outcomes.Outcome(key, **params)
    assert made == en  # what logs and the CLI print
    with app.test_request_context("/"):
        with force_locale("ru"):
            assert outcomes.describe(made.to_detail()) == ru
        with force_locale("en"):
            assert outcomes.describe(made.to_detail()) == en
    assert outcomes.describe("a detail from before outcomes") == "a detail from before outcomes"
