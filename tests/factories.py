"""Returns stored without the xlsx path: `cells_report` parses a dict of cells as the reader
parses a filled template, and the `create_return` fixture stores it through
`workflow.store_version`, as an upload would (tests/test_factory.py checks both)."""

from __future__ import annotations

import pytest

from portal.extensions import db as _db


def cells_report(template, values: dict, notes: dict | None = None):
    """The ValidationReport that reading a filled template holding `values` ({(code, column):
    raw cell}) and `notes` ({code: text}) gives, before the rules: the same per-unit parsing
    (CellValueField) and the same sheet/cell positions as `reader.read_values`, without a
    workbook. Run `rules.apply_rules` on it to check rules on a dict of cells."""
    from openpyxl.utils import get_column_letter

    from portal.schemas.values import BLANK, CellValueField
    from portal.services.returns.layout import FIRST_DATA_ROW, MAX_NOTE, section_columns
    from portal.services.returns.report import Issue, ParsedCell, ValidationReport

    pending, notes = dict(values), dict(notes or {})
    report = ValidationReport(template_version=template.version)
    for section in template.sections:
        columns = section_columns(template, section)
        for r, ind in enumerate(section.indicators, start=FIRST_DATA_ROW):
            note = notes.pop(ind.code, None)
            note = str(note).strip() if note not in (None, "") else None
            assert note is None or len(note) <= MAX_NOTE, "a long note is the reader's business: use the xlsx path"
            if note:
                report.notes[ind.code] = note
            field = CellValueField(ind.unit, ind.maximum())
            for column in template.columns(ind.breakdown):
                ref = f"{get_column_letter(4 + columns.index(column))}{r}"
                report.positions[(ind.code, column)] = (section.sheet, ref)
                raw = pending.pop((ind.code, column), "")
                try:
                    value = field.deserialize(raw)
                except Exception as exc:  # noqa: BLE001 - marshmallow's ValidationError, as the reader reports it
                    messages = getattr(exc, "messages", [str(exc)])
                    report.failed.add((ind.code, column))
                    report.add(
                        Issue(
                            "error",
                            getattr(exc, "kwargs", {}).get("rule", "R1"),
                            messages[0] if isinstance(messages, list) else str(messages),
                            sheet=section.sheet,
                            cell=ref,
                            indicator=ind.code,
                            column=column,
                        )
                    )
                    continue
                if value is not BLANK and not value.blank:
                    report.cells[(ind.code, column)] = ParsedCell(value, section.sheet, ref, note)
    if pending or notes:
        raise KeyError(f"cells not in the template: {sorted(pending)[:5]} {sorted(notes)[:5]}")
    return report


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
