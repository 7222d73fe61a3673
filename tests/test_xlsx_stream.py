"""The streaming XLSX writer used for large exports: what it writes reads back the same in
openpyxl and opens in LibreOffice."""

import math
from io import BytesIO

import numpy as np
from markupsafe import Markup
from openpyxl import load_workbook

from portal.services.xlsx.stream import Workbook, column_letter


def _book() -> bytes:
    wb = Workbook()
    ws = wb.add_sheet("REP01")
    ws.append(["Country", "2024 Total", "2025 Total"], bold=True)
    ws.append(["Kazakhstan", 607, 12.5])
    ws.append(["Кыргызстан", None, "c"])
    ws.append(['A & B <c> "q"', math.nan, -3])
    ws.append(["bell\x07 and tab\tkept", 1e-05, True])
    ws.append([Markup("<b>markup</b>"), np.float64(2.5), np.int64(7), math.inf])
    ws.set_width(0, 34)
    ws.freeze(1, 1)
    wb.add_sheet("Data: 2025/26 [draft]*?")
    wb.add_sheet("rep01")
    data = wb.add_sheet("Данные")
    for i in range(2000):
        data.append([f"C{i % 60}", str(2000 + i % 40), i * 1.5])
    data.freeze(1)
    return wb.to_bytes()


def test_reads_back_the_same_values_in_openpyxl():
    wb = load_workbook(BytesIO(_book()))
    assert wb.sheetnames == ["REP01", "Data_ 2025_26 _draft___", "rep01~2", "Данные"]
    ws = wb["REP01"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [
        ["Country", "2024 Total", "2025 Total"],
        ["Kazakhstan", 607, 12.5],
        ["Кыргызстан", None, "c"],
        ['A & B <c> "q"', None, -3],
        ["bell and tab\tkept", 1e-05, True],
        ["<b>markup</b>", 2.5, 7],
    ]
    assert ws["A1"].font.b and ws["C1"].font.b and not ws["A2"].font.b
    assert ws.freeze_panes == "B2"
    assert ws.column_dimensions["A"].width == 34
    data = wb["Данные"]
    assert data.max_row == 2000 and data.freeze_panes == "A2"
    assert [c.value for c in data[1999]] == ["C18", "2038", 1998 * 1.5]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]


def test_opens_in_libreoffice(resave):
    wb = load_workbook(BytesIO(resave(_book())))
    assert wb.sheetnames[0] == "REP01" and wb["REP01"]["B2"].value == 607
    assert wb["REP01"]["A3"].value == "Кыргызстан" and wb["Данные"]["C2"].value == 1.5
