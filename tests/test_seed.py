"""Seed data: reference data from seed/, demo accounts only with --demo, idempotent."""

from sqlalchemy import select

from portal.models import AuditEvent, Country, Region, User
from portal.services import seed as seed_service


def _snapshot(db):
    return (
        [(r.code, r.name_en, r.name_ru, r.position) for r in db.session.scalars(select(Region).order_by(Region.code))],
        [
            (c.iso2, c.iso3, c.name_en, c.name_ru, c.membership, c.region.code)
            for c in db.session.scalars(select(Country).order_by(Country.iso2))
        ],
        [(u.email, u.role, u.password_hash) for u in db.session.scalars(select(User).order_by(User.email))],
    )


def test_reference_data_matches_the_council(app, db):
    report = seed_service.seed()
    db.session.commit()
    assert report.created == {
        "regions": 4,
        "countries": 9,
        "templates": 1,
        "periods": 3,
        "meetings": 4,
        "library items": 11,
    }
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    assert (kz.name_en, kz.name_ru, kz.region.code, kz.membership) == (
        "Kazakhstan",
        "Казахстан",
        "central_asia",
        "member",
    )
    members = db.session.scalars(select(Country.iso2).where(Country.membership == "member"))
    assert sorted(members) == ["KG", "KZ", "TJ", "TM", "UZ"]
    ma = db.session.scalar(select(Country).where(Country.iso2 == "MA"))
    assert (ma.membership, ma.region.name_ru) == ("partner", "Ближний Восток и Северная Африка")
    assert db.session.scalar(select(User)) is None, "no demo accounts without --demo"


def test_second_run_changes_nothing(app, db, runner):
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    assert "created 8 users" in first.output
    before = _snapshot(db)
    events = db.session.scalar(select(db.func.count(AuditEvent.id)))
    second = runner.invoke(args=["seed", "--demo"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    db.session.expire_all()
    assert _snapshot(db) == before
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == events


def test_seed_repairs_a_changed_country_name(app, db):
    seed_service.seed()
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    kz.name_ru = "Казахстан (старое)"
    db.session.commit()
    report = seed_service.seed()
    assert report.updated == {"countries": 1}
    assert kz.name_ru == "Казахстан"


def test_demo_accounts(app, db, runner):
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    emails = set(db.session.scalars(select(User.email)))
    assert emails == {
        "admin@prr.example",
        "secretariat@prr.example",
        "delegate@prr.example",
        "focal.kz@prr.example",
        "focal.kg@prr.example",
        "focal.tj@prr.example",
        "focal.tm@prr.example",
        "focal.uz@prr.example",
    }
    focal_uz = db.session.scalar(select(User).where(User.email == "focal.uz@prr.example"))
    assert (focal_uz.role, focal_uz.country.iso2) == ("focal_point", "UZ")


def test_demo_passwords_work(app, auth):
    app.test_cli_runner().invoke(args=["seed", "--demo"])
    for email, password in [
        ("admin@prr.example", "demo-admin"),
        ("secretariat@prr.example", "demo-secretariat"),
        ("delegate@prr.example", "demo-delegate"),
        ("focal.tj@prr.example", "demo-focal"),
    ]:
        assert auth.login(email, password).status_code == 302, email
        auth.logout()


def test_the_demo_tells_the_secretariat_of_the_return_waiting_for_review_only(app, db):
    """Returns the demo submits and accepts at once are not news; the one left submitted is."""
    from datetime import date

    from portal.models import Notification, Return, ReturnStatus, User

    with app.test_request_context():
        seed_service.seed(demo=True, today=date(2026, 12, 2))
    db.session.commit()
    waiting = {r.id for r in db.session.scalars(select(Return).where(Return.status == ReturnStatus.SUBMITTED))}
    told = db.session.scalars(select(Notification).where(Notification.kind.like("return.%submitted"))).all()
    assert waiting and told
    assert {n.link for n in told} == {f"/review/{return_id}" for return_id in waiting}
    assert {db.session.get(User, n.user_id).role for n in told} == {"secretariat"}
