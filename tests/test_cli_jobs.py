"""`flask --app wsgi jobs run NAME --at TIME`: a bad time is a usage error, not a traceback."""

from sqlalchemy import select

from portal.models import JobRun


def test_a_bad_time_names_the_option_and_runs_nothing(runner, db, return_setup):
    result = runner.invoke(args=["jobs", "run", "periods", "--at", "24/03/2026"])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--at': '24/03/2026' is not an ISO 8601 time such as 2026-03-24T06:00" in result.output
    assert isinstance(result.exception, SystemExit)  # click's usage error, not a ValueError
    assert db.session.scalar(select(JobRun)) is None


def test_a_time_with_an_offset_is_converted_to_utc(runner, db, return_setup):
    result = runner.invoke(args=["jobs", "run", "periods", "--at", "2026-03-24T11:00+05:00"])
    assert result.exit_code == 0, result.output
    run = db.session.scalar(select(JobRun))
    assert run is not None and run.started_at.hour == 6  # 11:00 at UTC+5 is 06:00 UTC, not 11:00
