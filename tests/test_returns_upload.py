"""Uploading returns through the web: every kind of bad file gets a clear 4xx and stores nothing."""

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.models import ReturnValue, ReturnVersion

from . import hostile
from .conftest import upload


def _versions(db) -> int:
    return db.session.scalar(select(func.count(ReturnVersion.id)))


def _unrelated() -> bytes:
    wb = Workbook()
    wb.active["A1"] = "budget"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


FILES = {
    "text": (lambda: b"just some text", 400, "not an Excel workbook"),
    "pdf": (lambda: b"%PDF-1.7\n%...", 400, "This is a PDF document"),
    "empty": (lambda: b"", 400, "The file is empty."),
    "zip that is not a workbook": (hostile.plain_zip, 400, "This zip archive is not an Excel workbook"),
    "zip bomb": (hostile.zip_bomb, 400, "would unpack to"),
    "entity expansion": (hostile.entity_expansion, 400, "unsafe XML"),
    "legacy xls": (hostile.legacy_xls, 400, "old-format Excel file (.xls)"),
    "ods without a manifest": (hostile.ods, 400, "damaged (META-INF/manifest.xml cannot be read)"),
    "xlsm with macros": (hostile.macro_workbook, 400, "contains macros"),
    "200k rows": (hostile.many_rows, 400, "is too large"),
    "300 sheets": (hostile.many_sheets, 400, "300 sheets"),
    "unrelated workbook": (_unrelated, 400, "not the council&#39;s PRR return template"),
}


@pytest.mark.parametrize("kind", list(FILES))
def test_unusable_files_are_refused(client, db, login_as, return_setup, kind):
    make, status, message = FILES[kind]
    login_as("focal_point", country="KZ")
    response = upload(client, make(), mode="save")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _versions(db) == 0


