"""The template saved as .ods by LibreOffice is accepted exactly like the .xlsx: the same report
(cells, notes, errors and warnings with the same sheet and cell), the same stored values, save
and submit, through the web page and the API, and a marked-up copy (an .xlsx)."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.models import ReturnValue, ReturnVersion
from portal.services import files
from portal.services.returns.markup import ERROR_FILL, WARNING_FILL
from portal.services.returns.validate import validate_upload
from portal.services.xlsx import ODS_MIMETYPE

from . import ods_files
from .conftest import upload, use_token
from .ods_files import GOOD, members, report_of, rezip, versions

# the fixtures
to_ods, filled_ods, template_ods = ods_files.to_ods, ods_files.filled_ods, ods_files.template_ods

CASES = {
    "clean, status codes and a note": (GOOD, {"CAP01": "Plan 2025–2030"}),
    "cell errors": (
        {
            ("REP01", "Men"): "many",  # text in a count cell
            ("REP01", "Women"): -2,
            ("REP01", "Boys"): 9,
            ("REP01", "Total"): 5,  # parts above their total
            ("REP01O", "Total"): "CONF",
            ("COM02", "Value"): 150,
        },
        {"REP01": "n" * 2001},
    ),
    "warnings with and without notes": (
        {
            ("REP01", "Total"): "EST 12",
            ("REP01O", "Total"): 12,
            ("PRS02", "Total"): 20,
            ("PRS03", "Total"): 5,
            ("PRS04", "Total"): 9,  # R5, R6: more than PRS03
            ("CAP01", "Value"): "yes",  # R12: needs a note
        },
        {"PRS04": "nine, as the ministry counts them"},
    ),
}


# --- the same report and the same values --------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_an_ods_gives_the_same_report_as_the_xlsx(app, return_setup, filled, to_ods, case):
    values, notes = CASES[case]
    xlsx = filled(values, notes=notes)
    ods = to_ods(xlsx)
    assert members(ods)["mimetype"] == ODS_MIMETYPE.encode()
    expected, got = report_of(app, xlsx), report_of(app, ods)
    assert got == expected
    assert expected["issues"] if case != "clean, status codes and a note" else expected["cells"]


def test_the_identity_is_read_from_the_document_properties_without_the_meta_sheet(app, return_setup, filled, to_ods):
    """Like docProps/custom.xml in an .xlsx: LibreOffice keeps them as meta.xml user-defined fields."""
    xlsx = filled(GOOD)
    ods = to_ods(xlsx)
    content = members(ods)["content.xml"]
    without = re.sub(rb'<table:table table:name="_meta".*?</table:table>', b"", content, flags=re.S)
    assert without != content and b'table:name="_meta"' not in without
    stripped = rezip(ods, {"content.xml": without})
    assert report_of(app, stripped)["cells"] == report_of(app, xlsx)["cells"]
    assert b"prr_signature" in members(ods)["meta.xml"]


@pytest.mark.parametrize("mode", ["save", "submit"])
def test_an_ods_is_saved_and_submitted_like_the_xlsx(app, client, db, login_as, filled, filled_ods, mode):
    login_as("focal_point", country="KZ")
    values, notes = CASES["clean, status codes and a note"]
    xlsx, ods = filled(values, notes=notes), filled_ods(values, notes=notes)
    response = upload(client, ods, mode=mode, filename="KZ-2025.ods")
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    version = db.session.scalar(select(ReturnVersion))
    assert version.original_filename == "KZ-2025.ods"
    assert files.fetch(version.stored_path) == (ods, ODS_MIMETYPE)  # kept as uploaded, in the database
    assert version.return_.status == ("submitted" if mode == "submit" else "draft")
    stored = {(v.indicator, v.breakdown): (v.number, v.text, v.status, v.note) for v in version.values}
    expected = report_of(app, xlsx)
    assert stored == {
        key: (number, text, status, expected["notes"].get(key[0]))
        for key, (number, text, status, _sheet, _ref) in expected["cells"].items()
    }
    download = client.get(f"/returns/{version.return_id}/versions/{version.number}/file")
    assert download.status_code == 200
    assert download.mimetype == ODS_MIMETYPE
    assert download.data == ods
    assert "filename=PRR-return_KZ_2025_version1.ods" in download.headers["Content-Disposition"]


def test_the_upload_form_offers_xlsx_and_ods(client, login_as):
    login_as("focal_point", country="KZ")
    page = client.get("/returns/upload").get_data(as_text=True)
    accept = re.search(r'<input[^>]*type="file"[^>]*>', page).group(0)
    assert 'accept=".xlsx,.ods,' in accept and ODS_MIMETYPE in accept
    assert "Completed return (.xlsx or .ods)" in page


def test_the_api_takes_an_ods_like_the_xlsx(app, client, db, create_user, filled_ods):
    use_token(client, create_user("focal_point", country="KZ"))
    bad = filled_ods(*CASES["cell errors"])
    refused = client.post("/api/v1/returns", data={"file": (BytesIO(bad), "r.ods")}, content_type="multipart/form-data")
    assert refused.status_code == 422
    got = {(e["sheet"], e["cell"], e["rule"]) for e in refused.json["errors"]}
    assert got == {(i[2], i[3], i[1]) for i in report_of(app, bad)["issues"] if i[0] == "error"} and got
    good = filled_ods(GOOD)
    dry = client.post(
        "/api/v1/returns", data={"file": (BytesIO(good), "r.ods"), "dry_run": "1"}, content_type="multipart/form-data"
    )
    assert dry.status_code == 200 and dry.json["dry_run"] is True and versions(db) == 0
    saved = client.post(
        "/api/v1/returns", data={"file": (BytesIO(good), "r.ods"), "submit": "1"}, content_type="multipart/form-data"
    )
    assert saved.status_code == 201, saved.json
    assert saved.json["status"] == "submitted" and saved.json["country"] == "KZ"
    assert db.session.scalar(select(func.count(ReturnValue.id))) == len(GOOD)


def test_the_marked_up_copy_of_an_ods_is_an_xlsx_with_the_cells_marked(app, client, db, login_as, filled_ods, to_ods):
    login_as("focal_point", country="KZ")
    values, notes = CASES["cell errors"]
    ods = filled_ods({**values, ("CAP01", "Value"): "yes"}, notes=notes)  # + a warning (R12)
    response = upload(client, ods, mode="check", filename="KZ-2025.ods")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-testid="ods-markup-note"' in page
    token = re.search(r'/returns/pending/([0-9a-f]{32})/marked-up\.xlsx"', page).group(1)
    marked = client.get(f"/returns/pending/{token}/marked-up.xlsx")
    assert marked.status_code == 200
    assert "filename=checked_KZ-2025.xlsx" in marked.headers["Content-Disposition"]
    wb = load_workbook(BytesIO(marked.data))
    report = report_of(app, ods)
    marks = {(i[2], i[3]): i[0] for i in report["issues"] if i[0] in ("error", "warning") and i[3]}
    assert any(level == "error" for level in marks.values()) and any(level == "warning" for level in marks.values())
    for (sheet, ref), level in marks.items():
        cell = wb[sheet][ref]
        fill = ERROR_FILL if level == "error" else WARNING_FILL
        assert cell.fill.fgColor.rgb == fill.fgColor.rgb, (sheet, ref)
        assert cell.comment is not None and "PRR portal" in cell.comment.author
    assert wb["A Repatriation"]["D5"].value == "many"  # the user's own input, where it was typed
    unmarked = [c for c in wb["A Repatriation"]["D6:M6"][0] if c.comment is not None]
    assert unmarked == []
    # the copy is the same return: uploaded again it gives the same report, also after LibreOffice
    # opened it and saved it back as .ods
    assert report_of(app, marked.data) == report
    assert report_of(app, to_ods(marked.data)) == report
    assert versions(db) == 0


def test_an_ods_of_another_country_is_refused_like_the_xlsx(client, db, login_as, template_ods):
    login_as("focal_point", country="KG")
    response = upload(client, template_ods, mode="save", filename="KZ.ods")
    assert response.status_code == 403
    assert "This template is for Kazakhstan; you can upload returns for Kyrgyzstan only." in response.get_data(
        as_text=True
    )
    assert versions(db) == 0


def test_an_xlsx_upload_is_still_marked_in_place(client, login_as, filled):
    login_as("focal_point", country="KZ")
    data = filled(CASES["cell errors"][0])
    page = upload(client, data, mode="check").get_data(as_text=True)
    assert 'data-testid="ods-markup-note"' not in page
    token = re.search(r'/returns/pending/([0-9a-f]{32})/marked-up\.xlsx"', page).group(1)
    marked = client.get(f"/returns/pending/{token}/marked-up.xlsx")
    assert "filename=checked_return.xlsx" in marked.headers["Content-Disposition"]
    assert load_workbook(BytesIO(marked.data))["A Repatriation"]["D5"].fill.fgColor.rgb == ERROR_FILL.fgColor.rgb


def test_a_formula_without_a_value_in_an_ods_is_a_cell_error(app, return_setup, template_ods):
    """LibreOffice always stores a formula's result; a script-written .ods may not."""
    content = members(template_ods)["content.xml"]
    # REP01's Men cell (D5) of the first section sheet: 4 → a formula with no value
    changed, n = re.subn(
        rb'(<table:table table:name="A Repatriation".*?<text:p>REP01</text:p>.*?<table:table-cell[^>]*?)'
        rb' office:value-type="float"[^>]*?office:value="4"[^>]*?>(?:<text:p>4</text:p>)?</table:table-cell>',
        rb'\1 table:formula="of:=2+2"/>',
        content,
        count=1,
        flags=re.S,
    )
    assert n == 1
    with app.test_request_context():
        report, _ident = validate_upload(rezip(template_ods, {"content.xml": changed}), None)
    [error] = [e for e in report.errors if e.rule == "FORMULA"]
    assert (error.sheet, error.cell, error.indicator, error.column) == ("A Repatriation", "D5", "REP01", "Men")
