"""Hostile .ods files, and .ods files that are not the council's template, are refused by the
guard (or by the identification) with a clear 400, through the web page and the API, quickly;
the bound on a sheet's extent holds for .xlsx too."""

from __future__ import annotations

import re
import time
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.models import Return
from portal.services.returns import guard
from portal.services.xlsx import ODS_MIMETYPE

from . import ods_files
from .conftest import upload, use_token
from .ods_files import GOOD, members, odf_zip, rezip, versions

# the fixtures
to_ods, filled_ods, template_ods = ods_files.to_ods, ods_files.filled_ods, ods_files.template_ods


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
    content = members(ods)["content.xml"]
    assert old in content
    return rezip(ods, {"content.xml": content.replace(old, new, 1)})


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
    body = members(ods)[part]
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", body)
    body = body.replace(b"</office:", b"&d;</office:", 1)
    return rezip(ods, {part: BOMB_DTD + body})


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
    return odf_zip(
        {"mimetype": ODS_MIMETYPE.encode(), "META-INF/manifest.xml": manifest.encode(), "content.xml": content.encode()}
    )


def _altered_meta(ods: bytes) -> bytes:
    content = members(ods)["content.xml"]
    changed = content.replace(b"<text:p>KZ</text:p>", b"<text:p>KG</text:p>", 1)
    assert changed != content
    return rezip(ods, {"content.xml": changed})


def _forged_signature(ods: bytes) -> bytes:
    content = members(ods)["content.xml"]
    changed, n = re.subn(rb"(<text:p>ey[\w-]+\.)[\w-]+(</text:p>)", rb"\1forged\2", content, count=1)
    assert n == 1
    return rezip(ods, {"content.xml": changed})


def _encrypted(ods: bytes) -> bytes:
    manifest = members(ods)["META-INF/manifest.xml"].replace(
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data '
        b'manifest:checksum-type="SHA1/1K" manifest:checksum="x"/></manifest:file-entry>',
    )
    return rezip(ods, {"META-INF/manifest.xml": manifest})


HOSTILE = {
    "zip bomb (a part compressed 1000:1)": (
        lambda ods: rezip(ods, {"Thumbnails/big.png": b"\0" * (20 * 1024 * 1024)}),
        "compressed suspiciously well (Thumbnails/big.png)",
    ),
    "too many parts": (
        lambda ods: rezip(ods, {f"Pictures/p{i}.png": b"x" for i in range(250)}),
        "too many parts",
    ),
    "a macro in Basic/": (
        lambda ods: rezip(ods, {"Basic/Standard/Module1.xml": b'<?xml version="1.0"?><script:module/>'}),
        "contains macros (LibreOffice Basic or scripts)",
    ),
    "a Python script in Scripts/": (
        lambda ods: rezip(ods, {"Scripts/python/evil.py": b"import os"}),
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
    "an embedded object": (lambda ods: rezip(ods, {"Object 1/content.xml": b"<x/>"}), "embedded objects"),
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
        lambda ods: rezip(ods, {"content.xml": members(ods)["content.xml"][:-300]}),
        "damaged (content.xml cannot be read)",
    ),
    "the manifest missing": (
        lambda ods: rezip(ods, {"META-INF/manifest.xml": None}),
        "damaged (META-INF/manifest.xml cannot be read)",
    ),
    "content.xml missing": (lambda ods: rezip(ods, {"content.xml": None}), "damaged (content.xml cannot be read)"),
    "an encrypted .ods": (_encrypted, "The workbook is encrypted"),
    "an OpenDocument text (.odt)": (
        lambda ods: rezip(ods, {"mimetype": b"application/vnd.oasis.opendocument.text"}),
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


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_or_foreign_ods_files_are_refused_on_the_upload_page(client, db, login_as, template_ods, kind):
    make, message = HOSTILE[kind]
    login_as("focal_point", country="KZ")
    response = upload(client, make(template_ods), mode="save", filename="return.ods")
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400, page[:500]
    assert message in page
    assert versions(db) == 0 and db.session.scalar(select(func.count(Return.id))) == 0


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_or_foreign_ods_files_are_refused_by_the_api(client, db, create_user, template_ods, kind):
    make, message = HOSTILE[kind]
    use_token(client, create_user("focal_point", country="KZ"))
    response = client.post(
        "/api/v1/returns", data={"file": (BytesIO(make(template_ods)), "r.ods")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert message in response.json["error"]["message"]
    assert versions(db) == 0


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


def test_the_guard_leaves_a_real_ods_far_below_its_limits(app, filled, to_ods):
    ods = to_ods(filled(GOOD, notes={code: "ж" * 2000 for code in ("REP01", "REP06", "PRS04", "COM02", "CAP01")}))
    from portal.services.returns import guard_ods

    assert len(members(ods)["content.xml"]) * 10 < guard_ods.MAX_CONTENT_BYTES
    checked = guard.check_upload(ods)
    assert checked.kind == "ods" and "A Repatriation" in checked.sheets and checked.no_value == {}


# --- the same bound on a sheet's extent for .xlsx --------------------------------------------
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
    assert versions(db) == 0


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
