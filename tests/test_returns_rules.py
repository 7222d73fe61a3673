"""The rule engine, on dicts of cells parsed as the reader parses them (`cells_report`), and
the unit/status-code parsing, on real filled templates."""

import pytest

from portal.services.returns.validate import validate_upload

from .conftest import cells_report


def _issues(report) -> dict:
    return {(i.rule, i.indicator, i.column, i.level): i.as_dict("en")["message"] for i in report.issues}


@pytest.fixture
def check(app, return_setup):
    """check(values, notes=None) -> (report, {(rule, indicator, column, level): message}): the
    rules and completeness, as `validate_upload` runs them, on a dict of cells."""
    from portal.models import Country, ReportingPeriod
    from portal.services.returns.rules import apply_rules
    from portal.services.returns.validate import completeness, previous_accepted_values

    def run(values, notes=None, country="KZ", period="2025"):
        db = app.extensions["sqlalchemy"]
        c = db.session.scalar(db.select(Country).where(Country.iso2 == country))
        p = db.session.scalar(db.select(ReportingPeriod).where(ReportingPeriod.label == period))
        with app.test_request_context():
            report = cells_report(p.template, values, notes)
            apply_rules(p.template, report, previous_accepted_values(c, p))
            report.completeness = completeness(p.template, report)
            return report, _issues(report)

    return run


@pytest.fixture
def check_workbook(app, filled):
    """check_workbook(values, notes=None) -> the same, from a filled template read back."""

    def run(values, notes=None, country="KZ", period="2025"):
        data = filled(values, notes, country, period)
        with app.test_request_context():
            report, _ident = validate_upload(data, None)
            return report, _issues(report)

    return run


def test_a_clean_return_has_no_issues(check):
    report, issues = check(
        {
            ("REP01", "Men"): 4,
            ("REP01", "Women"): 1,
            ("REP01", "Boys"): 3,
            ("REP01", "Girls"): 4,
            ("REP01", "Total"): 12,
            ("REP01O", "Total"): 12,
        }
    )
    assert issues == {}
    assert report.completeness == pytest.approx(round(100 * 2 / 47, 1))


@pytest.mark.parametrize(
    "values, key, message",
    [
        # R2: parts ≤ Total, = Total when all given, Total required with a part
        (
            {("REP02", "Men"): 3, ("REP02", "Total"): 2},
            ("R2", "REP02", "Total", "error"),
            "The parts add up to 3, more than the Total 2.",
        ),
        (
            {
                ("REP02", "Men"): 1,
                ("REP02", "Women"): 1,
                ("REP02", "Boys"): 1,
                ("REP02", "Girls"): 1,
                ("REP02", "Total"): 5,
            },
            ("R2", "REP02", "Total", "error"),
            "All parts are given and add up to 4, but the Total is 5.",
        ),
        ({("REP02", "Men"): 3}, ("R2", "REP02", "Total", "error"), "The Total is required when a part is given (Men)."),
        (
            {("REP01O", "Syria"): 2, ("REP01O", "Total"): 2},
            ("R2", "REP01O", "Total", "error"),
            None,
        ),  # origin scheme: fine
        # R3: equality
        (
            {("REP01", "Total"): 10, ("REP01O", "Total"): 9},
            ("R3", "REP01O", "Total", "error"),
            "REP01O Total (9) must equal REP01 Total (10).",
        ),
        # R4: ≤ minors by sex
        (
            {
                ("REP01", "Boys"): 2,
                ("REP01", "Total"): 2,
                ("REP01O", "Total"): 2,
                ("REP03", "Male"): 3,
                ("REP03", "Total"): 3,
            },
            ("R4", "REP03", "Male", "error"),
            "REP03 Male (3) is more than REP01 Boys (2).",
        ),
        # R5: chain, a warning
        (
            {("PRS02", "Total"): 5, ("PRS03", "Total"): 7},
            ("R5", "PRS03", "Total", "warning"),
            "PRS03 Total (7) is more than PRS02 Total (5).",
        ),
        # R6: a sum on the left
        (
            {("PRS03", "Total"): 5, ("PRS04", "Total"): 4, ("PRS05", "Total"): 3, ("PRS02", "Total"): 9},
            ("R6", "PRS04", "Total", "warning"),
            "PRS04 Total + PRS05 Total (7) is more than PRS03 Total (5).",
        ),
        # R8: range chain, and blank when no one convicted
        (
            {
                ("PRS04", "Total"): 3,
                ("PRS02", "Total"): 3,
                ("PRS03", "Total"): 3,
                ("PRS07", "Total"): 2.5,
                ("PRS08", "Value"): 4,
            },
            ("R8", "PRS08", "Value", "error"),
            "PRS08 Value (4) is more than PRS07 Total (2.5).",
        ),
        (
            {("PRS04", "Total"): "NIL", ("PRS07", "Total"): 5},
            ("R8", "PRS07", "Total", "error"),
            "Leave this blank or write N/A: PRS04 Total is 0 (no one convicted).",
        ),
        # R9 / R10
        (
            {("CUS06", "Total"): 2, ("CUS07", "Total"): 3},
            ("R9", "CUS07", "Total", "error"),
            "CUS07 Total (3) is more than CUS06 Total (2).",
        ),
        (
            {("CHL01", "Female"): 4, ("CHL01", "Total"): 4, ("CHL02", "Female"): 5, ("CHL02", "Total"): 5},
            ("R10", "CHL02", "Female", "error"),
            "CHL02 Female (5) is more than CHL01 Female (4).",
        ),
        # R12: yes needs a note
        (
            {("CAP02", "Value"): "yes"},
            ("R12", "CAP02", "Value", "warning"),
            "Answered yes: give the title or name in the note.",
        ),
    ],
)
def test_rules(check, values, key, message):
    _report, issues = check(values)
    if message is None:
        assert key not in issues
    else:
        assert issues.get(key) == message


