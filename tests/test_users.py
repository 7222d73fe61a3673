"""The user service: validation, case-insensitive e-mail, audit trail, password hashing."""

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, User
from portal.services.accounts import users as user_service
from portal.services.accounts.passwords import hash_password, verify_password
from portal.services.errors import Conflict, ServiceError


def _make(**kw):
    values = {"email": "a.person@prr.example", "name": "A Person", "role": "delegate", "password": "long-enough-pw"}
    values.update(kw)
    return user_service.create_user(**values)


def test_email_is_stored_lower_case_and_unique_case_insensitively(app, db, reference_data):
    user = _make(email="  Aigerim.N@PRR.Example ")
    db.session.commit()
    assert user.email == "aigerim.n@prr.example"
    with pytest.raises(Conflict, match="already exists") as info:
        _make(email="AIGERIM.N@prr.example")
    assert info.value.field == "email"
    assert user_service.get_by_email("AiGeRiM.n@prr.example") is user


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"email": "not-an-email"}, "email", "not-an-email is not a valid e-mail address."),
        ({"email": "x" * 250 + "@a.org"}, "email", "The e-mail address is too long"),
        ({"name": "   "}, "name", "Enter a name."),
        ({"name": "n" * 121}, "name", "The name is too long (at most 120 characters)."),
        ({"role": "superuser"}, "role", "Unknown role: superuser."),
        ({"role": "focal_point"}, "country", "A focal point must have a country."),
        ({"role": "focal_point", "country_code": "FR"}, "country", "Unknown country code: FR."),
        ({"password": "short"}, "password", "The password must have at least 10 characters."),
        ({"language": "de"}, "language", "Unknown language: de."),
    ],
)
def test_bad_input_is_refused_with_field_and_message(app, db, reference_data, fields, field, message):
    with pytest.raises(ServiceError) as info:
        _make(**fields)
    assert info.value.field == field
    assert message in str(info.value.message)
    db.session.rollback()
    assert db.session.scalar(select(User)) is None


def test_focal_point_gets_country_and_creation_is_audited(app, db, reference_data):
    user = _make(role="focal_point", country_code="kg")
    db.session.commit()
    assert user.country.iso2 == "KG"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert event.object_id == str(user.id)
    assert event.details["role"] == "focal_point" and event.details["country"] == "KG"
    assert "password" not in str(event.details)


def test_database_refuses_focal_point_without_country(app, db, reference_data):
    from sqlalchemy.exc import IntegrityError

    db.session.add(User(email="x@prr.example", name="X", role="focal_point", password_hash="x", language="en"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_update_records_only_what_changed(app, db, create_user):
    admin = create_user("admin")
    user = create_user("delegate")
    changes = user_service.update_user(
        user, name=user.name, role="focal_point", country_code="TJ", language="ru", active=True, actor=admin
    )
    db.session.commit()
    assert changes == {"role": ["delegate", "focal_point"], "country": [None, "TJ"], "language": ["en", "ru"]}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert event.actor_id == admin.id and event.details["changes"]["country"] == [None, "TJ"]


def test_admin_cannot_demote_or_deactivate_self(app, db, create_user):
    admin = create_user("admin")
    with pytest.raises(ServiceError, match="cannot deactivate your own account"):
        user_service.update_user(
            admin, name=admin.name, role="admin", country_code=None, language="en", active=False, actor=admin
        )
    with pytest.raises(ServiceError, match="cannot deactivate your own account"):
        user_service.deactivate(admin, actor=admin)


def test_change_own_password_needs_the_current_one(app, db, create_user):
    user = create_user("delegate")
    with pytest.raises(ServiceError, match="current password is not correct") as info:
        user_service.change_own_password(user, "wrong-password", "new-password-123")
    assert info.value.field == "current_password"
    user_service.change_own_password(user, "correct-horse-battery", "new-password-123")
    assert verify_password(user.password_hash, "new-password-123")[0]


def test_hashes_are_argon2id_and_upgraded_when_parameters_change(app):
    stored = hash_password("a-long-password")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a-long-password") == (True, None)
    assert verify_password(stored, "another-password") == (False, None)
    app.config["ARGON2_TIME_COST"] = 2
    ok, new_hash = verify_password(stored, "a-long-password")
    assert ok and new_hash and new_hash != stored and "t=2" in new_hash
