"""Bounds: every numeric unit has a maximum in the template definition; NaN, infinities and
out-of-range numbers are cell-named errors; nothing shown fails on the largest allowed value."""

import math
from datetime import UTC
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from marshmallow import ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.models import Brief, BriefEdition, Meeting, ReturnVersion
from portal.schemas.values import CellValueField
from portal.services.errors import ServiceError
from portal.services.returns import template_versions as template_service
from portal.services.returns.validate import validate_upload

from .conftest import upload

V1 = Path(__file__).resolve().parent.parent / "portal" / "seed" / "templates" / "prr-return-v1.yaml"
COUNT_MAX = 10**9
AMOUNT_MAX = 10**15


def _versions(db) -> int:
    return db.session.scalar(select(func.count(ReturnVersion.id)))


def test_every_numeric_unit_has_its_maximum_in_the_template(db, return_setup):
    template = template_service.get_template(1)
    assert template.unit_max == {"count": 1e9, "amount": 1e15, "percent": 100, "years": 200, "days": 36600}
    assert template.indicator("REP01").maximum() == COUNT_MAX
    assert template.indicator("CAP05").maximum() == AMOUNT_MAX
    assert template.indicator("CAP01").maximum() is None  # boolean: 0 or 1 anyway


@pytest.mark.parametrize(
    "cell, raw, message",
    [
        ("D5", 1e308, "1e+308 is more than 1,000,000,000, the largest value this indicator takes."),
        ("D5", COUNT_MAX + 1, "1e+09 is more than 1,000,000,000"),
        ("D5", "1e308", "1e+308 is more than 1,000,000,000"),
        ("D5", "EST 1e308", "1e+308 is more than 1,000,000,000"),
        ("D5", "CONF 1e308", "1e+308 is more than 1,000,000,000"),
        ("D5", "EST 1000000001", "1e+09 is more than 1,000,000,000"),
        ("D5", "1" * 400, "The cell does not hold a usable number."),  # overflows to infinity
        ("D5", "CONF " + "9" * 400, "The cell does not hold a usable number."),
        ("D5", "inf", "“inf” is not a number or a status code"),
        ("D5", "nan", "“nan” is not a number or a status code"),
    ],
)
def test_out_of_range_counts_are_cell_errors(client, db, login_as, filled, cell, raw, message):
    login_as("focal_point", country="KZ")
    response = upload(client, filled({("REP01", "Men"): raw}), mode="save")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"&#39;A Repatriation&#39;!{cell}" in page and "REP01" in page
    assert message in page
    assert _versions(db) == 0


@pytest.mark.parametrize("value, ok", [(AMOUNT_MAX, True), (AMOUNT_MAX * 10, False), ("EST 1e16", False)])
def test_amounts_are_bounded_at_10_to_the_15(client, db, login_as, filled, value, ok):
    login_as("focal_point", country="KZ")
    response = upload(client, filled({("CAP05", "Value"): value}, {"CAP05": "KZT"}), mode="save")
    assert response.status_code == (302 if ok else 422)
    if not ok:
        assert "is more than 1,000,000,000,000,000, the largest value this indicator takes." in response.get_data(
            as_text=True
        )


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinities_are_refused_by_the_field(raw):
    with pytest.raises(ValidationError, match="does not hold a usable number"):
        CellValueField("count", COUNT_MAX).deserialize(raw)


@pytest.mark.parametrize("written", [b"NaN", b"inf", b"-inf", b"1e309"])
def test_nan_or_infinity_written_into_the_sheet_xml_is_a_cell_error(app, db, filled, written):
    """A script can write <v>NaN</v> into a cell's XML; it is refused, named by sheet and cell."""
    import re
    import zipfile

    source = zipfile.ZipFile(BytesIO(filled({("REP01", "Men"): 7})))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet3.xml":  # "A Repatriation"
                data, n = re.subn(rb'(<c r="D5"[^>]*>)<v>7</v>', rb"\1<v>" + written + rb"</v>", data)
                assert n == 1
            zf.writestr(info, data)
    with app.test_request_context():
        report, _ident = validate_upload(out.getvalue(), None)
    assert [(e.sheet, e.cell, e.indicator) for e in report.errors] == [("A Repatriation", "D5", "REP01")], [
        e.as_dict("en") for e in report.errors
    ]


def _definition(**indicator_changes) -> dict:
    data = yaml.safe_load(V1.read_text(encoding="utf-8"))
    data["version"] = 2
    for section in data["sections"]:
        for ind in section["indicators"]:
            ind.update(indicator_changes.get(ind["code"], {}))
    return data


