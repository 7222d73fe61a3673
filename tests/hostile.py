"""Hostile and broken files for the upload tests and the benchmark (built in memory)."""

from __future__ import annotations

import warnings
import zipfile
from io import BytesIO

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)
RELS = b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s</Relationships>'
REL = (
    b'<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet%d.xml"/>'
)
WORKBOOK = (
    b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>%s</sheets></workbook>'
)
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
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>&lol3;</sheets></workbook>'
    )
    return workbook([b""], workbook_xml=lol)


def macro_workbook() -> bytes:
    return workbook([b""], extra={"xl/vbaProject.bin": b"\0" * 100})


def plain_zip() -> bytes:
    return _zip({"readme.txt": b"hello"})


def ods() -> bytes:
    return _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
        compression=zipfile.ZIP_STORED,
    )


def legacy_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512


SST = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"%s>%s</sst>'


def big_shared_strings(size_mb: int = 90) -> bytes:
    """A shared-strings part of `size_mb` MB that compresses ~40×, under the zip-bomb ratio
    (as in issue 11: a 2.3 MB upload holding 90 MB of strings)."""
    import random

    rng = random.Random(11)
    filler = b"a" * 180
    count = size_mb * 1024 * 1024 // 200
    body = b"".join(b"<si><t>%08x%s</t></si>" % (rng.getrandbits(32), filler) for _ in range(count))
    return workbook([b""], extra={"xl/sharedStrings.xml": SST % (b' count="%d"' % count, body)})


def many_shared_strings(count: int = 2_000_000, declared: int | None = None) -> bytes:
    """`count` short distinct strings; `declared` is the uniqueCount the part claims (it may lie)."""
    attr = b"" if declared is None else b' uniqueCount="%d"' % declared
    body = b"".join(b"<si><t>%d</t></si>" % i for i in range(count))
    return workbook([b""], extra={"xl/sharedStrings.xml": SST % (attr, body)})


def many_cells(sheets: int = 5, per_sheet: int = 50_000) -> bytes:
    """Cells spread over several sheets, each sheet small enough alone; every <dimension> lies."""
    columns = [bytes([c]) for c in b"ABCDEFGHIJ"]
    rows = b"".join(
        b'<row r="%d">%s</row>' % (r, b"".join(b'<c r="%s%d"><v>1</v></c>' % (col, r) for col in columns))
        for r in range(1, per_sheet // 10 + 1)
    )
    xml = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1"/><sheetData>%s</sheetData></worksheet>' % rows
    )
    return workbook([b""] * sheets, extra={f"xl/worksheets/sheet{i}.xml": xml for i in range(1, sheets + 1)})


def unsafe_member(name: str = "../../../tmp/evil.xml") -> bytes:
    return workbook([b""], extra={name: b"<x/>"})


INLINE = __import__("re").compile(
    rb'(<c\b[^>]*?) t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>', __import__("re").S
)


