"""`flask --app wsgi jobs run NAME --at TIME`: a bad time is a usage error, not a traceback."""

from sqlalchemy import select

from portal.models import JobRun


def test_a_bad_time_names_the_option_and_runs_nothing(runner, db, return_setup):
    result = runner.invoke(args=["jobs", "run", "periods", "--at", "24/03/2026"])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--at': '24/03/2026' is not an ISO 8601 time such as 2026-03-24T06:00" in result.output
    assert isinstance(result.exception, SystemExit)  # click's usage error, not a ValueError
    assert db.session.scalar(select(JobRun)) is None
