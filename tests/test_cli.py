"""`flask --app wsgi users create|list|set-password|deactivate`."""

from sqlalchemy import select

from portal.models import AuditEvent, User
from portal.services.accounts.passwords import verify_password


def test_create_list_set_password_deactivate(runner, db, reference_data):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Focal.Tm@PRR.example",
            "--name",
            "Focal TM",
            "--role",
            "focal_point",
            "--country",
            "TM",
            "--password",
            "cli-password-1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created focal.tm@prr.example (focal_point)." in result.output

    listing = runner.invoke(args=["users", "list"])
    assert "focal.tm@prr.example\tfocal_point\tTM\tactive\tFocal TM" in listing.output

    result = runner.invoke(args=["users", "set-password", "FOCAL.TM@prr.example", "--password", "cli-password-2"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    db.session.refresh(user)
    assert verify_password(user.password_hash, "cli-password-2")[0]

    result = runner.invoke(args=["users", "deactivate", "focal.tm@prr.example"])
    assert result.exit_code == 0 and "deactivated" in result.output
    db.session.refresh(user)
    assert user.active is False
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("user.%")).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["user.create", "user.password_reset", "user.deactivate"]
    assert all(e.details.get("via") == "cli" for e in events)


def test_errors_are_clear_and_change_nothing(runner, db, reference_data):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@prr.example",
            "--name",
            "X",
            "--role",
            "focal_point",
            "--password",
            "cli-password-1",
        ]
    )
    assert result.exit_code == 1
    assert "A focal point must have a country. (country)" in result.output
    result = runner.invoke(
        args=["users", "create", "--email", "bad", "--name", "X", "--role", "delegate", "--password", "cli-password-1"]
    )
    assert result.exit_code == 1 and "bad is not a valid e-mail address" in result.output
    result = runner.invoke(args=["users", "set-password", "nobody@prr.example", "--password", "cli-password-1"])
    assert result.exit_code == 1
    assert "No user with the e-mail address nobody@prr.example" in result.output
    assert db.session.scalar(select(User)) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("user.%"))) is None
