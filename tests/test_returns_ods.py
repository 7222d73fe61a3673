"""The template saved as .ods by LibreOffice is accepted exactly like the .xlsx: the same report
(cells, notes, errors and warnings with the same sheet and cell), the same stored values, save
and submit, a marked-up copy; hostile .ods files and .ods files that are not the template are
refused by the guard with clear messages, through the web page and the API."""

from __future__ import annotations

import re
import subprocess
import time
import zipfile
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.models import Return, ReturnValue, ReturnVersion
from portal.services.returns import guard
from portal.services.returns.markup import ERROR_FILL, WARNING_FILL
from portal.services.returns.validate import validate_upload

from .conftest import CI, SOFFICE, upload, use_token

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
GOOD = {
    ("REP01", "Men"): 4,
    ("REP01", "Women"): 1,
    ("REP01", "Boys"): 3,
    ("REP01", "Girls"): 4,
    ("REP01", "Total"): 12,
    ("REP01O", "Syria"): 12,
    ("REP01O", "Total"): 12,
    ("REP06", "Total"): "EST 300",
    ("PRS04", "Total"): "NIL",
    ("COM02", "Value"): 45.5,
    ("CAP01", "Value"): "yes",
}
# Value sets with their notes: clean, with cell errors, with warnings (explained or not).
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


