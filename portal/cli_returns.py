"""`flask --app wsgi returns import|export|spec` and `flask --app wsgi periods ...`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from .cli import fail as _fail
from .extensions import db
from .services.errors import ServiceError
from .services.returns import periods as period_service
from .services.returns import workflow
from .services.returns.export import export_period
from .services.returns.spec import render_files
from .services.returns.validate import validate_upload
from .services.seed import SEED_DIR

returns_cli = AppGroup("returns", help="Import and export standard PRR returns.")
periods_cli = AppGroup("periods", help="Manage reporting periods.")


@returns_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--country", required=True, help="ISO alpha-2 code the file must be for.")
@click.option("--period", required=True, help="Period label the file must be for.")
@click.option("--submit", is_flag=True, help="Also submit the new version.")
def import_return(file: Path, country: str, period: str, submit: bool):
    """Import a filled template (historical backfill), with the same validation as uploads."""
    data = file.read_bytes()
    try:
        report, ident = validate_upload(data, None)
    except ServiceError as error:
        _fail(f"{file.name}: {error.message}")
    if (ident.country.iso2, ident.period.label) != (country.upper(), period):
        _fail(
            f"{file.name} is the template for {ident.country.iso2} {ident.period.label}, "
            f"not {country.upper()} {period}."
        )
    for issue in report.issues:
        d = issue.as_dict()
        click.echo(f"{d['level']}: {d['ref'] or ''} {d['indicator'] or ''} [{d['rule']}] {d['message']}", err=True)
    if not report.ok:
        _fail(f"{file.name}: {len(report.errors)} errors; nothing imported.")
    version = workflow.store_version(report, ident, data, file.name, None, source="cli", submit=submit)
    db.session.commit()
    click.echo(
        f"Imported {file.name} as version {version.number} of {country.upper()} {period} "
        f"({version.return_.status}; {len(report.warnings)} warnings)."
    )


@returns_cli.command("export")
@click.option("--period", required=True)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export(period: str, out: Path):
    """Write the period's accepted values (tidy sheet) and return statuses to OUT.xlsx."""
    try:
        p = period_service.get_period(period)
    except ServiceError as error:
        _fail(error.message)
    out.write_bytes(export_period(p))
    click.echo(f"Wrote {out}.")


@returns_cli.command("spec")
@click.option(
    "--out",
    default="docs",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the specification files are written to.",
)
@click.option("--check", is_flag=True, help="Write nothing; fail if a file in the folder is out of date.")
def spec(out: Path, check: bool):
    """Write the return's specification (Markdown) from each template definition in seed/templates/."""
    stale = []
    for name, text in render_files(SEED_DIR / "templates").items():
        path = out / name
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not check:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            click.echo(f"Wrote {path}.")
    if check and stale:
        _fail(f"Out of date: {', '.join(map(str, stale))}; run `flask --app wsgi returns spec`.")


@periods_cli.command("list")
def list_periods():
    for p in period_service.list_periods():
        state = "open" if p.is_open else "closed"
        click.echo(f"{p.label}\t{p.start_date}–{p.end_date}\tdue {p.due_date or '-'}\t{state}\tv{p.template.version}")


@periods_cli.command("create")
@click.argument("label")
@click.option("--start", "start_date", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--end", "end_date", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--opens", "opens_on", type=click.DateTime(["%Y-%m-%d"]), help="Default: the day after the end.")
@click.option("--due", "due_date", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--template-version", default=1, show_default=True, type=int)
@click.option("--open/--closed", "is_open", default=False)
def create_period(label, start_date, end_date, opens_on, due_date, template_version, is_open):
    d = lambda x: x.date() if x else None  # noqa: E731
    try:
        period_service.create_period(
            label=label,
            start_date=start_date.date(),
            end_date=end_date.date(),  # both required
            opens_on=d(opens_on) or date.fromordinal(end_date.date().toordinal() + 1),
            due_date=d(due_date),
            template_version=template_version,
            is_open=is_open,
            via="cli",
        )
    except ServiceError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"Created period {label}.")


def _set_open(label: str, is_open: bool) -> None:
    try:
        period_service.set_open(period_service.get_period(label), is_open, via="cli")
    except ServiceError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"Period {label} {'opened' if is_open else 'closed'}.")


@periods_cli.command("open")
@click.argument("label")
def open_period(label):
    _set_open(label, True)


@periods_cli.command("close")
@click.argument("label")
def close_period(label):
    _set_open(label, False)
