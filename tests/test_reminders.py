"""Reminders that escalate (services/jobs/tasks.py `reminders`): before the due date, on the
day, 1 and 30 days after it, each with its own text, each exactly once per focal point and
period (however often the job runs), in the recipient's language with the date written for
them; a submission stops them; the secretariat's daily digest stays. The 2025 period of the
seed is due on 31 March 2026 (REMINDER_DAYS 14, 7, 1)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.models import Country, Notification, OutboxMessage, ReportingPeriod, Return, ReturnVersion
from portal.services.jobs import tasks
from portal.services.notices import notifications

DUE = date(2026, 3, 31)


def at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def plain(text: str) -> str:
    """Babel's dates hold no-break spaces ("31 марта 2026\u202fг."): compared as spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _notices(db, user=None, kind=None) -> list[Notification]:
    stmt = select(Notification).order_by(Notification.id)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def _submit(db, iso2: str, when: datetime) -> None:
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == "2025"))
    ret = Return(country=db.session.scalar(select(Country).where(Country.iso2 == iso2)), period=period)
    ret.status = "submitted"
    db.session.add(
        ReturnVersion(
            return_=ret,
            number=1,
            template=period.template,
            original_filename="r.xlsx",
            file_sha256="0" * 64,
            stored_path="-",
            submitted_at=when,
            completeness=100.0,
        )
    )
    db.session.commit()


@pytest.fixture
def focal(db, return_setup, create_user):
    made = {
        "kz": create_user("focal_point", country="KZ"),
        "kg": create_user("focal_point", country="KG", language="ru"),
        "secretariat": create_user("secretariat"),
    }
    _submit(db, "TJ", at(DUE - timedelta(days=40)))  # TJ submitted: never reminded
    create_user("focal_point", country="TJ")
    return made


@pytest.mark.parametrize(
    ("days_left", "kind", "english", "russian"),
    [
        (14, "reminder.due", "is due on March 31, 2026 (in 14 days)", "до 31 марта 2026 г. (осталось: 14 дней)"),
        (7, "reminder.due", "is due on March 31, 2026 (in 7 days)", "до 31 марта 2026 г. (осталось: 7 дней)"),
        (1, "reminder.due", "is due on March 31, 2026 (in 1 day)", "до 31 марта 2026 г. (осталось: 1 день)"),
        (2, "reminder.due", "is due on March 31, 2026 (in 2 days)", "до 31 марта 2026 г. (осталось: 2 дня)"),
        (0, "reminder.today", "is due today (March 31, 2026)", "нужно представить сегодня (31 марта 2026 г.)"),
        (-1, "reminder.overdue", "Overdue: the Kazakhstan return", "Просрочено: отчёт (Кыргызстан)"),
        (-30, "reminder.overdue30", "was due on March 31, 2026, 30 days ago", "31 марта 2026 г., 30 дней назад"),
    ],
)
def test_each_step_is_sent_once_in_the_recipients_language(db, focal, days_left, kind, english, russian):
    day = DUE - timedelta(days=days_left)
    for hour in (6, 6, 18):  # the job runs again the same day: nothing more
        tasks.reminders(at(day, hour))
        db.session.commit()
    kz, kg = focal["kz"], focal["kg"]
    for user, words in ((kz, english), (kg, russian)):
        notices = _notices(db, user)
        assert [n.kind for n in notices] == [kind], user.language
        mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)))
        assert len(mails) == 1 and words in plain(mails[0].body_text), mails[0].body_text
        assert notices[0].params["due"] == DUE.isoformat()  # stored as a date; written for the reader
    assert notices[0].params["days"] == abs(days_left)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_in_app_text_writes_the_date_for_its_reader(app, db, focal, language):
    tasks.reminders(at(DUE))
    db.session.commit()
    notice = _notices(db, focal["kz"])[0]
    with app.test_request_context(headers={"Accept-Language": language}):
        from flask_babel import force_locale

        with force_locale(language):
            text = notifications.text(notice)
    assert ("March 31, 2026" if language == "en" else "31 марта 2026 г.") in plain(text)


def test_a_daily_run_sends_each_step_once_in_order(db, focal):
    day = DUE - timedelta(days=20)
    while day <= DUE + timedelta(days=45):
        tasks.reminders(at(day))
        tasks.reminders(at(day, 20))
        db.session.commit()
        day += timedelta(days=1)
    for user in (focal["kz"], focal["kg"]):
        sent = [(n.kind, n.params["days"]) for n in _notices(db, user)]
        assert sent == [
            ("reminder.due", 14),
            ("reminder.due", 7),
            ("reminder.due", 1),
            ("reminder.today", 0),
            ("reminder.overdue", 1),
            ("reminder.overdue30", 30),
        ]
    assert not _notices(db, focal["secretariat"], "reminder.due")
    digests = _notices(db, focal["secretariat"], "digest.overdue")
    assert len(digests) == 45 and {d.params["countries"] for d in digests} == {"KZ, KG"}  # daily, as before
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == len(_notices(db))


def test_a_submission_stops_the_reminders(db, focal):
    tasks.reminders(at(DUE - timedelta(days=1)))
    db.session.commit()
    _submit(db, "KZ", at(DUE, 5))
    for offset in (0, 1, 30):
        tasks.reminders(at(DUE + timedelta(days=offset)))
        db.session.commit()
    assert [n.kind for n in _notices(db, focal["kz"])] == ["reminder.due"]  # the one before submitting
    assert [n.kind for n in _notices(db, focal["kg"])] == [
        "reminder.due",
        "reminder.today",
        "reminder.overdue",
        "reminder.overdue30",
    ]
    digests = _notices(db, focal["secretariat"], "digest.overdue")
    assert {d.params["countries"] for d in digests} == {"KG"}


@pytest.mark.parametrize(
    ("missed_until", "kind"),
    [(DUE + timedelta(days=5), "reminder.overdue"), (DUE + timedelta(days=64), "reminder.overdue30")],
)
def test_a_missed_run_catches_up_with_the_latest_step_only(db, focal, missed_until, kind):
    tasks.reminders(at(DUE - timedelta(days=1)))  # the last run before the scheduler stopped
    tasks.reminders(at(missed_until))
    tasks.reminders(at(missed_until + timedelta(days=1)))
    db.session.commit()
    assert [n.kind for n in _notices(db, focal["kz"])] == ["reminder.due", kind]


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (30, None),
        (15, None),
        (14, ("reminder.due", "due-14")),
        (8, ("reminder.due", "due-14")),
        (7, ("reminder.due", "due-7")),
        (1, ("reminder.due", "due-1")),
        (0, ("reminder.today", "today")),
        (-1, ("reminder.overdue", "overdue-1")),
        (-29, ("reminder.overdue", "overdue-1")),
        (-30, ("reminder.overdue30", "overdue-30")),
        (-400, ("reminder.overdue30", "overdue-30")),
    ],
)
def test_reminder_step(days_left, expected):
    assert tasks.reminder_step(days_left, [1, 7, 14]) == expected


def test_a_reminder_day_of_zero_is_the_days_own_notice():
    assert tasks.reminder_step(0, [0, 3]) == ("reminder.today", "today")
    assert tasks.reminder_step(2, [0, 3]) == ("reminder.due", "due-3")