def test_an_indicator_may_set_its_own_maximum(db, return_setup):
    template, created = template_service.load_template(
        template_service.parse_definition(yaml.safe_dump(_definition(REP07={"max": 500}), allow_unicode=True))
    )
    assert created and template.indicator("REP07").maximum() == 500
    assert template.indicator("REP01").maximum() == COUNT_MAX
    field = CellValueField("count", template.indicator("REP07").maximum())
    assert field.deserialize(500).number == 500
    with pytest.raises(ValidationError, match="501 is more than 500"):
        field.deserialize("EST 501")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"unit_max": {"count": 1e9}}, "unit_max needs exactly"),
        ({"unit_max": {"count": -1, "amount": 1, "percent": 1, "years": 1, "days": 1}}, "greater than 0"),
        ({"unit_max": None}, "unit_max"),
        ({"sections": "max on a boolean"}, "numeric units only"),
    ],
)
def test_bad_maxima_in_a_definition_are_refused(db, change, message):
    data = _definition(CAP01={"max": 3}) if change.get("sections") else {**_definition(), **change}
    if data.get("unit_max") is None:
        del data["unit_max"]
    with pytest.raises(ServiceError, match=message):
        template_service.parse_definition(yaml.safe_dump(data, allow_unicode=True))


# --- the largest allowed values through every output ----------------------------------------

BIG = {
    ("REP01", "Women"): COUNT_MAX,
    ("REP01", "Boys"): 0,
    ("REP01", "Girls"): 0,
    ("REP01", "Total"): COUNT_MAX,
    ("REP01O", "Total"): COUNT_MAX,
    ("COM02", "Value"): 36600,
    ("CAP05", "Value"): AMOUNT_MAX,
}
BIG_COUNTRIES = ("KZ", "KG", "TJ", "UZ", "TM", "ID")
QUERY = "indicator=REP01&indicator=COM02&indicator=CAP05&period=2024&period=2025"


@pytest.fixture
def maximal(app, db, accepted_return):
    """Accepted 2024 and 2025 returns with the largest allowed figures from six countries: the
    regional and council totals (up to 6·10⁹ persons, 6·10¹⁵ in money) exceed a single maximum."""
    for period in ("2024", "2025"):
        for country in BIG_COUNTRIES:
            accepted_return(BIG, country, period, notes={"CAP05": "USD"})


def _workbook_numbers(data: bytes) -> list[float]:
    """Every number in every sheet of a workbook."""
    wb = load_workbook(BytesIO(data))
    return [
        v
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    ]


