"""The upload guard for LibreOffice's own format, the OpenDocument spreadsheet (.ods).

An .ods is a zip too: a `mimetype` member, META-INF/manifest.xml, content.xml (every sheet),
meta.xml (the document properties), styles.xml and settings.xml, and for macros Basic/ or
Scripts/. The limits are the .xlsx ones (guard.py); what differs is where cells are: all
sheets are in content.xml, and one cell element may stand for many cells
(`table:number-columns-repeated`, `table:number-rows-repeated`). LibreOffice writes the empty
rest of every sheet that way; calamine skips empty cells but allocates every cell of the
rectangle from A1 to the last cell with a value, so that rectangle is what is counted (MAX_AREA,
as for the .xlsx sheets).

content.xml is parsed as a stream (defusedxml, no entities, no DTD), inflating at most
MAX_CONTENT_BYTES; the small parts are parsed whole, each capped by its declared size."""

from __future__ import annotations

import re
import zipfile
import zlib
from io import BytesIO

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from flask_babel import lazy_gettext as _l
from openpyxl.utils import get_column_letter

from ..xlsx import ODS_MIMETYPE
from .guard import (
    FORBIDDEN,
    MAX_AREA,
    MAX_COLUMNS,
    MAX_MEMBERS,
    MAX_SHEET_BYTES,
    MAX_SHEETS,
    CheckedWorkbook,
    UploadRejected,
    _count,
    _head,
    _parse_xml,
    check_sizes,
    too_far,
)

MAX_CONTENT_BYTES = 2 * MAX_SHEET_BYTES  # every sheet in one part; a filled return's is ~150 KB
MAX_PART_BYTES = MAX_SHEET_BYTES  # meta.xml, styles.xml, settings.xml, the manifest
SMALL_PARTS = ("META-INF/manifest.xml", "meta.xml", "styles.xml", "settings.xml")
# Elements of content.xml (cells, rows, paragraphs, styles): a filled return has ~3,000. They are
# counted with a regular expression first; only then is the part parsed, element by element.
MAX_CONTENT_ELEMENTS = 50_000
ELEMENT_TAG = re.compile(rb"<[A-Za-z_]")
MAX_FORMULAS_REPORTED = 1000
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
SCRIPT = "{urn:oasis:names:tc:opendocument:xmlns:script:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
CELLS = (f"{TABLE}table-cell", f"{TABLE}covered-table-cell")
MACROS = _l(
    "The spreadsheet contains macros (LibreOffice Basic or scripts). Remove them, or save the file as an Excel "
    "workbook without macros (.xlsx), and upload it again."
)
EXTERNAL = dict(FORBIDDEN)["xl/externalLinks/"]
EMBEDDED = dict(FORBIDDEN)["xl/embeddings/"]
# Elements of content.xml refused like their .xlsx counterparts.
REFUSED = {
    f"{SCRIPT}event-listener": MACROS,  # a cell, sheet or form event that runs a macro
    f"{OFFICE}event-listeners": MACROS,
    f"{TABLE}table-source": EXTERNAL,  # a sheet linked to another file
    f"{TABLE}cell-range-source": EXTERNAL,
    f"{OFFICE}dde-source": EXTERNAL,
    f"{TABLE}dde-link": EXTERNAL,
    f"{DRAW}object": EMBEDDED,
    f"{DRAW}object-ole": EMBEDDED,
    f"{DRAW}applet": EMBEDDED,
    f"{DRAW}plugin": EMBEDDED,
}
FORBIDDEN_ODS = (("Basic/", MACROS), ("Scripts/", MACROS), ("Object ", EMBEDDED), ("ObjectReplacements/", EMBEDDED))


