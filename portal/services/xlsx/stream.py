"""A small, fast XLSX writer for large tabular exports (values, bold rows, column widths,
frozen panes — nothing else).

Why not XlsxWriter here: a full-section comparison is ~650,000 cells; XlsxWriter's work per
cell (a call, a checked cell object, then an XML pass at close) misses the export target
(bench/compare.py prints the export's time). This writer builds each row's XML once, as it is
appended, with shared strings as Excel itself writes them. The files
are checked by the tests with openpyxl and by opening them in LibreOffice.

Text is only ever a shared string, never a formula; a text that a spreadsheet would read as
one when typed back (= + - @ tab CR) gets a quote in front (`xlsx.safety.safe_text`),
once per distinct string, when the shared strings are written.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from functools import cache
from xml.sax.saxutils import escape, quoteattr

from .safety import safe_text

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# Characters XML 1.0 does not allow; a stray one from an uploaded note must not corrupt the file.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/>'
    f'<sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/>'
    f'</fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
    f'<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1">'
    f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2">'
    f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1">'
    f'<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


@cache
def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


LETTERS = [column_letter(i) for i in range(702)]  # A … ZZ


def _text(value: str) -> str:
    return escape(ILLEGAL.sub("", safe_text(value)))


class Sheet:
    def __init__(self, book: Workbook, name: str):
        self.book, self.name = book, name
        self.rows: list[str] = []
        self.widths: dict[int, float] = {}
        self.frozen: tuple[int, int] = (0, 0)

    def append(self, values, bold: bool = False) -> None:
        """Add the next row. None, "" and NaN leave a cell empty; str is text; numbers are numbers."""
        r = str(len(self.rows) + 1)
        style = ' s="1"' if bold else ""
        strings = self.book.strings
        letters = LETTERS if len(values) <= len(LETTERS) else [column_letter(i) for i in range(len(values))]
        parts: list[str] = []
        add = parts.append
        for c, value in enumerate(values):
            kind = type(value)
            if kind is not str and isinstance(value, str):  # Markup, lazy strings: plain text
                value, kind = str(value), str
            if kind is str:
                if not value:
                    continue
                index = strings.get(value)
                if index is None:
                    index = strings[value] = len(strings)
                add(f'<c r="{letters[c]}{r}" t="s"{style}><v>{index}</v></c>')
            elif value is None:
                continue
            elif kind is bool:
                add(f'<c r="{letters[c]}{r}" t="b"{style}><v>{int(value)}</v></c>')
            else:
                number = float(value)
                if math.isfinite(number):
                    shown = int(number) if number.is_integer() and abs(number) < 1e15 else repr(number)
                    add(f'<c r="{letters[c]}{r}"{style}><v>{shown}</v></c>')
        self.rows.append(f'<row r="{r}">{"".join(parts)}</row>')

    def set_width(self, column: int, width: float) -> None:
        self.widths[column] = width

    def freeze(self, rows: int, columns: int = 0) -> None:
        self.frozen = (rows, columns)

    def xml(self) -> str:
        rows, columns = self.frozen
        view = '<sheetView workbookViewId="0"'
        view += ' tabSelected="1">' if self is self.book.sheets[0] else ">"
        if rows or columns:
            pane = "bottomRight" if rows and columns else ("bottomLeft" if rows else "topRight")
            split = (f' xSplit="{columns}"' if columns else "") + (f' ySplit="{rows}"' if rows else "")
            view += (
                f'<pane{split} topLeftCell="{column_letter(columns)}{rows + 1}" activePane="{pane}" '
                f'state="frozen"/><selection pane="{pane}"/>'
            )
        view += "</sheetView>"
        cols = "".join(
            f'<col min="{c + 1}" max="{c + 1}" width="{w}" customWidth="1"/>' for c, w in sorted(self.widths.items())
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
            f'xmlns:r="{REL}"><sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + f"<sheetData>{''.join(self.rows)}</sheetData></worksheet>"
        )


class Workbook:
    def __init__(self):
        self.sheets: list[Sheet] = []
        self.strings: dict[str, int] = {}

    def add_sheet(self, name: str) -> Sheet:
        """Sheet names are made valid for Excel: at most 31 characters, no []:*?/\\, unique."""
        base = BAD_SHEET_CHARS.sub("_", ILLEGAL.sub("", name)).strip("'")[:31] or "Sheet"
        taken = {s.name.lower() for s in self.sheets}
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        sheet = Sheet(self, candidate)
        self.sheets.append(sheet)
        return sheet

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            n = len(self.sheets)
            overrides = "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, n + 1)
            )
            z.writestr(
                "[Content_Types].xml",
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                    'PartName="/xl/workbook.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                    'sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
                    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    f"{overrides}</Types>"
                ),
            )
            z.writestr(
                "_rels/.rels",
                (
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
                    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
                ),
            )
            sheets = "".join(
                f'<sheet name={quoteattr(s.name)} sheetId="{i}" r:id="rId{i}"/>'
                for i, s in enumerate(self.sheets, start=1)
            )
            z.writestr(
                "xl/workbook.xml",
                (
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" '
                    f'xmlns:r="{REL}">'
                    f"<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>"
                ),
            )
            rels = "".join(
                f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            z.writestr(
                "xl/_rels/workbook.xml.rels",
                (
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">{rels}'
                    f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>'
                    f'<Relationship Id="rId{n + 2}" Type="{REL}/sharedStrings" '
                    f'Target="sharedStrings.xml"/></Relationships>'
                ),
            )
            z.writestr("xl/styles.xml", STYLES)
            items = "".join(f'<si><t xml:space="preserve">{_text(s)}</t></si>' for s in self.strings)
            z.writestr(
                "xl/sharedStrings.xml",
                (
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
                    f'count="{len(self.strings)}" uniqueCount="{len(self.strings)}">{items}</sst>'
                ),
            )
            for i, sheet in enumerate(self.sheets, start=1):
                z.writestr(f"xl/worksheets/sheet{i}.xml", sheet.xml())
        return out.getvalue()