def _no_overflow(text: str) -> None:
    """No "inf" or "nan" as a word in the text, nor in the SVG charts embedded as data URIs
    (decoded first: base64 could hold those letters by chance)."""
    import base64
    import re

    charts = re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", text)
    parts = [re.sub(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", "", text)]
    parts += [base64.b64decode(chart).decode() for chart in charts]
    for part in parts:
        for word in ("inf", "nan"):  # whole words only: "information", "financial" are fine
            assert not re.search(rf"(?<![a-z]){word}(?![a-z])", part.lower()), word


@pytest.mark.parametrize("role", ["secretariat", "delegate"])
def test_comparison_page_api_and_exports_on_the_largest_values(client, login_as, maximal, role):
    user = login_as(role)
    page = client.get(f"/compare/?{QUERY}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    _no_overflow(html)
    assert html.count("data:image/svg+xml;base64,") >= 2  # the charts were drawn
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": "correct-horse-battery"})
    api = client.get(f"/api/v1/comparison?{QUERY}", headers={"Authorization": f"Bearer {token.json['token']}"})
    assert api.status_code == 200
    _no_overflow(api.get_data(as_text=True))
    csv = client.get(f"/compare/export.csv?{QUERY}")
    assert csv.status_code == 200
    _no_overflow(csv.get_data(as_text=True))
    xlsx = client.get(f"/compare/export.xlsx?{QUERY}")
    assert xlsx.status_code == 200
    numbers = _workbook_numbers(xlsx.data)
    assert numbers and all(math.isfinite(v) for v in numbers)
    assert 6 * COUNT_MAX in numbers and 6 * AMOUNT_MAX in numbers  # the council totals, exactly


def test_brief_compile_on_the_largest_values(client, db, login_as, maximal):
    login_as("secretariat")
    meeting = db.session.scalar(select(Meeting).where(Meeting.place == "Astana"))
    response = client.post(
        f"/meetings/{meeting.id}/briefs/new",
        data={
            "title": "Largest values",
            "period": "2025",
            "indicators": ["REP01", "CAP05"],
            "charts": ["bar", "line"],
            "heading_1": "Summary",
            "body_1": "All at the maximum.",
        },
    )
    assert response.status_code == 302
    brief = db.session.scalar(select(Brief))
    assert client.post(f"/meetings/briefs/{brief.id}/compile").status_code == 302
    edition = db.session.scalar(select(BriefEdition))
    _no_overflow(str(edition.snapshot))
    page = client.get(f"/meetings/briefs/{brief.id}")
    assert page.status_code == 200
    _no_overflow(page.get_data(as_text=True))
    xlsx = client.get(f"/meetings/briefs/{brief.id}.xlsx")
    assert xlsx.status_code == 200
    assert all(math.isfinite(v) for v in _workbook_numbers(xlsx.data))
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return
    pdf = client.get(f"/meetings/briefs/{brief.id}.pdf")
    assert pdf.status_code == 200
    _no_overflow(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages))


@pytest.mark.parametrize("values", [[1e308, 1e308], [float("inf"), 3.0], [float("nan"), None]])
def test_charts_draw_non_finite_figures_as_missing(values):
    """Figures stored before the bounds existed (up to 1e308) stack to infinity: the charts
    draw them as missing instead of failing the page."""
    from portal.services.compare import charts

    text = charts.ChartText("en", "no data", "gap")
    for svg in (
        charts.bar_chart(
            ["KZ", "KG"], {"Men": values, "Women": values}, title="t", integer=True, text=text, stacked=True
        ),
        charts.bar_chart(["KZ", "KG"], {"2024": values, "2025": values}, title="t", integer=True, text=text),
        charts.line_chart(["2024", "2025"], {"KZ": values, "KG": [1.0, 2.0]}, title="t", integer=True, text=text),
    ):
        assert "<svg" in svg and (">no data<" in svg or ">gap<" in svg)
        _no_overflow(svg)


def test_the_quality_sweep_flags_figures_stored_before_the_bounds(db, return_setup, create_user):
    """A figure accepted before the bounds existed (1e308) is listed for the secretariat."""
    from datetime import datetime

    from portal.models import Country, ReportingPeriod, Return, ReturnValue
    from portal.services.jobs import tasks

    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.label == "2025"))
    for iso2, total in (("KZ", 1e308), ("KG", 12.0)):
        ret = Return(
            country=db.session.scalar(select(Country).where(Country.iso2 == iso2)), period=period, status="accepted"
        )
        version = ReturnVersion(
            return_=ret,
            number=1,
            template=period.template,
            original_filename="r.xlsx",
            file_sha256="0" * 64,
            stored_path="-",
            completeness=100.0,
            submitted_at=datetime(2026, 2, 1, tzinfo=UTC),
            accepted_at=datetime(2026, 2, 2, tzinfo=UTC),
        )
        version.values += [
            ReturnValue(indicator="REP01", breakdown="Total", number=total),
            ReturnValue(indicator="REP01O", breakdown="Total", number=total),
        ]
        db.session.add(version)
    db.session.commit()
    assert tasks.quality_sweep(datetime(2026, 3, 30, 3, 30, tzinfo=UTC)) == "1 flagged: KZ 2025 v1"


def test_the_excel_template_checks_the_maxima_and_note_length(make_template):
    """Excel refuses an out-of-range entry at once (the server checks again on upload)."""
    wb = load_workbook(BytesIO(make_template()))

    def rule(sheet: str, cell: str):
        return next(dv for dv in wb[sheet].data_validations.dataValidation if cell in dv.sqref)

    count = rule("A Repatriation", "D5")
    assert "D5<=1000000000" in count.formula1 and "1,000,000,000" in count.error
    amount = rule(
        "F Capacity & governance",
        wb["F Capacity & governance"]
        .cell(next(r for r in range(5, 20) if wb["F Capacity & governance"].cell(r, 1).value == "CAP05"), 7)
        .coordinate,
    )
    assert "<=1000000000000000" in amount.formula1
    note = rule("A Repatriation", "O5")
    assert (note.type, note.operator, note.formula1, note.showErrorMessage) == (
        "textLength",
        "lessThanOrEqual",
        "2000",
        True,
    )
    assert "O13" in note.sqref and "O14" not in note.sqref


@pytest.mark.parametrize("length, ok", [(2000, True), (2001, False)])
def test_text_cells_are_bounded_like_notes(length, ok):
    field = CellValueField("text")
    if ok:
        assert field.deserialize("t" * length).text == "t" * length
    else:
        with pytest.raises(ValidationError, match="The text has 2,001 characters; a cell takes at most 2,000."):
            field.deserialize("t" * length)
