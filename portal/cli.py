"""Command-line interface: `flask --app wsgi users ...` and `flask --app wsgi seed`.

Commands call the same services as the web views and commit once at the end.
"""

from __future__ import annotations

from typing import NoReturn

import click
from flask.cli import AppGroup

from .config import LOCALES
from .extensions import db
from .models import ROLE_VALUES
from .services import seed as seed_service
from .services.accounts import users as user_service
from .services.errors import ServiceError

users_cli = AppGroup("users", help="Manage user accounts.")


def fail(error) -> NoReturn:
    """Roll back and stop the command with the reason (a ServiceError, or a plain message)."""
    db.session.rollback()
    where = f" ({error.field})" if getattr(error, "field", None) else ""
    raise click.ClickException(f"{getattr(error, 'message', error)}{where}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLE_VALUES))
@click.option("--country", "country_code", help="ISO 3166 alpha-2 code; required for focal points.")
@click.option("--language", default="en", type=click.Choice(LOCALES))
@click.password_option("--password", help="Asked for when not given.")
def create_user(email, name, role, country_code, language, password):
    """Create a user account."""
    try:
        user = user_service.create_user(
            email=email,
            name=name,
            role=role,
            password=password,
            country_code=country_code,
            language=language,
            via="cli",
        )
    except ServiceError as error:
        fail(error)
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role}).")


@users_cli.command("list")
@click.option("--role", type=click.Choice(ROLE_VALUES))
def list_users(role):
    """List user accounts."""
    for user in user_service.list_users(role):
        country = user.country.iso2 if user.country else "-"
        state = "active" if user.active else "inactive"
        click.echo(f"{user.email}\t{user.role}\t{country}\t{state}\t{user.name}")


@users_cli.command("set-password")
@click.argument("email")
@click.password_option("--password", help="Asked for when not given.")
def set_password(email, password):
    """Set a new password for a user."""
    try:
        user = user_service.get_by_email_or_404(email)
        user_service.set_password(user, password, via="cli")
    except ServiceError as error:
        fail(error)
    db.session.commit()
    click.echo(f"Password set for {user.email}.")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate(email):
    """Deactivate a user account (it can no longer sign in)."""
    try:
        user = user_service.get_by_email_or_404(email)
        changed = user_service.deactivate(user, via="cli")
    except ServiceError as error:
        fail(error)
    db.session.commit()
    click.echo(f"{user.email} deactivated." if changed else f"{user.email} was already inactive.")


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also create the demo accounts listed in README.md.")
def seed_command(demo):
    """Load reference data (regions, countries); idempotent."""
    report = seed_service.seed(demo=demo)
    db.session.commit()
    if not report.changed:
        click.echo("Seed data already up to date; nothing changed.")
        return
    for bucket, counts in (("created", report.created), ("updated", report.updated)):
        for kind, n in sorted(counts.items()):
            click.echo(f"{bucket} {n} {kind}")
