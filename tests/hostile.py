"""Hostile and broken files for the upload tests and the benchmark (built in memory)."""
from __future__ import annotations

import zipfile
from io import BytesIO

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="xml" ContentType="application/xml"/></Types>')
RELS = b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s</Relationships>'
REL = b'<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>'
WORKBOOK = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>%s</sheets></workbook>')
SHEET_REF = b'<sheet name="Sheet%d" sheetId="%d" r:id="rId%d"/>'
SHEET = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>'


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def workbook(sheets: list[bytes], extra: dict[str, bytes] | None = None, workbook_xml: bytes | None = None) -> bytes:
    n = len(sheets)
    members = {
        "[Content_Types].xml": CONTENT_TYPES,
        "xl/workbook.xml": workbook_xml or WORKBOOK % b"".join(SHEET_REF % (i, i, i) for i in range(1, n + 1)),
        "xl/_rels/workbook.xml.rels": RELS % b"".join(REL % (i, i) for i in range(1, n + 1)),
    }
    for i, body in enumerate(sheets, start=1):
        members[f"xl/worksheets/sheet{i}.xml"] = SHEET % body
    members.update(extra or {})
    return _zip(members)


def many_rows(rows: int = 200_000) -> bytes:
    body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, rows + 1))
    return workbook([body])


def many_sheets(count: int = 300) -> bytes:
    return workbook([b""] * count)


def zip_bomb(size_mb: int = 200) -> bytes:
    return workbook([b""], extra={"xl/worksheets/sheet2.xml": b"\0" * (size_mb * 1024 * 1024)})


def entity_expansion() -> bytes:
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
           b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>&lol3;</sheets></workbook>')
    return workbook([b""], workbook_xml=lol)


def macro_workbook() -> bytes:
    return workbook([b""], extra={"xl/vbaProject.bin": b"\0" * 100})


def plain_zip() -> bytes:
    return _zip({"readme.txt": b"hello"})


def ods() -> bytes:
    return _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
                compression=zipfile.ZIP_STORED)


def legacy_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
