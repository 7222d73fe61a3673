"""Returns stored without the xlsx path: `cells_report` parses a dict of cells as the reader
parses a filled template, and the `create_return` fixture stores it through
`workflow.store_version`, as an upload would (tests/test_factory.py checks both)."""

from __future__ import annotations

import pytest

from portal.extensions import db as _db


def cells_report(template, values: dict, notes: dict | None = None):
    """The ValidationReport that reading a filled template holding `values` ({(code, column):
    raw cell}) and `notes` ({code: text}) gives, before the rules: the portal's own
    `services.returns.cells.cells_report` (what the web form and the values API use), which
    parses and places cells as `reader.read_values` does. Run `rules.apply_rules` on it to
    check rules on a dict of cells."""
    from portal.services.returns.cells import cells_report as report_of

    return report_of(template, values, notes)


@pytest.fixture
def create_return(app, return_setup, create_user):
    """create_return(country="KZ", period="2025", values={(code, column): raw}, status="accepted",
    notes=None, by=None, workbook=None) -> the ReturnVersion.

    Stores what an upload of a template filled with `values` stores (values, warnings,
    completeness, withheld cells, events, audit) through `workflow.store_version`, without
    building and reading a workbook: the report comes from `cells_report` and the same rules.
    status: "draft", "submitted", "accepted" or "returned" (by `reviewer`, default a secretariat
    user made once per test, as `accepted_return` did). The stored file is `workbook`, or
    a placeholder (not a workbook) when not given."""
    from portal.models import Country, ReportingPeriod
    from portal.services.returns import workflow
    from portal.services.returns.rules import apply_rules
    from portal.services.returns.validate import Identified, completeness, previous_accepted_values

    staff = []

    def factory(
        country: str = "KZ",
        period: str = "2025",
        values: dict | None = None,
        status: str = "accepted",
        notes: dict | None = None,
        by=None,
        workbook: bytes | None = None,
        filename: str = "x.xlsx",
        source: str = "web",
        reviewer=None,
    ):
        assert status in ("draft", "submitted", "accepted", "returned"), status
        c = _db.session.scalar(_db.select(Country).where(Country.iso2 == country))
        p = _db.session.scalar(_db.select(ReportingPeriod).where(ReportingPeriod.label == period))
        ident = Identified(c, p, p.template)
        report = cells_report(p.template, values or {}, notes)
        report.country, report.period = country, period
        with app.test_request_context():
            apply_rules(p.template, report, previous_accepted_values(c, p))
            report.completeness = completeness(p.template, report)
            assert report.ok, [e.as_dict("en") for e in report.errors]
            data = (
                workbook
                if workbook is not None
                else f"create_return {country} {period} {sorted(report.cells)}".encode()
            )
            version = workflow.store_version(report, ident, data, filename, by, source=source, submit=status != "draft")
            if status in ("accepted", "returned"):
                if reviewer is None and not staff:
                    staff.append(create_user("secretariat", email="reviewer@prr.example"))
                reviewer = reviewer or staff[0]
                if status == "accepted":
                    workflow.accept_return(version.return_, reviewer)
                else:
                    workflow.send_back(version.return_, reviewer, "Please check the figures.")
        _db.session.commit()
        return version

    return factory


def add_period_after_latest(db, label: str = "2099"):
    """A reporting period right after the latest one, on the latest one's template (flushed,
    not committed): what an administrator adds while the portal runs."""
    from datetime import timedelta

    from sqlalchemy import select

    from portal.models import ReportingPeriod

    latest = db.session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.start_date.desc())).first()
    start = latest.end_date + timedelta(days=1)
    period = ReportingPeriod(
        label=label,
        start_date=start,
        end_date=start + timedelta(days=364),
        opens_on=start + timedelta(days=365),
        template_id=latest.template_id,
    )
    db.session.add(period)
    db.session.flush()
    return latest, period


def new_brief(meeting, title: str = "T", **fields):
    """A new brief of `meeting` through the service (REP01 for 2025, no sections, no actor),
    `fields` overriding any of save_brief's arguments."""
    from portal.services.meetings import briefs

    arguments = {
        "title": title,
        "period": "2025",
        "indicators": ["REP01"],
        "countries": [],
        "charts": [],
        "sections": [],
        "actor": None,
    }
    return briefs.save_brief(None, meeting, **(arguments | fields))