@pytest.fixture
def to_ods(tmp_path):
    """to_ods(xlsx bytes) -> the same workbook saved by LibreOffice as .ods (its own profile)."""
    if SOFFICE is None:
        message = "LibreOffice .ods conversion: soffice not found (make test installs libreoffice-calc-nogui)"
        if CI:
            pytest.fail(message + " (required under CI=true)", pytrace=False)
        pytest.skip(message)

    def run(data: bytes) -> bytes:
        src, out = tmp_path / "in.xlsx", tmp_path / "out"
        src.write_bytes(data)
        subprocess.run(
            [
                SOFFICE,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--convert-to",
                "ods",
                "--outdir",
                str(out),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (out / "in.ods").read_bytes()

    return run


_CONVERTED: dict[tuple, bytes] = {}  # LibreOffice takes seconds per file: each value set is converted once


@pytest.fixture
def filled_ods(app, filled, to_ods):
    """filled_ods(values, notes=None) -> the filled KZ 2025 template saved as .ods by LibreOffice.
    The conversion is kept for the session: the signed identity depends on the secret key only."""

    def factory(values: dict, notes: dict | None = None) -> bytes:
        key = (app.config["SECRET_KEY"], repr(sorted(values.items())), repr(sorted((notes or {}).items())))
        if key not in _CONVERTED:
            _CONVERTED[key] = to_ods(filled(values, notes=notes))
        return _CONVERTED[key]

    return factory


def _report(app, data: bytes):
    with app.test_request_context():
        report, ident = validate_upload(data, None)
        issues = [
            (i.level, i.rule, i.sheet, i.cell, i.indicator, i.column, i.as_dict("en")["message"]) for i in report.issues
        ]
        issues += [("ru", i.as_dict("ru")["message"]) for i in report.issues]
    cells = {key: (c.value.number, c.value.text, c.value.status, c.sheet, c.cell) for key, c in report.cells.items()}
    return {
        "issues": sorted(issues, key=repr),
        "cells": cells,
        "notes": report.notes,
        "completeness": report.completeness,
        "ident": (ident.country.iso2, ident.period.label, ident.template.version),
    }


def _versions(db) -> int:
    return db.session.scalar(select(func.count(ReturnVersion.id)))


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An .ods the way LibreOffice writes one: `mimetype` first and stored, the rest compressed."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body, zipfile.ZIP_STORED if name == "mimetype" else compression)
    return out.getvalue()


def _rezip(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The .ods with members replaced or added (name: bytes), or removed (name: None)."""
    members = _members(data)
    for name, body in changes.items():
        if body is None:
            members.pop(name, None)
        else:
            members[name] = body
    return _zip(members)


# --- the same report and the same values --------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_an_ods_gives_the_same_report_as_the_xlsx(app, return_setup, filled, to_ods, case):
    values, notes = CASES[case]
    xlsx = filled(values, notes=notes)
    ods = to_ods(xlsx)
    assert _members(ods)["mimetype"] == ODS_MIMETYPE.encode()
    expected, got = _report(app, xlsx), _report(app, ods)
    assert got == expected
    assert expected["issues"] if case != "clean, status codes and a note" else expected["cells"]


def test_the_identity_is_read_from_the_document_properties_without_the_meta_sheet(app, return_setup, filled, to_ods):
    """Like docProps/custom.xml in an .xlsx: LibreOffice keeps them as meta.xml user-defined fields."""
    xlsx = filled(GOOD)
    ods = to_ods(xlsx)
    content = _members(ods)["content.xml"]
    without = re.sub(rb'<table:table table:name="_meta".*?</table:table>', b"", content, flags=re.S)
    assert without != content and b'table:name="_meta"' not in without
    stripped = _rezip(ods, {"content.xml": without})
    assert _report(app, stripped)["cells"] == _report(app, xlsx)["cells"]
    assert b"prr_signature" in _members(ods)["meta.xml"]


@pytest.mark.parametrize("mode", ["save", "submit"])
def test_an_ods_is_saved_and_submitted_like_the_xlsx(app, client, db, login_as, filled, filled_ods, mode):
    login_as("focal_point", country="KZ")
    values, notes = CASES["clean, status codes and a note"]
    xlsx, ods = filled(values, notes=notes), filled_ods(values, notes=notes)
    response = upload(client, ods, mode=mode, filename="KZ-2025.ods")
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    version = db.session.scalar(select(ReturnVersion))
    assert version.stored_path.endswith(".ods") and version.original_filename == "KZ-2025.ods"
    assert version.return_.status == ("submitted" if mode == "submit" else "draft")
    stored = {(v.indicator, v.breakdown): (v.number, v.text, v.status, v.note) for v in version.values}
    expected = _report(app, xlsx)
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
    assert got == {(i[2], i[3], i[1]) for i in _report(app, bad)["issues"] if i[0] == "error"} and got
    good = filled_ods(GOOD)
    dry = client.post(
        "/api/v1/returns", data={"file": (BytesIO(good), "r.ods"), "dry_run": "1"}, content_type="multipart/form-data"
    )
    assert dry.status_code == 200 and dry.json["dry_run"] is True and _versions(db) == 0
    saved = client.post(
        "/api/v1/returns", data={"file": (BytesIO(good), "r.ods"), "submit": "1"}, content_type="multipart/form-data"
    )
    assert saved.status_code == 201, saved.json
    assert saved.json["status"] == "submitted" and saved.json["country"] == "KZ"
    assert db.session.scalar(select(func.count(ReturnValue.id))) == len(GOOD)


def test_the_marked_up_copy_of_an_ods_is_an_xlsx_with_the_cells_marked(app, client, db, login_as, filled_ods):
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
    report = _report(app, ods)
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
    # the copy is the same return: uploaded again it gives the same report
    assert _report(app, marked.data) == report
    assert _versions(db) == 0


def test_an_xlsx_upload_is_still_marked_in_place(client, login_as, filled):
    login_as("focal_point", country="KZ")
    data = filled(CASES["cell errors"][0])
    page = upload(client, data, mode="check").get_data(as_text=True)
    assert 'data-testid="ods-markup-note"' not in page
    token = re.search(r'/returns/pending/([0-9a-f]{32})/marked-up\.xlsx"', page).group(1)
    marked = client.get(f"/returns/pending/{token}/marked-up.xlsx")
    assert "filename=checked_return.xlsx" in marked.headers["Content-Disposition"]
    assert load_workbook(BytesIO(marked.data))["A Repatriation"]["D5"].fill.fgColor.rgb == ERROR_FILL.fgColor.rgb


# --- refused -------------------------------------------------------------------------------

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0"'
)
BOMB_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)


def _content_replaced(ods: bytes, old: bytes, new: bytes) -> bytes:
    content = _members(ods)["content.xml"]
    assert old in content
    return _rezip(ods, {"content.xml": content.replace(old, new, 1)})


def _with_rows(ods: bytes, rows: str) -> bytes:
    """The real .ods with an extra sheet holding `rows` (table:table-row elements)."""
    extra = f'<table:table table:name="Extra">{rows}</table:table>'.encode()
    return _content_replaced(ods, b"</office:spreadsheet>", extra + b"</office:spreadsheet>")


def _value_row(repeat_rows: int, repeat_columns: int) -> str:
    return (
        f'<table:table-row table:number-rows-repeated="{repeat_rows}"><table:table-cell office:value-type="float" '
        f'office:value="1" table:number-columns-repeated="{repeat_columns}"/></table:table-row>'
    )


def _entity_bomb_in(ods: bytes, part: str) -> bytes:
    body = _members(ods)[part]
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", body)
    body = body.replace(b"</office:", b"&d;</office:", 1)
    return _rezip(ods, {part: BOMB_DTD + body})


def _plain_ods(sheet: str = "Budget") -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS} office:version="1.3"><office:body>'
        f'<office:spreadsheet><table:table table:name="{sheet}"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>budget</text:p></table:table-cell></table:table-row></table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
        'xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type='
        f'"{ODS_MIMETYPE}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    return _zip(
        {"mimetype": ODS_MIMETYPE.encode(), "META-INF/manifest.xml": manifest.encode(), "content.xml": content.encode()}
    )


def _altered_meta(ods: bytes) -> bytes:
    content = _members(ods)["content.xml"]
    changed = content.replace(b"<text:p>KZ</text:p>", b"<text:p>KG</text:p>", 1)
    assert changed != content
    return _rezip(ods, {"content.xml": changed})


def _forged_signature(ods: bytes) -> bytes:
    content = _members(ods)["content.xml"]
    changed, n = re.subn(rb"(<text:p>ey[\w-]+\.)[\w-]+(</text:p>)", rb"\1forged\2", content, count=1)
    assert n == 1
    return _rezip(ods, {"content.xml": changed})


def _encrypted(ods: bytes) -> bytes:
    manifest = _members(ods)["META-INF/manifest.xml"].replace(
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data '
        b'manifest:checksum-type="SHA1/1K" manifest:checksum="x"/></manifest:file-entry>',
    )
    return _rezip(ods, {"META-INF/manifest.xml": manifest})


HOSTILE = {
    "zip bomb (a part compressed 1000:1)": (
        lambda ods: _rezip(ods, {"Thumbnails/big.png": b"\0" * (20 * 1024 * 1024)}),
        "compressed suspiciously well (Thumbnails/big.png)",
    ),
    "too many parts": (
        lambda ods: _rezip(ods, {f"Pictures/p{i}.png": b"x" for i in range(250)}),
        "too many parts",
    ),
    "a macro in Basic/": (
        lambda ods: _rezip(ods, {"Basic/Standard/Module1.xml": b'<?xml version="1.0"?><script:module/>'}),
        "contains macros (LibreOffice Basic or scripts)",
    ),
    "a Python script in Scripts/": (
        lambda ods: _rezip(ods, {"Scripts/python/evil.py": b"import os"}),
        "contains macros (LibreOffice Basic or scripts)",
    ),
    "an event that runs a macro": (
        lambda ods: _content_replaced(
            ods,
            b"<office:spreadsheet>",
            b'<office:spreadsheet><office:event-listeners><script:event-listener script:language="ooo:script" '
            b'script:event-name="dom:load"/></office:event-listeners>',
        ),
        "contains macros",
    ),
    "an embedded object": (lambda ods: _rezip(ods, {"Object 1/content.xml": b"<x/>"}), "embedded objects"),
    "a sheet linked to another file": (
        lambda ods: _content_replaced(
            ods,
            b'<table:table table:name="Lists"',
            b'<table:table table:name="Linked"><table:table-source xlink:href="file:///etc/passwd" '
            b'xmlns:xlink="http://www.w3.org/1999/xlink"/></table:table><table:table table:name="Lists"',
        ),
        "links to other files",
    ),
    "an entity bomb in content.xml": (lambda ods: _entity_bomb_in(ods, "content.xml"), "unsafe XML (content.xml)"),
    "an entity bomb in meta.xml": (lambda ods: _entity_bomb_in(ods, "meta.xml"), "unsafe XML (meta.xml)"),
    "an entity bomb in styles.xml": (lambda ods: _entity_bomb_in(ods, "styles.xml"), "unsafe XML (styles.xml)"),
    "an entity bomb in settings.xml": (lambda ods: _entity_bomb_in(ods, "settings.xml"), "unsafe XML (settings.xml)"),
    "a value repeated over a million cells": (
        lambda ods: _with_rows(ods, _value_row(1000, 1000)),
        "The sheet 'Extra' has content as far as cell ALL1000,",
    ),
    "one value far away (A1 to XFD1048576)": (
        lambda ods: _with_rows(
            ods,
            '<table:table-row table:number-rows-repeated="1048575"><table:table-cell/></table:table-row>'
            '<table:table-row><table:table-cell table:number-columns-repeated="16383"/>'
            '<table:table-cell office:value-type="float" office:value="1"/></table:table-row>',
        ),
        "The sheet 'Extra' has content as far as cell XFD1048576,",
    ),
    "content.xml over 8 MiB": (
        lambda ods: _with_rows(ods, "".join(f'<table:table-row table:style-name="r{i}"/>' for i in range(300_000))),
        "The part content.xml of the workbook is too large",
    ),
    "100,000 rows written out one by one": (
        lambda ods: _with_rows(ods, "".join(f'<table:table-row table:style-name="r{i}"/>' for i in range(100_000))),
        "elements (cells, rows, texts, styles)",
    ),
    "content.xml damaged": (
        lambda ods: _rezip(ods, {"content.xml": _members(ods)["content.xml"][:-300]}),
        "damaged (content.xml cannot be read)",
    ),
    "the manifest missing": (
        lambda ods: _rezip(ods, {"META-INF/manifest.xml": None}),
        "damaged (META-INF/manifest.xml cannot be read)",
    ),
    "content.xml missing": (lambda ods: _rezip(ods, {"content.xml": None}), "damaged (content.xml cannot be read)"),
    "an encrypted .ods": (_encrypted, "The workbook is encrypted"),
    "an OpenDocument text (.odt)": (
        lambda ods: _rezip(ods, {"mimetype": b"application/vnd.oasis.opendocument.text"}),
        "OpenDocument file but not a spreadsheet (.ods)",
    ),
    "21 sheets": (
        lambda ods: _content_replaced(
            ods,
            b"</office:spreadsheet>",
            b"".join(b'<table:table table:name="S%d"/>' % i for i in range(12)) + b"</office:spreadsheet>",
        ),
        "The workbook has 21 sheets; the PRR return has at most 20.",
    ),
    # not the template
    "an .ods that is not the template": (lambda ods: _plain_ods(), "not the council's PRR return template"),
    "an .ods with the _meta altered": (_altered_meta, "identification (_meta) has been altered"),
    "an .ods with a forged signature": (_forged_signature, "has been altered or comes from another portal"),
}


@pytest.fixture
def template_ods(filled_ods):
    return filled_ods(GOOD)


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_or_foreign_ods_files_are_refused_on_the_upload_page(client, db, login_as, template_ods, kind):
    make, message = HOSTILE[kind]
    login_as("focal_point", country="KZ")
    response = upload(client, make(template_ods), mode="save", filename="return.ods")
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400, page[:500]
    assert message in page
    assert _versions(db) == 0 and db.session.scalar(select(func.count(Return.id))) == 0


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_or_foreign_ods_files_are_refused_by_the_api(client, db, create_user, template_ods, kind):
    make, message = HOSTILE[kind]
    use_token(client, create_user("focal_point", country="KZ"))
    response = client.post(
        "/api/v1/returns", data={"file": (BytesIO(make(template_ods)), "r.ods")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert message in response.json["error"]["message"]
    assert _versions(db) == 0


@pytest.mark.parametrize(
    "kind",
    [
        "a value repeated over a million cells",
        "one value far away (A1 to XFD1048576)",
        "content.xml over 8 MiB",
        "100,000 rows written out one by one",
    ],
)
def test_hostile_ods_files_are_refused_quickly(app, template_ods, kind):
    data = HOSTILE[kind][0](template_ods)
    started = time.perf_counter()
    with pytest.raises(guard.UploadRejected):
        guard.check_upload(data)
    assert time.perf_counter() - started < 1.0


def test_a_formula_without_a_value_in_an_ods_is_a_cell_error(app, return_setup, template_ods):
    """LibreOffice always stores a formula's result; a script-written .ods may not."""
    content = _members(template_ods)["content.xml"]
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
        report, _ident = validate_upload(_rezip(template_ods, {"content.xml": changed}), None)
    [error] = [e for e in report.errors if e.rule == "FORMULA"]
    assert (error.sheet, error.cell, error.indicator, error.column) == ("A Repatriation", "D5", "REP01", "Men")


def test_the_guard_leaves_a_real_ods_far_below_its_limits(app, filled, to_ods):
    ods = to_ods(filled(GOOD, notes={code: "ж" * 2000 for code in ("REP01", "REP06", "PRS04", "COM02", "CAP01")}))
    from portal.services.returns import guard_ods

    assert len(_members(ods)["content.xml"]) * 10 < guard_ods.MAX_CONTENT_BYTES
    checked = guard.check_upload(ods)
    assert checked.kind == "ods" and "A Repatriation" in checked.sheets and checked.no_value == {}


# --- the same bound on a sheet's extent for .xlsx --------------------------------------------


def _far_in_template(data: bytes) -> bytes:
    wb = load_workbook(BytesIO(data))
    wb["A Repatriation"]["XFD1048576"] = 1
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _far_in_a_plain_workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "A Repatriation"
    wb.active["A1"] = 1
    wb.active["ZZ2000"] = 1  # 702 × 2,000 cells for calamine: 1.4 million
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "kind, expected",
    [("template", "XFD1048576"), ("plain workbook", "ZZ2000")],
)
def test_two_cells_far_apart_are_refused_in_an_xlsx_too(app, client, db, login_as, filled, kind, expected):
    """Only two cells, but calamine would allocate every cell between them (A1 to XFD1048576:
    17 billion); the guard measures the sheet's extent, quickly."""
    login_as("focal_point", country="KZ")
    data = _far_in_template(filled(GOOD)) if kind == "template" else _far_in_a_plain_workbook()
    started = time.perf_counter()
    with pytest.raises(guard.UploadRejected):
        guard.check_upload(data)
    assert time.perf_counter() - started < 1.0
    response = upload(client, data, mode="save")
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert f"The sheet 'A Repatriation' has content as far as cell {expected}," in page
    assert _versions(db) == 0


def test_a_return_with_styled_empty_rows_is_within_the_extent(app, filled):
    """Styled empty cells over 1,000 rows × 26 columns on every section sheet still pass."""
    wb = load_workbook(BytesIO(filled(GOOD)))
    for ws in wb.worksheets[2:8]:
        for row in ws.iter_rows(min_row=1, max_row=1000, max_col=26):
            for cell in row:
                cell.number_format = "0"
    out = BytesIO()
    wb.save(out)
    checked = guard.check_upload(out.getvalue())
    assert checked.kind == "xlsx" and "A Repatriation" in checked.sheets