def test_truncated_file(client, db, login_as, make_template):
    login_as("focal_point", country="KZ")
    data = make_template()
    response = upload(client, data[: len(data) // 2], mode="save")
    assert response.status_code == 400
    assert "damaged or incomplete" in response.get_data(as_text=True)
    assert _versions(db) == 0


def test_too_large_is_413(app, client, login_as, return_setup):
    login_as("focal_point", country="KZ")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = upload(client, b"PK" + b"\0" * 5000)
    assert response.status_code == 413


def test_tampered_meta(client, db, login_as, make_template):
    login_as("focal_point", country="KZ")
    wb = load_workbook(BytesIO(make_template("KZ")))
    wb["_meta"]["B2"] = "KG"
    out = BytesIO()
    wb.save(out)
    response = upload(client, out.getvalue(), mode="save")
    assert response.status_code == 400
    assert "identification (_meta) has been altered" in response.get_data(as_text=True)
    assert _versions(db) == 0


def test_another_countrys_template(client, db, login_as, make_template):
    login_as("focal_point", country="KZ")
    response = upload(client, make_template("KG"), mode="save")
    assert response.status_code == 403
    assert "This template is for Kyrgyzstan; you can upload returns for Kazakhstan only." in response.get_data(
        as_text=True
    )


def test_closed_period(client, db, login_as, make_template):
    login_as("focal_point", country="KZ")
    response = upload(client, make_template("KZ", "2023"), mode="save")
    assert response.status_code == 409
    assert "The reporting period 2023 is closed" in response.get_data(as_text=True)
    assert _versions(db) == 0


@pytest.mark.parametrize(
    "values, cell, message",
    [
        ({("REP01", "Men"): "many"}, "D5", "“many” is not a number or a status code"),
        ({("REP01", "Men"): -3, ("REP01", "Total"): 0}, "D5", "-3 is negative"),
        ({("REP01", "Men"): 5, ("REP01", "Total"): 3}, "M5", "The parts add up to 5, more than the Total 3."),
        ({("REP01", "Men"): "NIL 4", ("REP01", "Total"): 4}, "D5", "A status code and a number in the same cell"),
        ({("REP01", "Men"): "=2+2", ("REP01", "Total"): 4}, "D5", "formula without a calculated value"),
    ],
)
def test_cell_errors_name_sheet_and_cell(client, db, login_as, filled, values, cell, message):
    login_as("focal_point", country="KZ")
    response = upload(client, filled(values), mode="save")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"&#39;A Repatriation&#39;!{cell}" in page
    assert message in page
    assert _versions(db) == 0


def test_round_trip_stores_what_was_filled(client, db, login_as, filled):
    login_as("focal_point", country="KZ")
    values = {
        ("REP01", "Men"): 4,
        ("REP01", "Women"): 1,
        ("REP01", "Boys"): 3,
        ("REP01", "Girls"): 4,
        ("REP01", "Total"): 12,
        ("REP01O", "Syria"): 12,
        ("REP01O", "Total"): 12,
        ("REP06", "Total"): "EST 300",
        ("PRS04", "Total"): "NIL",
        ("CUS01", "Total"): "CONF",
        ("COM02", "Value"): 45.5,
        ("CAP01", "Value"): "yes",
        ("CAP05", "Value"): 125000,
    }
    notes = {"REP01": "Zhusan stage 5 (bg 002)", "CAP01": "State Programme 2018–2022", "CAP05": "KZT"}
    response = upload(client, filled(values, notes), mode="save")
    assert response.status_code == 302
    stored = {(v.indicator, v.breakdown): (v.number, v.status, v.note) for v in db.session.scalars(select(ReturnValue))}
    assert stored[("REP01", "Total")] == (12.0, None, "Zhusan stage 5 (bg 002)")
    assert stored[("REP06", "Total")] == (300.0, "EST", None)
    assert stored[("PRS04", "Total")] == (None, "NIL", None)
    assert stored[("CUS01", "Total")] == (None, "CONF", None)
    assert stored[("COM02", "Value")] == (45.5, None, None)
    assert stored[("CAP01", "Value")] == (1.0, None, "State Programme 2018–2022")
    assert stored[("CAP05", "Value")] == (125000.0, None, "KZT")
    assert len(stored) == len(values)  # blanks are not stored: not reported is not zero
    version = db.session.scalar(select(ReturnVersion))
    assert version.number == 1 and version.uploaded_by.country.iso2 == "KZ"
    assert len(version.file_sha256) == 64


def test_dry_run_saves_nothing_and_offers_marked_up_workbook(client, db, login_as, filled):
    login_as("focal_point", country="KZ")
    response = upload(client, filled({("REP01", "Men"): 5, ("REP01", "Total"): 3}), mode="check")
    assert response.status_code == 422
    import re

    token = re.search(r"/returns/pending/([0-9a-f]{32})/marked-up.xlsx", response.get_data(as_text=True)).group(1)
    marked = client.get(f"/returns/pending/{token}/marked-up.xlsx")
    assert marked.status_code == 200
    ws = load_workbook(BytesIO(marked.data))["A Repatriation"]
    assert "The parts add up to 5, more than the Total 3." in ws["M5"].comment.text
    assert ws["M5"].fill.fgColor.rgb.endswith("F4B6B6")
    assert _versions(db) == 0


def test_check_then_save_the_same_file(client, db, login_as, filled):
    login_as("focal_point", country="KZ")
    response = upload(client, filled({("REP01", "Total"): 3}), mode="check")
    assert response.status_code == 200 and "Preview of the values read" in response.get_data(as_text=True)
    import re

    token = re.search(r'/returns/pending/([0-9a-f]{32})"', response.get_data(as_text=True)).group(1)
    saved = client.post(f"/returns/pending/{token}", data={"mode": "submit"})
    assert saved.status_code == 302
    version = db.session.scalar(select(ReturnVersion))
    assert version.submitted_at is not None and version.return_.status == "submitted"


def test_cell_text_is_escaped_in_the_report(client, login_as, filled):
    login_as("focal_point", country="KZ")
    response = upload(client, filled({("REP01", "Men"): "<script>alert(1)</script>"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
