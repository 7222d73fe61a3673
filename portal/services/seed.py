"""Loading the data files under seed/ into the database. Idempotent: a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from ..extensions import db
from ..models import Country, Region, ReportingPeriod
from ..models.types import utcnow
from .accounts import users as user_service
from .library.seed import load_library
from .meetings import meetings as meeting_service
from .returns import periods as period_service
from .returns import template_versions as template_service

SEED_DIR = Path(__file__).resolve().parents[1] / "seed"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str) -> None:
        target = self.created if bucket == "created" else self.updated
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _load_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _upsert(model, lookup: dict, values: dict, report: SeedReport, kind: str):
    obj = db.session.scalar(select(model).filter_by(**lookup))
    if obj is None:
        obj = model(**lookup, **values)
        db.session.add(obj)
        report.count("created", kind)
        return obj
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    if changed:
        report.count("updated", kind)
    return obj


def load_reference_data(seed_dir: Path = SEED_DIR, report: SeedReport | None = None) -> SeedReport:
    """Regions, countries, return templates and reporting periods."""
    report = load_countries(seed_dir, report)
    return load_templates_and_periods(seed_dir, report)


def load_countries(seed_dir: Path = SEED_DIR, report: SeedReport | None = None) -> SeedReport:
    report = report or SeedReport()
    data = _load_yaml(seed_dir / "regions.yaml")
    for position, r in enumerate(data["regions"]):
        region = _upsert(
            Region,
            {"code": r["code"]},
            {"name_en": r["name_en"], "name_ru": r["name_ru"], "position": position},
            report,
            "regions",
        )
        db.session.flush()
        for c in r["countries"]:
            _upsert(
                Country,
                {"iso2": c["iso2"]},
                {
                    "iso3": c["iso3"],
                    "name_en": c["name_en"],
                    "name_ru": c["name_ru"],
                    "membership": c["membership"],
                    "region_id": region.id,
                },
                report,
                "countries",
            )
    db.session.flush()
    return report


def load_templates_and_periods(seed_dir: Path = SEED_DIR, report: SeedReport | None = None) -> SeedReport:
    report = report or SeedReport()
    for _template, created in template_service.load_template_files(seed_dir / "templates"):
        if created:
            report.count("created", "templates")
    for p in _load_yaml(seed_dir / "periods.yaml")["periods"]:
        if db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == p["label"])):
            continue
        period_service.create_period(
            label=p["label"],
            start_date=p["start_date"],
            end_date=p["end_date"],
            opens_on=p["opens_on"],
            due_date=p.get("due_date"),
            is_open=p["is_open"],
            template_version=p["template_version"],
            via="seed",
        )
        report.count("created", "periods")
    for _ in range(meeting_service.load_meetings(_load_yaml(seed_dir / "meetings.yaml")["meetings"])):
        report.count("created", "meetings")
    for _ in range(load_library(seed_dir / "library")):
        report.count("created", "library items")
    db.session.flush()
    return report


def load_demo_users(seed_dir: Path = SEED_DIR, report: SeedReport | None = None) -> SeedReport:
    """Create the demo accounts that do not exist yet; existing accounts are left alone."""
    report = report or SeedReport()
    data = _load_yaml(seed_dir / "demo" / "users.yaml")
    for u in data["users"]:
        if user_service.get_by_email(u["email"]) is not None:
            continue
        user_service.create_user(
            email=u["email"],
            name=u["name"],
            role=u["role"],
            password=u["password"],
            country_code=u.get("country"),
            language=u.get("language", "en"),
            via="seed",
        )
        report.count("created", "users")
    db.session.flush()
    return report


def load_demo_dates(
    seed_dir: Path = SEED_DIR, report: SeedReport | None = None, today: date | None = None
) -> SeedReport:
    """A period with `demo_due_in_days` in periods.yaml is due that many days after the seed's
    day in a fresh demo (so the open period reads "due in 3 weeks", not months overdue). Only a
    due date still as periods.yaml has it is moved: a second run, or a date the secretariat
    changed, is left alone."""
    report = report or SeedReport()
    today = today or utcnow().date()
    for p in _load_yaml(seed_dir / "periods.yaml")["periods"]:
        if p.get("demo_due_in_days") is None:
            continue
        period = period_service.get_period(p["label"])
        due = today + timedelta(days=p["demo_due_in_days"])
        if period.due_date != p.get("due_date") or due < period.opens_on:
            continue
        period_service.update_period(
            period,
            start_date=period.start_date,
            end_date=period.end_date,
            opens_on=period.opens_on,
            due_date=due,
            is_open=period.is_open,
            closes_on=period.closes_on,
            via="seed",
        )
        report.count("updated", "periods")
    db.session.flush()
    return report


# The notices a demo return's steps send, by the step they belong to (their time follows it).
NOTICE_STEPS = {
    "return.submitted": "submit",
    "return.resubmitted": "submit",
    "return.revision": "submit",
    "return.returned": "return",
    "return.accepted": "accept",
    "query.opened": "return",
}


def _restamp(ret, timeline: dict, latest: datetime) -> None:
    """Date the demo return's steps `timeline` days from its period's due date (negative:
    before it; upload 09:00, submission 10:00, return 11:00, acceptance 14:00 UTC), never after
    `latest`; its query, if any, is asked at the return. The audit trail keeps the real time
    of the seed."""
    from ..models import Notification, ValueQuery

    due = ret.period.due_date
    if due is None:
        return

    def at(step: str, hour: int) -> datetime | None:
        if step not in timeline:
            return None
        return min(datetime.combine(due + timedelta(days=timeline[step]), time(hour), tzinfo=UTC), latest)

    version = ret.latest_version
    times = {"upload": at("submitted", 9), "submit": at("submitted", 10), "return": at("returned", 11)}
    times["accept"] = at("accepted", 14)
    version.uploaded_at = times["upload"] or version.uploaded_at
    version.submitted_at = times["submit"] if version.submitted_at else None
    version.accepted_at = times["accept"] if version.accepted_at else None
    for event in ret.events:
        event.created_at = times.get(event.action) or event.created_at
    ret.created_at = version.uploaded_at
    ret.updated_at = max(e.created_at for e in ret.events)
    for notice in db.session.scalars(select(Notification).where(Notification.link == f"/returns/{ret.id}")):
        step = NOTICE_STEPS.get(notice.kind)
        notice.created_at = (times.get(step) if step else None) or notice.created_at
    for value_query in db.session.scalars(select(ValueQuery).where(ValueQuery.return_id == ret.id)):
        value_query.created_at = value_query.updated_at = times["return"] or value_query.created_at
        for message in value_query.messages:
            message.created_at = value_query.created_at


def _open_query(ret, query: dict, secretariat):
    """The secretariat's question on one cell of a demo return (dated with the return for
    correction by _restamp)."""
    from ..models import QueryMessage, ValueQuery

    value_query = ValueQuery(
        return_=ret,
        indicator=query["indicator"],
        breakdown=query["breakdown"],
        state="open",
        created_by=secretariat,
    )
    value_query.messages.append(
        QueryMessage(kind="question", author=secretariat, text=query["text"], version_number=ret.latest_version.number)
    )
    db.session.add(value_query)
    db.session.flush()
    return value_query


def _notify_query(ret, value_query, text: str) -> None:
    from ..models import Role, User
    from .notices import notifications

    for user in db.session.scalars(
        select(User).where(User.country_id == ret.country_id, User.role == Role.FOCAL_POINT, User.active.is_(True))
    ):
        notifications.notify(
            user,
            "query.opened",
            {
                "country": ret.country.iso2,
                "period": ret.period.label,
                "indicator": value_query.indicator,
                "breakdown": value_query.breakdown,
                "text": text,
            },
            link=f"/returns/{ret.id}",
            dedupe_key=f"query.opened:{value_query.id}:{user.id}",
        )


def load_demo_returns(
    seed_dir: Path = SEED_DIR, report: SeedReport | None = None, now: datetime | None = None
) -> SeedReport:
    """Demo returns, through the same path as an upload (template → fill → validate → store →
    submit → accept, or return with a query), then dated around their period's due date (see
    returns.yaml). A return that already exists is left alone."""
    from .accounts.users import get_by_email
    from .returns import workflow
    from .returns.fill import fill_template
    from .returns.template_xlsx import build_template
    from .returns.validate import validate_upload

    report = report or SeedReport()
    now = now or utcnow()
    for r in _load_yaml(seed_dir / "demo" / "returns.yaml")["returns"]:
        country = db.session.scalars(select(Country).where(Country.iso2 == r["country"])).one()
        period = period_service.get_period(str(r["period"]))
        if workflow.find_return(country.id, period.id) is not None:
            continue
        values = {tuple(key.split(".", 1)): value for key, value in r["values"].items()}
        data = fill_template(build_template(period.template, country, period, "en"), values, r.get("notes"))
        checked, ident = validate_upload(data, None)
        if not checked.ok:
            raise ValueError(
                f"demo return {r['country']} {r['period']}: {[i.as_dict('en')['message'] for i in checked.errors]}"
            )
        status = r.get("status", "accepted")
        reviewer = get_by_email(r["returned_by"]) if status == "returned" else None
        if status == "returned" and reviewer is None:
            raise ValueError(f"demo return {r['country']} {r['period']}: no user {r['returned_by']}")
        version = workflow.store_version(
            checked,
            ident,
            data,
            f"demo_{r['country']}_{r['period']}.xlsx",
            None,
            source="seed",
        )
        ret = version.return_
        if status != "draft":  # the secretariat is told of a return left waiting for review only
            workflow.submit_return(ret, None, notify=status == "submitted")
        if status == "accepted":
            workflow.accept_return(ret, None)
        elif reviewer is not None:  # the question on the cell first, then the return for correction
            value_query = _open_query(ret, r["query"], reviewer) if r.get("query") else None
            workflow.send_back(ret, reviewer, r["reason"])
            db.session.flush()
            if value_query is not None:
                _notify_query(ret, value_query, r["query"]["text"])
        db.session.flush()
        _restamp(ret, r.get("timeline", {}), now)
        report.count("created", "returns")
    db.session.flush()
    return report


def load_demo_briefs(seed_dir: Path = SEED_DIR, report: SeedReport | None = None) -> SeedReport:
    """Compose and compile the demo briefs that do not exist yet."""
    from ..models import Brief, Meeting
    from .meetings import briefs as brief_service

    report = report or SeedReport()
    for b in _load_yaml(seed_dir / "demo" / "briefs.yaml")["briefs"]:
        if db.session.scalar(select(Brief).where(Brief.title == b["title"])):
            continue
        meeting = db.session.scalars(select(Meeting).where(Meeting.title == b["meeting"])).one()
        brief = brief_service.save_brief(
            None,
            meeting,
            title=b["title"],
            title_ru=b.get("title_ru"),
            period=str(b["period"]),
            indicators=b["indicators"],
            countries=b.get("countries", []),
            charts=b.get("charts", []),
            sections=b.get("sections", []),
            actor=None,
        )
        db.session.flush()
        brief_service.compile_brief(brief, None)
        report.count("created", "briefs")
    return report


def seed(demo: bool = False, seed_dir: Path = SEED_DIR, today: date | None = None) -> SeedReport:
    """The reference data; with `demo`, the demo accounts, returns, meetings and briefs, dated
    around `today` (default: today, UTC)."""
    report = load_reference_data(seed_dir)
    if demo:
        now = utcnow() if today is None else datetime.combine(today, time(12), tzinfo=UTC)
        load_demo_users(seed_dir, report)
        load_demo_dates(seed_dir, report, now.date())
        load_demo_returns(seed_dir, report, now)
        for _ in range(meeting_service.load_meetings(_load_yaml(seed_dir / "meetings.yaml")["demo_meetings"])):
            report.count("created", "meetings")
        load_demo_briefs(seed_dir, report)
    return report