def test_missing_terms_are_not_compared(check):
    # PRS03 is N/AV: the chain PRS04 ≤ PRS03 ≤ PRS02 is not checked through it.
    _report, issues = check({("PRS04", "Total"): 9, ("PRS03", "Total"): "N/AV", ("PRS02", "Total"): 1})
    assert not [k for k in issues if k[0] == "R5"]


def test_a_note_explains_a_warning(check):
    report, _ = check({("CAP01", "Value"): "yes"}, notes={"CAP01": "Programme 2025–2030"})
    assert not report.warnings
    report, _ = check({("PRS02", "Total"): 5, ("PRS03", "Total"): 7}, notes={"PRS03": "cases from 2024"})
    assert report.warnings and report.warnings[0].explained


@pytest.mark.parametrize(
    "indicator, column, raw, expected",
    [
        ("REP01", "Total", 12, (12.0, None)),
        ("REP01", "Total", "N/A", (None, "N/A")),
        ("REP01", "Total", "n/av", (None, "N/AV")),
        ("REP01", "Total", "NIL", (None, "NIL")),
        ("REP01", "Total", "EST 120", (120.0, "EST")),
        ("REP01", "Total", "CONF", (None, "CONF")),
        ("REP01", "Total", "CONF 12", (12.0, "CONF")),
        ("REP01", "Total", "1 200", (1200.0, None)),
        ("COM02", "Value", "45,5", (45.5, None)),  # days may be decimal, comma accepted
        ("PRS08", "Value", 2.5, (2.5, None)),  # years
        ("CAP05", "Value", 1500000, (1500000.0, None)),  # amount
        ("CAP06", "Value", "да", (1.0, None)),  # boolean in Russian
        ("CAP06", "Value", "No", (0.0, None)),
    ],
)
def test_units_and_status_codes(check_workbook, indicator, column, raw, expected):
    report, issues = check_workbook({(indicator, column): raw})
    assert not report.errors, issues
    cell = report.cells[(indicator, column)].value
    assert (cell.number, cell.status) == expected


@pytest.mark.parametrize(
    "indicator, column, raw, rule, message",
    [
        ("REP01", "Total", 2.5, "R1", "2.5 is not a whole number; counts are whole numbers."),
        ("REP01", "Total", -1, "R1", "-1 is negative; the value must be 0 or more."),
        ("REP01", "Total", "twelve", "R1", "“twelve” is not a number or a status code (N/A, N/AV, NIL, EST, CONF)."),
        ("REP01", "Total", "EST", "R13", "EST needs its number in the same cell, e.g. EST 120."),
        (
            "REP01",
            "Total",
            "N/A 5",
            "R13",
            "A status code and a number in the same cell: write either the number or the code (only EST and CONF take "
            "a number, e.g. EST 120, CONF 12).",
        ),
        ("PRS08", "Value", -0.5, "R1", "-0.5 is negative; the value must be 0 or more."),
        ("CAP06", "Value", "maybe", "R1", "Answer yes or no, or give a status code (N/A, N/AV)."),
    ],
)
def test_bad_cells(check_workbook, indicator, column, raw, rule, message):
    _report, issues = check_workbook({(indicator, column): raw})
    assert issues[(rule, indicator, column, "error")] == message


def test_change_against_the_previous_accepted_return(app, db, check, login_as, client, filled):
    from portal.models import Return
    from portal.services.returns import workflow

    from .conftest import upload

    login_as("secretariat")  # may upload for a closed period on the country's behalf
    response = upload(client, filled({("REP06", "Total"): 100}, period="2024"), mode="submit")
    assert response.status_code == 302
    ret = db.session.scalar(db.select(Return))
    assert (ret.country.iso2, ret.period.label, ret.status) == ("KZ", "2024", "submitted")
    workflow.accept_return(ret, None)
    db.session.commit()
    _report, issues = check({("REP06", "Total"): 20})
    assert issues[("R11", "REP06", "Total", "warning")] == (
        "Changed by -80% against the last accepted return (100 → 20): explain in the note or fix."
    )
    _report, issues = check({("REP06", "Total"): 250})
    assert ("R11", "REP06", "Total", "warning") not in issues
