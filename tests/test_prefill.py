"""The workbook of a version (services/returns/prefill.py): the signed template filled as a
person would type the values, so that reading it back gives the same cells: uploaded again
unchanged it is a dry run with zero differences, also after a LibreOffice re-save. Queried
cells of a returned return are highlighted, with each thread as a comment."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from portal.models import ValueQuery
from portal.models.queries import QueryMessage
from portal.services.returns import workflow
from portal.services.returns.cells import positions
from portal.services.returns.entry import differences
from portal.services.returns.prefill import QUERY_FILL, filled_workbook
from portal.services.returns.validate import validate_upload

from .entry_cases import EVERY_KIND, EVERY_NOTE, FORMULA_LIKE_NOTES, random_values


def _read_back(app, data):
    with app.test_request_context():
        return validate_upload(data, None)


@pytest.mark.parametrize("locale", ["en", "ru"])
@pytest.mark.parametrize("notes", [EVERY_NOTE, FORMULA_LIKE_NOTES], ids=["notes", "formula-like-notes"])
def test_filled_workbook_reads_back_as_the_version(app, db, create_return, locale, notes):
    version = create_return("KZ", "2025", EVERY_KIND, status="submitted", notes=notes)
    with app.test_request_context():
        data = filled_workbook(version.return_, version, locale=locale)
    report, ident = _read_back(app, data)
    assert (ident.country.iso2, ident.period.label, ident.template.id) == ("KZ", "2025", version.template_id)
    assert report.ok, [e.as_dict("en") for e in report.errors]
    assert differences(version, report) == []
    assert len(report.cells) == len(EVERY_KIND) and report.notes == notes


def test_numbers_are_numbers_and_codes_are_text(app, db, create_return):
    version = create_return("KZ", "2025", EVERY_KIND, status="draft", notes=FORMULA_LIKE_NOTES)
    with app.test_request_context():
        wb = load_workbook(BytesIO(filled_workbook(version.return_, version)))
    where = positions(version.template)

    def cell(code, column):
        sheet, ref = where[(code, column)]
        return wb[sheet][ref]

    assert (cell("REP01", "Total").value, cell("REP01", "Total").data_type) == (12, "n")
    assert (cell("COM02", "Value").value, cell("COM02", "Value").data_type) == (45.5, "n")
    assert cell("CAP05", "Value").value == 1_000_000_000_000_000
    assert [
        cell(*k).value for k in [("REP06", "Total"), ("REP02", "Total"), ("CUS01", "Total"), ("COM08", "Total")]
    ] == [
        "EST 300",
        "N/AV",
        "CONF",
        "CONF 2",
    ]
    assert (cell("CAP01", "Value").value, cell("CAP02", "Value").value) == ("yes", "no")
    # REP06's note starts with "=": a text shown as typed, never a formula
    note = wb["A Repatriation"]["O11"]
    assert (note.value, note.data_type, note.quotePrefix) == ("=estimate from camp lists", "s", True)


@pytest.mark.parametrize("seed", range(6))
def test_random_versions_upload_again_with_zero_differences(app, db, create_return, seed):
    with app.test_request_context():
        values, notes = random_values(_template(db), seed)
    version = create_return("KZ", "2025", values, status="draft", notes=notes)
    with app.test_request_context():
        data = filled_workbook(version.return_, version)
        report, ident = validate_upload(data, None)
        assert report.ok, [e.as_dict("en") for e in report.errors]
        assert differences(version, report) == []
        again = workflow.store_version(report, ident, data, "again.xlsx", None)
    db.session.flush()
    assert workflow.diff_versions(version, again) == []
    assert (again.warnings, again.completeness, again.withheld) == (
        version.warnings,
        version.completeness,
        version.withheld,
    )


def _template(db):
    from portal.models import ReportingPeriod

    return db.session.scalar(db.select(ReportingPeriod).where(ReportingPeriod.label == "2025")).template


def test_after_a_libreoffice_resave_zero_differences(app, db, create_return, resave):
    version = create_return("KZ", "2025", EVERY_KIND, status="submitted", notes={**EVERY_NOTE, **FORMULA_LIKE_NOTES})
    with app.test_request_context():
        data = filled_workbook(version.return_, version, locale="ru")
    resaved = resave(data)
    assert resaved != data
    report, _ident = _read_back(app, resaved)
    assert report.ok, [e.as_dict("en") for e in report.errors]
    assert differences(version, report) == []


def test_queries_are_highlighted_with_their_thread(app, db, create_return, create_user):
    version = create_return("KZ", "2025", EVERY_KIND, status="returned", notes=EVERY_NOTE)
    staff = create_user("secretariat", name="Aigul Reviewer")
    query = ValueQuery(
        return_id=version.return_id, indicator="REP01", breakdown="Girls", state="open", created_by=staff
    )
    query.messages.append(QueryMessage(kind="question", author=staff, text="Girls look high: check stage 5?"))
    db.session.add(query)
    db.session.flush()
    with app.test_request_context():
        data = filled_workbook(version.return_, version, locale="en", queries=[query])
    cell = load_workbook(BytesIO(data))["A Repatriation"]["G5"]  # REP01 Girls
    assert cell.fill.fgColor.rgb.endswith(QUERY_FILL.fgColor.rgb[-6:])
    assert "REP01 Girls" in cell.comment.text
    assert "Aigul Reviewer" in cell.comment.text and "Girls look high: check stage 5?" in cell.comment.text
    assert "Query (open)" in cell.comment.text
    report, _ident = _read_back(app, data)  # the highlight changes nothing that is read
    assert report.ok and differences(version, report) == []