def _padding_strings(size_mb: float = 0, count: int = 0) -> bytes:
    """Unreferenced <si> entries: `size_mb` MB compressing ~30× and/or `count` short ones."""
    import random

    rng = random.Random(11)
    big = b"".join(
        b"<si><t>%08x%s</t></si>" % (rng.getrandbits(32), b"a" * 180) for _ in range(int(size_mb * 1024 * 1024) // 200)
    )
    return big + b"".join(b"<si><t>p%d</t></si>" % i for i in range(count))


def with_shared_strings(data: bytes, padding_mb: float = 0, padding_count: int = 0) -> bytes:
    """The same workbook with its inline strings moved into xl/sharedStrings.xml, as Excel and
    LibreOffice save it (openpyxl writes strings inline); optionally padded with unused strings
    (a real template that calamine would read, with a hostile text table)."""
    source = zipfile.ZipFile(BytesIO(data))
    strings: dict[bytes, int] = {}

    def shared(match) -> bytes:
        index = strings.setdefault(match.group(3), len(strings))
        return b'%s t="s"%s><v>%d</v></c>' % (match.group(1), match.group(2), index)

    members = {}
    for info in source.infolist():
        body = source.read(info.filename)
        if info.filename.startswith("xl/worksheets/sheet"):
            body = INLINE.sub(shared, body)
        members[info.filename] = body
    used = b"".join(b"<si><t>%s</t></si>" % s for s in strings)
    members["xl/sharedStrings.xml"] = SST % (
        b' count="%d" uniqueCount="%d"' % (len(strings), len(strings)),
        used + _padding_strings(padding_mb, padding_count),
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSst" Target="/xl/sharedStrings.xml" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return _zip(members)


def with_extra_cells(data: bytes, per_sheet: int = 40_000) -> bytes:
    """A real template with `per_sheet` extra numeric cells below the data on every sheet."""
    source = zipfile.ZipFile(BytesIO(data))
    columns = [bytes([c]) for c in b"ABCDEFGHIJ"]
    rows = b"".join(
        b'<row r="%d">%s</row>' % (r, b"".join(b'<c r="%s%d"><v>1</v></c>' % (col, r) for col in columns))
        for r in range(1000, 1000 + per_sheet // 10)
    )
    members = {}
    for info in source.infolist():
        body = source.read(info.filename)
        if info.filename.startswith("xl/worksheets/sheet") and b"</sheetData>" in body:
            body = body.replace(b"</sheetData>", rows + b"</sheetData>", 1)
        members[info.filename] = body
    return _zip(members)


def with_member(data: bytes, name: str = "../../../tmp/evil.xml") -> bytes:
    source = zipfile.ZipFile(BytesIO(data))
    members = {info.filename: source.read(info.filename) for info in source.infolist()}
    members[name] = b"<x/>"
    return _zip(members)


def many_short_strings(count: int = 350_000) -> bytes:
    """Just under the text table's size limit, far over its count: the count is what refuses it."""
    return many_shared_strings(count)


def big_sheets(sheets: int = 19) -> bytes:
    """The costliest file the cell count must stream: sheets just under their size limit
    (~76 MB in all), almost no cells, padded with a comment that compresses ~30×."""
    import random

    rng = random.Random(11)
    filler = b"a" * 180
    padding = b"".join(b"%08x%s" % (rng.getrandbits(32), filler) for _ in range((4 * 1024 * 1024 - 4096) // 188))
    return workbook([b'<row r="1"><c r="A1"><v>1</v></c></row><!--' + padding + b"-->"] * sheets)


def lying_size(data: bytes, member: str, size: int = 1000) -> bytes:
    """The zip with `member`'s uncompressed size rewritten to `size` in its local header and in
    the central directory (a zip's size fields are not checked until the member is inflated)."""
    import struct

    out, name = bytearray(data), member.encode()
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (start := out.find(signature, start)) >= 0:
            length = struct.unpack_from("<H", out, start + name_len_at)[0]
            if bytes(out[start + name_at : start + name_at + length]) == name:
                struct.pack_into("<I", out, start + size_at, size)
            start += 4
    return bytes(out)


def duplicate_member(data: bytes, name: str = "xl/sharedStrings.xml", first: bytes = b"<sst/>") -> bytes:
    """A second member of the same name in front of the real one (zip readers disagree on
    which of the two they open)."""
    import warnings

    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns "Duplicate name": that is the point
        zf.writestr(name, first)
        for info in source.infolist():
            zf.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def many_members(count: int = 10_000) -> bytes:
    """A small workbook with `count` empty extra parts, one of them twice (the duplicate search
    once walked the member list once per name)."""
    out = BytesIO(workbook([b"<sheetData/>"]))
    with zipfile.ZipFile(out, "a") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        for i in range(count):
            zf.writestr(f"x/{i}.xml", b"")
        zf.writestr("x/0.xml", b"")
    return out.getvalue()


def mimetype_bomb(size_mb: int = 120) -> bytes:
    """A `mimetype` part of `size_mb` MB of zeros (about 0.1 % of that on the wire): reading it
    whole to look for "opendocument" would hold it all in memory."""
    out = BytesIO(workbook([b"<sheetData/>"]))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("mimetype", "w") as member:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(size_mb):
            member.write(chunk)
    return out.getvalue()
