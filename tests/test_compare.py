"""Comparisons: numbers equal hand-computed sums of accepted values, with the semantics
missing ≠ zero, NIL = 0, EST flagged, CONF shown to the secretariat and "c" to others."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from portal.services.compare.aggregate import compare
from portal.services.compare.selection import make_selection
from portal.services.disclosure import SECRETARIAT, council

from .conftest import use_token


@pytest.fixture
def returns(app, db, create_return, create_user):
    """Accepted 2025 returns: KZ, KG, TJ (Central Asia), ID; UZ submitted only; others none."""
    staff = create_user("secretariat")

    def store(country, values, notes=None, period="2025", accept=True):
        return create_return(
            country, period, values, status="accepted" if accept else "submitted", notes=notes, reviewer=staff
        )

    store(
        "KZ",
        {
            ("REP01", "Women"): 10,
            ("REP01", "Boys"): 3,
            ("REP01", "Girls"): 2,
            ("REP01", "Total"): 20,
            ("REP01O", "Total"): 20,
            ("REP06", "Total"): "EST 300",
            ("COM08", "Total"): "CONF 2",
            ("CHL01", "Total"): 50,
            ("CHL02", "Total"): 40,
        },
        notes={"REP01": "source KZ"},
    )
    store(
        "KG",
        {
            ("REP01", "Women"): 4,
            ("REP01", "Total"): 7,
            ("REP01O", "Total"): 7,
            ("REP06", "Total"): 100,
            ("COM08", "Total"): "NIL",
        },
    )
    store(
        "TJ", {("REP01", "Total"): "NIL", ("REP01O", "Total"): "NIL", ("REP06", "Total"): "N/AV", ("COM08", "Total"): 1}
    )
    store("ID", {("REP01", "Total"): 3, ("REP01O", "Total"): 3, ("COM08", "Total"): "CONF 4"})
    store("UZ", {("REP01", "Total"): 999, ("REP01O", "Total"): 999}, accept=False)
    store("KZ", {("REP01", "Total"): 15, ("REP01O", "Total"): 15}, period="2024")
    return store


def _value(comparison, country, indicator, column="Total", period="2025"):
    rows = comparison.rows
    r = rows[
        (rows.country == country) & (rows.indicator == indicator) & (rows.breakdown == column) & (rows.period == period)
    ]
    return r.iloc[0]


def _total(comparison, group, indicator, column="Total", period="2025"):
    t = comparison.totals
    return t[(t.group == group) & (t.indicator == indicator) & (t.breakdown == column) & (t.period == period)].iloc[0]


def test_numbers_equal_hand_computed_sums(app, returns):
    c = compare(
        make_selection(indicators=["REP01", "REP06", "COM08", "CHL01", "CHL02"], periods=["2024", "2025"]), SECRETARIAT
    )
    # REP01 2025: KZ 20, KG 7, TJ NIL=0 (Central Asia, UZ only submitted, TM none) → 27, partial (TM, UZ missing)
    ca = _total(c, "central_asia", "REP01")
    assert (ca.value, ca.partial, ca.missing) == (27.0, True, ["TM", "UZ"])
    council = _total(c, "council", "REP01")
    assert council.value == 30.0 and council.missing == ["IQ", "MA", "MV", "TM", "UZ"]
    assert _value(c, "TJ", "REP01").value == 0.0  # NIL counts as 0
    assert pd_isnan(_value(c, "UZ", "REP01").value)  # not accepted: missing, not 999
    # REP06: KZ EST 300 (flagged), KG 100, TJ N/AV (missing) → 400, estimated
    rep06 = _total(c, "central_asia", "REP06")
    assert (rep06.value, rep06.est, rep06.partial) == (400.0, True, True)
    assert bool(_value(c, "KZ", "REP06").est)
    # COM08: KZ CONF 2, KG NIL, TJ 1 → three contributors: total 3 shown
    assert _total(c, "central_asia", "COM08").value == 3.0
    # South-East Asia: ID alone with a CONF value → the secretariat sees it (delegates: see
    # tests/test_disclosure.py)
    sea = _total(c, "south_east_asia", "COM08")
    assert not sea.suppressed and sea.value == 4.0
    # Council: KZ CONF 2, KG 0, TJ 1, ID CONF 4 → 4 contributors → 7
    assert _total(c, "council", "COM08").value == 7.0
    # change and cumulative for flows: KZ REP01 15 (2024) → 20 (2025)
    kz = _value(c, "KZ", "REP01")
    assert (kz.change, kz.cumulative) == (5.0, 35.0)
    assert _value(c, "KZ", "REP01").note == "source KZ" and _value(c, "KZ", "REP01").version_id > 0
    shares = c.derived.set_index(["measure", "country", "period"])["share"]
    assert shares[("CHL_enrolled", "KZ", "2025")] == 80.0
    assert shares[("REP01_minors", "KZ", "2025")] == pytest.approx(25.0)  # (Boys 3 + Girls 2) / 20
    assert pd_isnan(shares[("REP01_minors", "KG", "2025")])  # Boys/Girls not reported: no share


def pd_isnan(x):
    return x != x


def test_texts_notes_and_statuses_reach_their_own_cells(app, db, returns):
    """Figures come from one index and the annotated cells from another: each text, note and
    status lands on its own country, period and column, and nothing leaks to a neighbour."""
    from portal.models import ReturnValue

    kg = returns("KG", {("REP01", "Women"): 4, ("REP01", "Total"): 7, ("REP01O", "Total"): 7}, period="2024")
    cell = db.session.scalar(
        db.select(ReturnValue).where(
            ReturnValue.version_id == kg.id, ReturnValue.indicator == "REP01", ReturnValue.breakdown == "Women"
        )
    )
    cell.text, cell.note = "see annex", "KG 2024 women"
    db.session.commit()
    c = compare(
        make_selection(indicators=["REP01", "REP06"], periods=["2024", "2025"], countries=["KG", "KZ"]), SECRETARIAT
    )
    text = lambda x: x if isinstance(x, str) else None  # noqa: E731 - pandas shows an absent text as NaN
    annotated = {
        (r.country, r.period, r.indicator, r.breakdown): (text(r.text), text(r.note))
        for r in c.records("country", "period", "indicator", "breakdown", "text", "note")
        if text(r.text) or text(r.note)
    }
    # KZ's note is on its REP01 indicator, so on each REP01 cell it reported (not Men: left blank)
    assert annotated == {
        ("KG", "2024", "REP01", "Women"): ("see annex", "KG 2024 women"),
        **{("KZ", "2025", "REP01", col): (None, "source KZ") for col in ("Women", "Boys", "Girls", "Total")},
    }
    statuses = {
        (r.country, r.period, r.indicator, r.breakdown): r.status
        for r in c.records("country", "period", "indicator", "breakdown", "status")
        if text(r.status)
    }
    assert statuses == {("KZ", "2025", "REP06", "Total"): "EST"}
    assert _value(c, "KG", "REP01", "Women", "2024").version_id == kg.id


def test_provisional_only_for_the_secretariat(app, returns):
    c = compare(make_selection(indicators=["REP01"], periods=["2025"], countries=["UZ"], provisional=True), SECRETARIAT)
    r = _value(c, "UZ", "REP01")
    assert r.value == 999.0 and bool(r.provisional)


def test_resubmission_does_not_change_delegates_numbers(app, db, returns, client, login_as):
    returns("KZ", {("REP01", "Total"): 500, ("REP01O", "Total"): 500}, accept=False)
    use_token(client, login_as("delegate"))
    data = client.get("/api/v1/comparison?indicator=REP01&period=2025&countries=KZ&breakdown=total").json
    assert [r["value"] for r in data["rows"]] == [20.0]
    staff_view = compare(
        make_selection(indicators=["REP01"], periods=["2025"], countries=["KZ"], provisional=True), SECRETARIAT
    )
    assert _value(staff_view, "KZ", "REP01").value == 500.0


@pytest.mark.parametrize(
    "query, message",
    [
        ("indicator=NOPE&period=2025", "Unknown indicator: NOPE."),
        ("indicator=REP01&period=1999", "Unknown reporting period: 1999."),
        ("indicator=REP01&period=2025&country=XX", "Unknown country or region: XX."),
        ("period=2025", "Choose at least one indicator or section."),
        ("indicator=REP01&breakdown=weird", "Unknown breakdown: weird."),
    ],
)
def test_bad_selections_are_400(client, login_as, return_setup, query, message):
    use_token(client, login_as("delegate"))
    page = client.get(f"/compare/?{query}")
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    api = client.get(f"/api/v1/comparison?{query}")
    assert api.status_code == 400 and api.json["error"]["message"] == message


def test_a_period_with_no_data(client, login_as, return_setup):
    login_as("delegate")
    page = client.get("/compare/?indicator=REP01&period=2023")
    assert page.status_code == 200
    assert "2023: 0 of 9 countries with a return" in page.get_data(as_text=True)


def test_page_export_and_conf_for_delegates(client, login_as, returns):
    login_as("delegate")
    query = "indicator=REP01&indicator=COM08&period=2025"
    page = client.get(f"/compare/?{query}").get_data(as_text=True)
    assert 'data-total="central_asia-2025-Total"' in page
    import re

    com08 = page[page.index('data-testid="table-COM08"') :]
    kz_cell = re.search(r'data-cell="KZ-2025-Total"[^>]*>\s*([^<\s]*)', com08).group(1)
    assert kz_cell == "c"  # CONF is not shown outside the secretariat
    wb = load_workbook(BytesIO(client.get(f"/compare/export.xlsx?{query}").data))
    rows = {r[0]: r for r in wb["REP01"].iter_rows(min_row=4, values_only=True)}
    header = [c.value for c in wb["REP01"][3]]
    total = header.index("2025 Total")
    assert rows["Kazakhstan"][total] == 20 and rows["Central Asia"][total] == 27 and rows["Council total"][total] == 30
    data = list(wb["Data"].iter_rows(values_only=True))
    assert data[0][:5] == ("Country code", "Period", "Indicator code", "Breakdown code", "Value")
    assert ("KZ", "2025", "COM08", "Total", "c") in [r[:5] for r in data]
    csv = client.get(f"/compare/export.csv?{query}").get_data(as_text=True)
    assert "KG,2025,REP01,Total,7," in csv  # a count is written whole


def test_everyone_signed_in_may_compare(client, login_as, returns):
    assert client.get("/compare/").status_code == 302
    for role in ("focal_point", "delegate", "secretariat", "admin"):
        login_as(role, country="KG" if role == "focal_point" else None)
        assert client.get("/compare/?indicator=REP01&period=2025").status_code == 200
        client.post("/auth/logout")


@pytest.mark.parametrize("role", ["delegate", "secretariat"])
def test_every_exported_value_is_what_the_page_shows(app, client, login_as, returns, role):
    """The workbook is written from the comparison's arrays, the page from cell objects: every
    country and total cell of every indicator sheet must hold what the page's cell shows (the
    number, "c", N/A or N/AV, else empty), and the Data sheet the same values per row."""
    from portal.services.compare import present

    latest = returns("KZ", {("REP01", "Total"): 500, ("REP01O", "Total"): 500}, accept=False)  # provisional for staff
    [accepted] = [v.id for v in latest.return_.versions if v.accepted_at is not None]
    login_as(role)
    staff = role == "secretariat"
    query = "indicator=REP01&indicator=REP06&indicator=COM08&period=2024&period=2025" + (
        "&provisional=1" if staff else ""
    )
    wb = load_workbook(BytesIO(client.get(f"/compare/export.xlsx?{query}").data))
    with app.test_request_context():
        selection = make_selection(indicators=["REP01", "REP06", "COM08"], periods=["2024", "2025"], provisional=staff)
        tables = present.tables(compare(selection, SECRETARIAT if staff else council()), "en", charts=False)
    checked = set()
    for table in tables:
        sheet = list(wb[table.code].iter_rows(values_only=True))
        header = sheet[2]
        keys = [(p, c) for p in table.periods for c in table.columns]
        assert list(header[1:]) == [f"{p} {c}" for p, c in keys]
        for (_code, name, cells), row in zip(table.rows + table.totals, sheet[3:], strict=True):
            assert row[0] == name
            for key, got in zip(keys, row[1:], strict=True):
                cell = cells.get(key)
                want = (
                    None
                    if cell is None
                    else (
                        cell.value if cell.value is not None else (None if cell.display in ("—", "") else cell.display)
                    )
                )
                assert got == want, (table.code, name, key)
                checked.add(want if isinstance(want, str) else type(want).__name__)
    assert {"c", "N/AV", "float", "NoneType"} <= checked if not staff else {"N/AV", "float", "NoneType"} <= checked
    data = {(r[0], r[1], r[2], r[3]): r[4:9] for r in wb["Data"].iter_rows(min_row=2, values_only=True)}
    assert data[("ID", "2025", "COM08", "Total")][0] == (4 if staff else "c")
    assert data[("KZ", "2025", "REP01", "Total")] == (
        (500, None, None, latest.id, "provisional") if staff else (20, None, "source KZ", accepted, None)
    )
    assert data[("TJ", "2025", "REP06", "Total")][:2] == (None, "N/AV")
    assert data[("TM", "2025", "REP01", "Total")] == (None, None, None, None, "no return")


def test_placing_drops_unknown_versions_and_keeps_unknown_statuses():
    """A figure of a version the first query did not return (accepted in between) is left out;
    a status the portal does not know keeps its text and counts as no status."""
    import numpy as np

    from portal.services.compare.aggregate import NIL, _place
    from portal.services.compare.totals import Grid

    grid = Grid(
        cells=[("REP01", "Total")],
        kinds=np.array(["flow"], dtype=object),
        units=np.array(["count"], dtype=object),
        countries=["KG", "KZ"],
        regions=["central_asia", "central_asia"],
        periods=["2025"],
        cell=np.array([0, 0]),
        country=np.array([0, 1]),
        period=np.array([0, 0]),
    )
    versions = {
        "id": [7, 8],
        "country": ["KG", "KZ"],
        "period": ["2025", "2025"],
        "number": [1, 2],
        "provisional": [False, True],
    }
    figures = {
        "version_id": [7, 8, 99],
        "indicator": ["REP01"] * 3,
        "breakdown": ["Total"] * 3,
        "number": [None, 5.0, 123.0],
        "status": ["NIL", "XYZ", None],
    }
    data = _place(grid, versions, figures, [(8, "REP01", "Total", None, "checked")])
    assert data["status_code"].tolist() == [NIL, 0]
    assert data["status"].tolist() == ["NIL", "XYZ"]
    assert data["number"][1] == 5.0 and 123.0 not in data["number"].tolist()  # version 99: dropped
    assert data["version_id"].tolist() == [7.0, 8.0] and data["provisional"].tolist() == [False, True]
    assert data["note"].tolist() == [None, "checked"] and data["has_return"].tolist() == [True, True]


def test_two_id_lists_in_one_statement(app, db, returns):
    from portal.models import ReturnValue
    from portal.services.compare.columns import in_json

    ids = sorted(db.session.scalars(db.select(ReturnValue.version_id).distinct()))
    stmt = (
        db.select(db.func.count())
        .select_from(ReturnValue)
        .where(in_json(ReturnValue.version_id, f"[{ids[0]}]") | in_json(ReturnValue.version_id, f"[{ids[1]}]"))
    )
    both = db.session.scalar(stmt)
    one = db.session.scalar(
        db.select(db.func.count()).select_from(ReturnValue).where(in_json(ReturnValue.version_id, f"[{ids[0]}]"))
    )
    assert 0 < one < both
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(ReturnValue).where(in_json(ReturnValue.version_id, "[]"))
        )
        == 0
    )


def test_export_remarks_in_the_readers_language(client, login_as, returns):
    login_as("delegate", language="ru")
    wb = load_workbook(BytesIO(client.get("/compare/export.xlsx?indicator=REP01&period=2025").data))
    data = list(wb.worksheets[-1].iter_rows(values_only=True))
    assert data[0][0] == "Код страны" and data[0][9] == "Страна"
    remarks = {(r[0], r[3]): r[8] for r in data[1:]}
    assert remarks[("TM", "Total")] == "нет отчёта"
    assert "нет отчёта" in client.get("/compare/export.csv?indicator=REP01&period=2025").get_data(as_text=True)
