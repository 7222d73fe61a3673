"""Timeliness (services/returns/timeliness.py): on time or late by N days by the FIRST
submission against the due date, due in N days or overdue by N days without one, no due
date; the on-time rate per country; the completeness matrix, its export and the return page
in both languages; the demo's realistic mix of states."""

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.models import (
    Country,
    Notification,
    QueryMessage,
    ReportingPeriod,
    Return,
    ReturnVersion,
    User,
    ValueQuery,
)
from portal.services import seed as seed_service
from portal.services.notices import notifications
from portal.services.returns import timeliness as tl
from portal.services.returns.matrix import completeness_matrix, on_time_rates
from portal.services.returns.timeliness import State

DUE = date(2026, 3, 31)  # the seed's 2025 period


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def plain(text: str) -> str:
    """Babel writes no-break spaces ("50\\xa0%"): compared as spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _period(db, label: str = "2025") -> ReportingPeriod:
    return db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == label))


def _return(db, iso2: str, label: str, submissions: list[datetime | None], status: str = "submitted") -> Return:
    """A return whose versions 1, 2, … were submitted at `submissions` (None: not submitted)."""
    period = _period(db, label)
    ret = Return(country=db.session.scalar(select(Country).where(Country.iso2 == iso2)), period=period)
    ret.status = status
    for number, submitted in enumerate(submissions, start=1):
        db.session.add(
            ReturnVersion(
                return_=ret,
                number=number,
                template=period.template,
                original_filename="r.xlsx",
                file_sha256="0" * 64,
                stored_path="-",
                submitted_at=submitted,
                accepted_at=submitted + timedelta(days=1) if status == "accepted" and submitted else None,
                completeness=50.0,
            )
        )
    db.session.flush()
    return ret


CASES = [
    # (submissions of versions 1, 2, …; today; state, days)
    pytest.param([at(DUE - timedelta(days=10))], DUE + timedelta(days=50), State.ON_TIME, None, id="on-time"),
    pytest.param([at(DUE, 23, 59)], DUE + timedelta(days=1), State.ON_TIME, None, id="on-the-due-day"),
    pytest.param([at(DUE + timedelta(days=1), 0, 1)], DUE + timedelta(days=9), State.LATE, 1, id="late-1"),
    pytest.param([at(DUE + timedelta(days=9))], DUE + timedelta(days=99), State.LATE, 9, id="late-9"),
    pytest.param(
        [at(DUE - timedelta(days=2)), at(DUE + timedelta(days=40))],
        DUE + timedelta(days=60),
        State.ON_TIME,
        None,
        id="resubmitted-late-still-on-time",
    ),
    pytest.param(
        [at(DUE + timedelta(days=5)), at(DUE + timedelta(days=30))],
        DUE + timedelta(days=60),
        State.LATE,
        5,
        id="late-by-the-first-submission",
    ),
    pytest.param([None], DUE - timedelta(days=6), State.DUE, 6, id="draft-due-in-6"),
    pytest.param([None], DUE + timedelta(days=3), State.OVERDUE, 3, id="draft-overdue-3"),
    pytest.param(None, DUE - timedelta(days=1), State.DUE, 1, id="nothing-due-in-1"),
    pytest.param(None, DUE, State.DUE, 0, id="nothing-due-today"),
    pytest.param(None, DUE + timedelta(days=1), State.OVERDUE, 1, id="nothing-overdue-1"),
]


@pytest.mark.parametrize(("submissions", "today", "state", "days"), CASES)
def test_timeliness(db, return_setup, submissions, today, state, days):
    ret = None if submissions is None else _return(db, "KZ", "2025", submissions)
    result = tl.timeliness(ret, _period(db), today)
    assert (result.state, result.days, result.due_date) == (state, days, DUE)
    first = [s for s in submissions or [] if s is not None]
    assert result.first_submitted == (min(first) if first else None)
    assert result.on_time is {State.ON_TIME: True, State.LATE: False, State.OVERDUE: False}.get(state)


def test_a_period_without_a_due_date_has_no_timeliness(db, return_setup):
    period = _period(db)
    period.due_date = None
    ret = _return(db, "KZ", "2025", [at(DUE)])
    for r in (ret, None):
        result = tl.timeliness(r, period, DUE)
        assert (result.state, result.days, result.on_time, result.counts) == (State.NO_DUE_DATE, None, None, False)


@pytest.mark.parametrize(
    ("state", "days", "english", "russian"),
    [
        (State.ON_TIME, None, "on time", "в срок"),
        (State.LATE, 1, "late by 1 day", "с опозданием на 1 день"),
        (State.LATE, 3, "late by 3 days", "с опозданием на 3 дня"),
        (State.LATE, 11, "late by 11 days", "с опозданием на 11 дней"),
        (State.DUE, 0, "due today", "срок сегодня"),
        (State.DUE, 21, "due in 21 days", "срок через 21 день"),
        (State.DUE, 5, "due in 5 days", "срок через 5 дней"),
        (State.OVERDUE, 1, "overdue by 1 day", "просрочен на 1 день"),
        (State.OVERDUE, 22, "overdue by 22 days", "просрочен на 22 дня"),
        (State.OVERDUE, 976, "overdue by 976 days", "просрочен на 976 дней"),
        (State.NO_DUE_DATE, None, "no due date", "срок не установлен"),
    ],
)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_text_in_each_language_with_its_plural_forms(app, state, days, english, russian, language):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(language):
        assert tl.Timeliness(state, days, DUE, None).text == (english if language == "en" else russian)


@pytest.mark.parametrize(
    ("submissions", "today", "expected"),
    [
        # 2023 (due 2024-03-31), 2024 (due 2025-03-31), 2025 (due 2026-03-31)
        pytest.param([-3, 9, None], DUE - timedelta(days=1), 1 / 2, id="on-time-late-not-yet-due"),
        pytest.param([-3, 9, -1], DUE - timedelta(days=1), 2 / 3, id="submitted-before-due-counts"),
        pytest.param([-3, None, None], DUE + timedelta(days=1), 1 / 3, id="overdue-counts-as-not-on-time"),
        pytest.param([-3, -3, 0], DUE + timedelta(days=1), 1.0, id="all-on-time"),
        pytest.param([1, 2, 3], DUE + timedelta(days=10), 0.0, id="all-late"),
    ],
)
def test_on_time_rate(db, return_setup, submissions, today, expected):
    periods = [_period(db, label) for label in ("2023", "2024", "2025")]
    for period, offset in zip(periods, submissions, strict=True):
        if offset is not None:
            _return(db, "KZ", period.label, [at(period.due_date + timedelta(days=offset))])
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    assert tl.on_time_rate(kz, periods, today) == pytest.approx(expected)
    countries, matrix_periods, cells = completeness_matrix(today)
    assert on_time_rates(countries, matrix_periods, cells)[kz.id] == pytest.approx(expected)


def test_no_rate_before_anything_counts(db, return_setup):
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    early = date(2024, 3, 1)  # before the first due date, nothing submitted
    assert tl.on_time_rate(kz, [_period(db, "2023")], early) is None
    assert tl.rate([]) is None


@pytest.fixture
def world(db, return_setup):
    """KZ: 2023 on time, 2024 late by 9 days (resubmitted later), 2025 due in 5 days (real today)."""
    _period(db).due_date = tl.today_utc() + timedelta(days=5)
    _return(db, "KZ", "2023", [at(date(2024, 3, 30))], status="accepted")
    late = _return(db, "KZ", "2024", [at(date(2025, 4, 9)), at(date(2025, 6, 1))], status="submitted")
    late.latest_version.completeness = 42.5
    db.session.commit()
    return late


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            {
                "KZ-2023": "on time",
                "KZ-2024": "late by 9 days",
                "KZ-2025": "due in 5 days",
                "rate": "50%",
                "reported": "42.5% reported",
            },
        ),
        (
            "ru",
            {
                "KZ-2023": "в срок",
                "KZ-2024": "с опозданием на 9 дней",
                "KZ-2025": "срок через 5 дней",
                "rate": "50 %",
                "reported": "заполнено 42,5 %",
            },
        ),
    ],
)
def test_the_matrix_page_in_each_language(client, db, login_as, world, language, texts):
    import re

    login_as("secretariat", language=language)
    page = plain(client.get("/review/matrix").get_data(as_text=True))
    for cell in ("KZ-2023", "KZ-2024", "KZ-2025"):
        html = re.search(rf'data-cell="{cell}">(.*?)</td>', page, re.S).group(1)
        assert texts[cell] in html, (cell, html)
    assert re.search(r'data-rate="KZ">([^<]*)</td>', page).group(1) == texts["rate"]
    assert texts["reported"] in re.search(r'data-cell="KZ-2024">(.*?)</td>', page, re.S).group(1)
    overdue = (tl.today_utc() - date(2024, 3, 31)).days  # TJ sent nothing for 2023
    tj = re.search(r'data-cell="TJ-2023">(.*?)</td>', page, re.S).group(1)
    assert ("overdue by" if language == "en" else "просрочен на") in tj and str(overdue) in tj


@pytest.mark.parametrize(
    ("language", "header", "texts"),
    [
        ("en", ("Status", "Timeliness"), {"2023": "on time", "2024": "late by 9 days", "2025": "due in 5 days"}),
        (
            "ru",
            ("Статус", "Своевременность"),
            {"2023": "в срок", "2024": "с опозданием на 9 дней", "2025": "срок через 5 дней"},
        ),
    ],
)
def test_the_matrix_export_in_each_language(client, db, login_as, world, language, header, texts):
    login_as("secretariat", language=language)
    wb = load_workbook(BytesIO(client.get("/review/matrix.xlsx").data))
    sheet, rates = wb.worksheets
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4:6] == header
    kz = {r[2]: r for r in rows if r[0] == "KZ"}
    assert {label: r[5] for label, r in kz.items()} == texts
    assert kz["2024"][8] == datetime(2025, 4, 9, 10)  # the first submission, not the resubmission
    assert kz["2023"][1] == ("Kazakhstan" if language == "en" else "Казахстан")
    kz_rate = next(r for r in rates.iter_rows(min_row=2) if r[0].value == "KZ")
    assert (kz_rate[2].value, kz_rate[2].number_format) == (0.5, "0%")


@pytest.mark.parametrize(("language", "text"), [("en", "late by 9 days"), ("ru", "с опозданием на 9 дней")])
def test_the_return_page_says_its_timeliness(client, db, login_as, world, language, text):
    login_as("focal_point", country="KZ", language=language)
    page = plain(client.get(f"/returns/{world.id}").get_data(as_text=True))
    line = page.split('data-testid="timeliness"', 1)[1].split("</p>", 1)[0]
    assert text in line
    assert ("April 9, 2025" if language == "en" else "9 апреля 2025 г.") in line  # the first submission


def test_delegates_see_no_timeliness_line(client, db, login_as, world):
    accepted = db.session.scalar(select(Return).where(Return.status == "accepted"))
    login_as("delegate")
    response = client.get(f"/returns/{accepted.id}")
    assert response.status_code == 200 and 'data-testid="timeliness"' not in response.get_data(as_text=True)


# The demo ----------------------------------------------------------------------------------

SEED_DAY = date(2026, 12, 2)


@pytest.fixture
def demo(app, db):
    with app.test_request_context():
        seed_service.seed(demo=True, today=SEED_DAY)
    db.session.commit()


def test_the_demo_shows_a_realistic_mix(app, db, demo):
    countries, periods, cells = completeness_matrix(SEED_DAY)
    current = _period(db)
    assert current.due_date == SEED_DAY + timedelta(days=21)
    states = [(cell.status, cell.timeliness.state) for cell in cells.values()]
    assert ("accepted", State.ON_TIME) in states
    assert ("accepted", State.LATE) in states
    assert ("submitted", State.ON_TIME) in states  # under review
    assert ("returned", State.ON_TIME) in states
    assert ("not_started", State.DUE) in states  # the open period, not started
    assert sum(s == State.LATE for _status, s in states) < sum(s == State.ON_TIME for _status, s in states)
    current_cells = [cells[(c.id, current.id)] for c in countries]
    assert not any(c.timeliness.state in (State.LATE, State.OVERDUE) for c in current_cells)


def test_the_demo_query_is_open_on_a_returned_return(db, demo):
    query = db.session.scalar(select(ValueQuery))
    ret = query.return_
    assert (ret.status, ret.country.iso2, query.state, query.indicator, query.breakdown) == (
        "returned",
        "TJ",
        "open",
        "REP01",
        "Total",
    )
    message = db.session.scalar(select(QueryMessage).where(QueryMessage.query_id == query.id))
    assert message.kind == "question" and message.author.role == "secretariat" and message.text
    returned = next(e for e in ret.events if e.action == "return")
    assert query.created_at == message.created_at == returned.created_at
    focal_tj = db.session.scalar(select(User).where(User.email == "focal.tj@prr.example"))
    told = {
        n.kind: n.created_at
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id == focal_tj.id, Notification.link == f"/returns/{ret.id}")
        )
    }
    assert told == {"return.returned": returned.created_at, "query.opened": returned.created_at}
    assert "REP01" in notifications.text(
        db.session.scalar(select(Notification).where(Notification.kind == "query.opened"))
    )


def test_the_demo_steps_are_in_order_and_never_after_the_seed(db, demo):
    noon = at(SEED_DAY, 12)
    for ret in db.session.scalars(select(Return)):
        version = ret.latest_version
        stamps = [version.uploaded_at, version.submitted_at, version.accepted_at]
        stamps = [s for s in stamps if s is not None]
        assert stamps == sorted(stamps) and all(s <= noon for s in stamps), (ret.country.iso2, ret.period.label)
        assert ret.updated_at == max(e.created_at for e in ret.events)
        assert [e.created_at for e in ret.events] == sorted(e.created_at for e in ret.events)


def test_a_later_demo_seed_leaves_the_dates_alone(app, db, demo):
    due = _period(db).due_date
    stamps = sorted(v.submitted_at for v in db.session.scalars(select(ReturnVersion)) if v.submitted_at)
    with app.test_request_context():
        report = seed_service.seed(demo=True, today=SEED_DAY + timedelta(days=3))
    assert not report.changed
    assert _period(db).due_date == due
    assert sorted(v.submitted_at for v in db.session.scalars(select(ReturnVersion)) if v.submitted_at) == stamps


def test_a_due_date_the_secretariat_changed_is_not_moved(app, db, return_setup):
    period = _period(db)
    period.due_date = date(2026, 4, 30)
    db.session.commit()
    with app.test_request_context():
        seed_service.seed(demo=True, today=SEED_DAY)
    assert _period(db).due_date == date(2026, 4, 30)
