"""`flask --app wsgi scheduler`, `jobs list|run NAME`, `backup`, `restore FOLDER`."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .services.jobs import runner
from .services.jobs.backup import BackupError, backup, restore
from .services.jobs.outcomes import describe
from .services.jobs.registry import JOBS
from .services.jobs.scheduler import build, catch_up

jobs_cli = AppGroup("jobs", help="The portal's scheduled jobs.")


@click.command("scheduler")
@click.option("--no-catch-up", is_flag=True, help="Do not run today's missed daily jobs at start.")
@with_appcontext
def scheduler_command(no_catch_up: bool):
    """Run the scheduler (blocking). Run exactly one, as its own service; see the README."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's, which mypy sees as a Flask
    if not no_catch_up:
        catch_up(app)
    scheduler = build(app)
    click.echo(f"scheduler: {', '.join(sorted(JOBS))} (UTC); Ctrl+C stops it")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@jobs_cli.command("list")
def list_jobs():
    for name, job in sorted(JOBS.items()):
        click.echo(f"{name:14} {job.description}")
    click.echo("\nrecent runs:")
    for run in runner.recent(20):
        click.echo(
            f"  {run.started_at:%Y-%m-%d %H:%M} {run.job:14} {run.slot:18} {run.outcome:8} "
            f"{describe(run.detail) or run.error}"
        )


def _utc_time(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An ISO 8601 time in UTC (one without an offset is read as UTC); a bad one is a usage error
    naming the option, not a traceback."""
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time such as 2026-03-24T06:00") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(JOBS)))
@click.option(
    "--at",
    "now",
    default=None,
    callback=_utc_time,
    help="Run as if at this UTC time (ISO 8601), e.g. 2026-03-24T06:00.",
)
def run_job(name: str, now: datetime | None):
    """Run a job now, for the current slot (skipped if that slot is already done)."""
    run = runner.run(JOBS[name], now)
    if run is None:
        click.echo(f"{name}: this slot is already done or running; nothing to do")
        return
    click.echo(f"{name} [{run.slot}]: {run.outcome} — {describe(run.detail) or run.error}")
    if run.outcome != "ok":
        raise SystemExit(1)


@click.command("backup")
@with_appcontext
def backup_command():
    """Back up the database and the uploaded files now (BACKUP_FOLDER, keeping BACKUP_KEEP)."""
    try:
        click.echo(f"backup written to {backup(datetime.now(UTC))}")
    except (BackupError, OSError) as error:
        raise click.ClickException(str(error)) from None


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(folder: Path, yes: bool):
    """Replace the database and the uploaded files with a backup (stop the portal first)."""
    if not yes:
        click.confirm(f"Replace the current database and files with {folder}?", abort=True)
    try:
        click.echo(f"restored {restore(folder)}")
    except (BackupError, OSError, KeyError, ValueError) as error:
        raise click.ClickException(str(error)) from None
