"""Checks on an uploaded file *before* any spreadsheet library parses it.

Cheap and bounded: the zip directory and two small XML parts are parsed; the shared-strings
part and the sheets (each already capped by its declared size) are only streamed through to
count their strings and cells. A hostile file (zip bomb, huge sheet or string table,
traversal names, macros, entity expansion) is refused in milliseconds.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from flask_babel import lazy_gettext as _l
from openpyxl.utils import column_index_from_string, get_column_letter

from ..errors import ServiceError

MAX_MEMBERS = 200
MAX_SHEETS = 20
MAX_TOTAL_UNCOMPRESSED = 100 * 1024 * 1024
MAX_SHEET_BYTES = 4 * 1024 * 1024  # a filled template's sheet is ~50 KB
MAX_RATIO = 100  # compression ratio of a large member
# A filled return (47 indicators, 9 sheets) has ~730 cells and, when Excel or LibreOffice saved
# it, a shared-strings part under 0.5 MB even with a 2,000-character note on every row. The
# limits leave room for files that write styled empty cells over 1,000-row ranges on every
# sheet (Google Sheets, whole-column formats), and stay where calamine reads quickly (bench/returns.py).
MAX_SHARED_STRINGS_BYTES = 8 * 1024 * 1024
MAX_SHARED_STRINGS = 20_000
MAX_CELLS = 200_000  # summed over all sheets, counted in the sheet XML
# Summed over all sheets, the rectangles from A1 to the last cell each sheet names (what calamine
# allocates: ~50 MB for 500,000 cells). The return's sheets are ~15 × 15; styled empty cells over
# 1,000 rows × 26 columns on every sheet (Google Sheets) stay below.
MAX_AREA = 500_000
MAX_COLUMNS = 16384  # XFD
CHUNK = 1024 * 1024
SHARED_STRINGS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
STRING_TAG = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
CELL_REF = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)\s[^>]*?\br\s*=\s*[\"']\s*([A-Z]{0,3})(\d{1,9})")
UNIQUE_COUNT = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*?\buniqueCount\s*=\s*[\"']\s*(\d+)")
DRIVE = re.compile(r"^[A-Za-z]:")
FORBIDDEN = (
    (
        "xl/vbaProject.bin",
        _l("The workbook contains macros (.xlsm). Save it as an Excel workbook without macros (.xlsx)."),
    ),
    ("xl/externalLinks/", _l("The workbook links to other files. Remove the external links and upload it again.")),
    ("xl/embeddings/", _l("The workbook contains embedded objects. Remove them and upload it again.")),
    ("xl/activeX/", _l("The workbook contains ActiveX controls. Remove them and upload it again.")),
)
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class UploadRejected(ServiceError):
    """The file is not a usable workbook (400), or too large (413)."""


@dataclass
class CheckedWorkbook:
    data: bytes
    sheets: dict[str, str]  # sheet name -> zip part (xl/worksheets/sheetN.xml; content.xml in an .ods)
    kind: str = "xlsx"  # or "ods" (guard_ods.py)
    # .ods only: per sheet, the cells with a formula but no value, found while the guard scanned content.xml
    no_value: dict[str, set[str]] = field(default_factory=dict)

    def part(self, name: str) -> bytes:
        with zipfile.ZipFile(BytesIO(self.data)) as zf:
            return zf.read(name)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def _sniff(data: bytes) -> None:
    if not data:
        raise UploadRejected(_l("The file is empty."))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UploadRejected(
            _l(
                "This is an old-format Excel file (.xls) or a password-protected workbook. "
                "Remove any password and save it as an Excel workbook (.xlsx)."
            )
        )
    if data[:5] == b"%PDF-":
        raise UploadRejected(_l("This is a PDF document, not an Excel workbook (.xlsx)."))
    if data[:2] != b"PK":
        raise UploadRejected(
            _l("This is not an Excel workbook (.xlsx). Upload the template you downloaded from the portal.")
        )


def _parse_xml(raw: bytes, what: str):
    try:
        return SafeET.fromstring(raw)
    except DefusedXmlException:
        raise UploadRejected(_l("The workbook contains unsafe XML (%(part)s) and was refused.", part=what)) from None
    except SafeET.ParseError:
        raise UploadRejected(_l("The workbook is damaged (%(part)s cannot be read).", part=what)) from None


def _head(zf: zipfile.ZipFile, name: str, size: int = 100) -> bytes:
    """The first bytes of a member, without inflating the rest of it."""
    with zf.open(name) as member:
        return member.read(size)


def _unsafe_name(info: zipfile.ZipInfo) -> bool:
    """A member name that could leave the archive's folder when unpacked or served back:
    `..`, an absolute path, a drive letter, a backslash or a NUL byte."""
    name = info.orig_filename
    return ".." in name or name.startswith("/") or bool(DRIVE.match(name)) or "\\" in name or "\0" in name


def _count(zf: zipfile.ZipFile, part: str, tag: re.Pattern, max_bytes: int) -> int:
    """Occurrences of `tag` in a zip member, streamed in 1 MiB chunks; never more than
    max_bytes are inflated (a member that inflates past its declared size fails the CRC)."""
    found = 0

    def add(matches: list) -> None:
        nonlocal found
        found += len(matches)

    _scan(zf, part, tag, max_bytes, add)
    return found


def _scan(zf: zipfile.ZipFile, part: str, tag: re.Pattern, max_bytes: int, seen: Callable[[list], None]) -> None:
    """`seen(tag.findall(…))` for each stretch of a zip member, streamed as `_count` says."""
    carry, size = b"", 0
    try:
        with zf.open(part) as stream:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRejected(
                        _l(
                            "The part %(part)s of the workbook is too large for the PRR return; it was refused.",
                            part=part,
                        )
                    )
                buffer = carry + chunk
                cut = buffer.rfind(b"<")
                if cut < 0:
                    carry = b""
                    continue
                seen(tag.findall(buffer, 0, cut))
                carry = buffer[cut:]
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise UploadRejected(_l("The workbook is damaged (%(part)s cannot be read).", part=part)) from None
    seen(tag.findall(carry))


def _extent(zf: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """The last row and column (1-based) any cell or row of a sheet names. calamine holds the
    whole rectangle from A1 to there in memory, so two cells, A1 and XFD1048576, would cost it
    17 billion: the cell count alone does not bound it."""
    last = [0, 0]

    def see(refs: list) -> None:
        for letters, digits in refs:
            last[0] = max(last[0], int(digits))
            if letters:
                last[1] = max(last[1], column_index_from_string(letters.decode()))

    _scan(zf, part, CELL_REF, MAX_SHEET_BYTES, see)
    return last[0], last[1]


def too_far(sheet: str, row: int, column: int) -> UploadRejected:
    return UploadRejected(
        _l(
            "The sheet '%(sheet)s' has content as far as cell %(cell)s, far outside the PRR return's cells. Delete "
            "what is typed or formatted there and upload it again.",
            sheet=sheet,
            cell=f"{get_column_letter(min(max(column, 1), MAX_COLUMNS))}{row}",
        )
    )


def _check_shared_strings(zf: zipfile.ZipFile, parts: set[str], sizes: dict[str, int]) -> None:
    for part in sorted(p for p in parts if p in sizes):
        if sizes[part] > MAX_SHARED_STRINGS_BYTES:
            raise UploadRejected(
                _l(
                    "The workbook's text table (%(part)s) would unpack to %(mb)s MB, far more than the PRR return "
                    "needs; it was refused.",
                    part=part,
                    mb=_mb(sizes[part]),
                )
            )
        try:
            with zf.open(part) as stream:
                head = stream.read(4096)
        except (zipfile.BadZipFile, zlib.error, EOFError):  # e.g. a lying size: the CRC fails
            raise UploadRejected(_l("The workbook is damaged (%(part)s cannot be read).", part=part)) from None
        declared = UNIQUE_COUNT.search(head)
        counted = int(declared.group(1)) if declared else 0
        if counted <= MAX_SHARED_STRINGS:
            counted = _count(zf, part, STRING_TAG, MAX_SHARED_STRINGS_BYTES)
        if counted > MAX_SHARED_STRINGS:
            raise UploadRejected(
                _l(
                    "The workbook holds %(n)s different texts; the PRR return needs far fewer (at most %(max)s). It "
                    "was refused.",
                    n=f"{counted:,}",
                    max=f"{MAX_SHARED_STRINGS:,}",
                )
            )


def _check_cells(zf: zipfile.ZipFile, sheets: dict[str, str], sizes: dict[str, int]) -> None:
    """Cells summed over the sheets, counted in their XML (a sheet's <dimension> may lie)."""
    total = 0
    for part in dict.fromkeys(sheets.values()):
        if part in sizes:
            total += _count(zf, part, CELL_TAG, MAX_SHEET_BYTES)
        if total > MAX_CELLS:
            raise UploadRejected(
                _l(
                    "The workbook has more than %(max)s cells; the PRR return has about a thousand. "
                    "Remove the extra rows, columns or sheets and upload it again.",
                    max=f"{MAX_CELLS:,}",
                )
            )
    area = 0
    for name, part in sheets.items():
        if part in sizes:
            rows, columns = _extent(zf, part)
            area += rows * max(columns, 1)
            if area > MAX_AREA:
                raise too_far(name, rows, columns)


def _sheet_parts(zf: zipfile.ZipFile) -> tuple[dict[str, str], set[str]]:
    """Sheet name -> zip part, and the parts the workbook names as its shared strings."""
    workbook = _parse_xml(zf.read("xl/workbook.xml"), "xl/workbook.xml")
    try:
        rels = _parse_xml(zf.read("xl/_rels/workbook.xml.rels"), "xl/_rels/workbook.xml.rels")
    except KeyError:
        raise UploadRejected(_l("The workbook is damaged (its sheet list cannot be read).")) from None
    targets, shared = {}, {"xl/sharedStrings.xml"}
    for rel in rels.iter(f"{NS_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = target
        if rel.get("Type") == SHARED_STRINGS_TYPE:
            shared.add(target)
    sheets = {}
    for sheet in workbook.iter(f"{NS_MAIN}sheet"):
        sheets[sheet.get("name")] = targets.get(sheet.get(f"{NS_REL}id"), "")
    return sheets, shared


def check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """What the members would unpack to, in all and each against its compressed size."""
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise UploadRejected(
            _l(
                "The workbook would unpack to %(mb)s MB, far more than the PRR return needs; it was refused.",
                mb=_mb(total),
            )
        )
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UploadRejected(
                _l(
                    "The workbook is compressed suspiciously well (%(part)s); it was refused as a possible zip bomb.",
                    part=info.filename,
                )
            )


def check_upload(data: bytes, max_bytes: int | None = None) -> CheckedWorkbook:
    """Refuse anything that is not a plain, reasonably sized .xlsx workbook or .ods spreadsheet."""
    from . import guard_ods  # it builds on this module

    if max_bytes is not None and len(data) > max_bytes:
        err = UploadRejected(_l("The file is larger than the limit of %(mb)s MB.", mb=_mb(max_bytes)))
        err.status = 413
        raise err
    _sniff(data)
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise UploadRejected(
            _l("The file is damaged or incomplete (it is not a readable .xlsx). Save it again and re-upload.")
        ) from None
    with zf:
        unsafe = next((i for i in infos if _unsafe_name(i)), None)
        if unsafe is not None:
            raise UploadRejected(
                _l(
                    "The workbook contains a part with an unsafe name (%(name)s): names with “..”, a leading “/”, "
                    "a drive letter or a backslash are refused. Save the file again from Excel or LibreOffice.",
                    name=unsafe.orig_filename.replace("\0", "\\0")[:80],
                )
            )
        names = {i.filename for i in infos}
        if len(names) != len(infos):  # two members of one name: the guard and calamine could read different ones
            twice = next(n for n, k in Counter(i.filename for i in infos).items() if k > 1)
            raise UploadRejected(_l("The workbook is damaged (%(part)s cannot be read).", part=twice[:80]))
        if guard_ods.is_ods(zf, names):
            return guard_ods.checked_ods(data, zf, infos)
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise UploadRejected(_l("This zip archive is not an Excel workbook (.xlsx)."))
        if any(i.flag_bits & 0x1 for i in infos):
            raise UploadRejected(_l("The workbook is encrypted. Remove the password and upload it again."))
        for prefix, message in FORBIDDEN:
            if any(n.startswith(prefix) for n in names):
                raise UploadRejected(message)
        check_sizes(infos)
        if zf.getinfo("xl/workbook.xml").file_size > 1024 * 1024:
            raise UploadRejected(_l("The workbook's sheet list is far too large for the PRR return."))
        sheets, shared_strings = _sheet_parts(zf)
        if len(sheets) > MAX_SHEETS:
            raise UploadRejected(
                _l("The workbook has %(n)d sheets; the PRR return has at most %(max)d.", n=len(sheets), max=MAX_SHEETS)
            )
        if len(infos) > MAX_MEMBERS:
            raise UploadRejected(_l("The workbook has too many parts (%(n)d) to be the PRR return.", n=len(infos)))
        sizes = {i.filename: i.file_size for i in infos}
        for name, part in sheets.items():
            if sizes.get(part, 0) > MAX_SHEET_BYTES:
                raise UploadRejected(
                    _l(
                        "The sheet '%(sheet)s' is too large (%(mb)s MB) for the PRR return; remove the extra rows or "
                        "columns.",
                        sheet=name,
                        mb=_mb(sizes[part]),
                    )
                )
        _check_shared_strings(zf, shared_strings, sizes)
        _check_cells(zf, sheets, sizes)
    return CheckedWorkbook(data=data, sheets=sheets)
