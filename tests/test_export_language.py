"""The comparison's CSV for Russian (and English) readers: a byte-order mark, codes beside their
names in the reader's language, no header twice, counts written whole — and LibreOffice's
default import reads it as it is meant (Cyrillic intact, numbers as numbers)."""

import csv
import io

import pytest
from openpyxl import load_workbook

from .conftest import soffice_converter
from .test_compare import returns  # noqa: F401  (fixture)

QUERY = "indicator=REP01&period=2025"


def _csv(client, login_as, language) -> tuple[bytes, list[list[str]]]:
    login_as("delegate", language=language)
    response = client.get(f"/compare/export.csv?{QUERY}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    data = response.data
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    "language, names",
    [
        ("ru", {"KZ": "Казахстан", "Total": "Всего", "Men": "Мужчины", "REP01": "Граждане, возвращённые"}),
        ("en", {"KZ": "Kazakhstan", "Total": "Total", "Men": "Men", "REP01": "Nationals returned"}),
    ],
)
def test_csv_names_codes_in_the_readers_language(client, login_as, returns, language, names):  # noqa: F811
    data, rows = _csv(client, login_as, language)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads Cyrillic
    header, body = rows[0], rows[1:]
    assert len(header) == len(set(header)) == 12, header
    by = {(r[0], r[3]): r for r in body}
    kz_total, kz_men = by[("KZ", "Total")], by[("KZ", "Men")]
    assert (kz_total[9], kz_total[11], kz_men[11]) == (names["KZ"], names["Total"], names["Men"])
    assert kz_total[10].startswith(names["REP01"]), kz_total[10]
    assert kz_total[4] == "20"  # a count, whole: never "20.0"
    assert all(not r[4].endswith(".0") for r in body), [r[4] for r in body if r[4].endswith(".0")]


# What LibreOffice Calc's Text Import dialog proposes for this file: comma, double quote, and
# UTF-8 (76) because the file starts with a byte-order mark. Headless `--convert-to` has no
# dialog and reads a CSV in the system's 8-bit charset whatever its first bytes say (LibreOffice
# 7.4: "ï»¿ÐšÐ¾Ð´"), so the test passes the dialog's proposal explicitly.
DIALOG_DEFAULTS = "Text - txt - csv (StarCalc):44,34,76"


def test_libreoffice_import_reads_the_russian_csv(client, login_as, returns, tmp_path):  # noqa: F811
    data, rows = _csv(client, login_as, "ru")
    convert = soffice_converter(
        tmp_path, "xlsx", "the Russian CSV in LibreOffice", source="csv", infilter=DIALOG_DEFAULTS
    )
    sheet = load_workbook(io.BytesIO(convert(data))).active
    read = list(sheet.iter_rows(values_only=True))
    assert list(read[0]) == rows[0]  # the header, Cyrillic intact (no mojibake, no BOM left)
    kz = next(r for r in read[1:] if r[0] == "KZ" and r[3] == "Total")
    assert kz[4] == 20 and isinstance(kz[4], int | float)  # a number, not text
    assert kz[9] == "Казахстан" and kz[11] == "Всего"