def is_ods(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """An OpenDocument file of any kind (its `mimetype` member names one)."""
    return "mimetype" in names and b"opendocument" in _head(zf, "mimetype")


def kind_of(data: bytes) -> str:
    """ "ods" or "xlsx": the format of an upload the guard has let through."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            return "ods" if is_ods(zf, set(zf.namelist())) else "xlsx"
    except (zipfile.BadZipFile, ValueError):
        return "xlsx"


def check_ods(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Refuse anything that is not a plain, reasonably sized .ods spreadsheet; returns its sheets
    (name -> "content.xml") and, per sheet, the cells holding a formula without a value."""
    if _head(zf, "mimetype").strip() != ODS_MIMETYPE.encode():
        raise UploadRejected(
            _l(
                "This is an OpenDocument file but not a spreadsheet (.ods). Upload the template you downloaded "
                "from the portal, saved as .xlsx or .ods."
            )
        )
    names = {i.filename for i in infos}
    if any(i.flag_bits & 0x1 for i in infos):
        raise UploadRejected(_l("The workbook is encrypted. Remove the password and upload it again."))
    for prefix, message in FORBIDDEN_ODS:
        if any(n.startswith(prefix) for n in names):
            raise UploadRejected(message)
    check_sizes(infos)
    if len(infos) > MAX_MEMBERS:
        raise UploadRejected(_l("The workbook has too many parts (%(n)d) to be the PRR return.", n=len(infos)))
    sizes = {i.filename: i.file_size for i in infos}
    for part in SMALL_PARTS:
        if part in sizes:
            manifest = _parse_xml(_read(zf, part, MAX_PART_BYTES), part)
            if part == SMALL_PARTS[0] and next(manifest.iter(f"{MANIFEST}encryption-data"), None) is not None:
                raise UploadRejected(_l("The workbook is encrypted. Remove the password and upload it again."))
    for part in ("META-INF/manifest.xml", "content.xml"):  # what every .ods has, and calamine needs
        if part not in sizes:
            raise _damaged(part)
    elements = _count(zf, "content.xml", ELEMENT_TAG, MAX_CONTENT_BYTES)
    if elements > MAX_CONTENT_ELEMENTS:
        raise UploadRejected(
            _l(
                "The spreadsheet's content (content.xml) has %(n)s elements (cells, rows, texts, styles); a filled "
                "PRR return has a few thousand. Remove the extra rows, columns or sheets and upload it again.",
                n=f"{elements:,}",
            )
        )
    return _scan_content(zf)


def _too_large(part: str) -> UploadRejected:
    return UploadRejected(
        _l("The part %(part)s of the workbook is too large for the PRR return; it was refused.", part=part)
    )


def _damaged(part: str) -> UploadRejected:
    return UploadRejected(_l("The workbook is damaged (%(part)s cannot be read).", part=part))


def _read(zf: zipfile.ZipFile, part: str, limit: int) -> bytes:
    """A whole small part, never inflating more than `limit` bytes (a lying size fails the CRC)."""
    try:
        with zf.open(part) as member:
            raw = member.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise _damaged(part) from None
    if len(raw) > limit:
        raise _too_large(part)
    return raw


class _Bounded:
    """A zip member read as a stream that stops at `limit` inflated bytes."""

    def __init__(self, stream, part: str, limit: int):
        self.stream, self.part, self.left = stream, part, limit

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(65536 if size is None or size < 0 else size)
        self.left -= len(chunk)
        if self.left < 0:
            raise _too_large(self.part)
        return chunk


def _repeat(element, name: str) -> int:
    try:
        return max(int(element.get(f"{TABLE}{name}", "1")), 1)
    except ValueError:
        raise _damaged("content.xml") from None


def _scan_content(zf: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, set[str]]]:
    sheets: dict[str, str] = {}
    no_value: dict[str, set[str]] = {}
    done = 0  # cells of the finished sheets
    sheet = ""
    row = col = rows_here = 0
    last_row = last_col = -1  # the last row and column of the current sheet with a value
    try:
        with zf.open("content.xml") as member:
            for event, element in SafeET.iterparse(
                _Bounded(member, "content.xml", MAX_CONTENT_BYTES), events=("start", "end")
            ):
                tag = element.tag
                if event == "start":
                    if tag == f"{TABLE}table":
                        sheet = element.get(f"{TABLE}name", "")
                        sheets[sheet] = "content.xml"
                        if len(sheets) > MAX_SHEETS:
                            raise UploadRejected(
                                _l(
                                    "The workbook has %(n)d sheets; the PRR return has at most %(max)d.",
                                    n=len(sheets),
                                    max=MAX_SHEETS,
                                )
                            )
                        row, last_row, last_col = 0, -1, -1
                    elif tag == f"{TABLE}table-row":
                        rows_here, col = _repeat(element, "number-rows-repeated"), 0
                    elif tag in REFUSED:
                        raise UploadRejected(REFUSED[tag])
                    continue
                if tag in CELLS:
                    repeat = _repeat(element, "number-columns-repeated")
                    if element.get(f"{OFFICE}value-type") is not None or len(element):
                        last_row, last_col = max(last_row, row + rows_here - 1), max(last_col, col + repeat - 1)
                        if done + (last_row + 1) * (last_col + 1) > MAX_AREA:
                            raise too_far(sheet, last_row + 1, last_col + 1)
                    elif element.get(f"{TABLE}formula") is not None:
                        _formula(no_value.setdefault(sheet, set()), row, col, rows_here, repeat)
                    col += repeat
                    element.clear()
                elif tag == f"{TABLE}table-row":
                    row += rows_here
                    element.clear()
                elif tag == f"{TABLE}table":
                    done += (last_row + 1) * (last_col + 1)
                    element.clear()
    except DefusedXmlException:
        raise UploadRejected(
            _l("The workbook contains unsafe XML (%(part)s) and was refused.", part="content.xml")
        ) from None
    except (SafeET.ParseError, zipfile.BadZipFile, zlib.error, EOFError):
        raise _damaged("content.xml") from None
    return sheets, no_value


def _formula(refs: set[str], row: int, col: int, rows: int, columns: int) -> None:
    """A formula cell without a calculated value (written by a script, not by LibreOffice)."""
    for r in range(row, row + min(rows, MAX_FORMULAS_REPORTED)):
        for c in range(col, min(col + columns, col + MAX_FORMULAS_REPORTED, MAX_COLUMNS)):
            if len(refs) < MAX_FORMULAS_REPORTED:
                refs.add(f"{get_column_letter(c + 1)}{r + 1}")


def checked_ods(data: bytes, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> CheckedWorkbook:
    sheets, no_value = check_ods(zf, infos)
    return CheckedWorkbook(data=data, sheets=sheets, kind="ods", no_value=no_value)
