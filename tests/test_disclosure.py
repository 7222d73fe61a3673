"""Disclosure control (issue 11): no CONF number, and nothing from which one can be worked out,
reaches delegates or another country's focal points — in any output.

A seeded dataset holds the attacks that worked before: a CONF Total beside all four of its
sex × age parts (and an origin breakdown whose Total equals it by rule R3), one CONF part beside
the Total and the other parts, a CONF value in a regional total of exactly three contributors,
and a CONF period inside a running sum and a change. Every output is read back into figures and
handed to the generic checker in tests/disclosure_check.py.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.models import Country, Return
from portal.services.meetings import briefs as brief_service
from portal.services.returns.template_versions import latest_template

from .disclosure_check import Structure
from .disclosure_outputs import (
    PERIODS,
    QUERY,
    _api_comparison,
    _brief,
    _charts,
    _csv,
    _page,
    _returns,
    _token,
    _xlsx,
)
from .factories import new_brief

DATA = {
    ("KZ", "2025"): {
        ("REP01", "Men"): 5000,
        ("REP01", "Women"): 1919,
        ("REP01", "Boys"): 600,
        ("REP01", "Girls"): 400,
        ("REP01", "Total"): "CONF 7919",
        ("REP01O", "Syria"): 7000,
        ("REP01O", "Iraq"): 919,
        ("REP01O", "Total"): 7919,
        ("REP07", "Value"): "CONF 12",
    },
    ("KG", "2025"): {
        ("REP01", "Men"): 20,
        ("REP01", "Women"): 10,
        ("REP01", "Boys"): "CONF 13",
        ("REP01", "Girls"): 7,
        ("REP01", "Total"): 50,
        ("REP01O", "Total"): 50,
        ("REP07", "Value"): 2,
    },
    ("TJ", "2025"): {
        ("REP01", "Men"): 30,
        ("REP01", "Women"): 10,
        ("REP01", "Total"): 40,
        ("REP01O", "Total"): 40,
        ("REP07", "Value"): 1,
    },
    ("ID", "2025"): {("REP01", "Total"): 3, ("REP01O", "Total"): 3, ("REP07", "Value"): 5},
    ("KZ", "2024"): {("REP01", "Men"): 100, ("REP01", "Total"): 100, ("REP01O", "Total"): 100, ("REP07", "Value"): 10},
    ("KG", "2024"): {("REP01", "Total"): "CONF 4243", ("REP01O", "Total"): "CONF 4243", ("REP07", "Value"): 3},
    ("KZ", "2023"): {("REP01", "Total"): 30, ("REP01O", "Total"): 30, ("REP07", "Value"): 4},
    # a CONF without its number beside the Total and the other parts (one of them NIL)
    ("ID", "2024"): {
        ("REP01", "Men"): 2,
        ("REP01", "Women"): 1,
        ("REP01", "Boys"): "CONF",
        ("REP01", "Girls"): "NIL",
        ("REP01", "Total"): 15,
        ("REP01O", "Total"): 15,
        ("REP07", "Value"): 6,
    },
}
BARE = {("v", "ID", "2024", "REP01", "Boys"): 12.0}  # what the bare CONF must be
# Distinctive numbers: none of them may appear anywhere in what an outsider gets.
DISTINCT = (7919, 4243)


def _truth() -> tuple[dict, list]:
    truth, secrets = {}, []
    for (country, period), cells in DATA.items():
        for (code, column), raw in cells.items():
            key = ("v", country, period, code, column)
            if isinstance(raw, str) and raw.startswith("CONF"):
                truth[key] = float(raw.split()[1]) if " " in raw else BARE[key]
                secrets.append(key)
            else:
                truth[key] = 0.0 if raw == "NIL" else float(raw)
    return truth, secrets


@pytest.fixture
def dataset(app, db, accepted_return, return_setup):
    for (country, period), cells in DATA.items():
        accepted_return(cells, country, period)
    truth, secrets = _truth()
    regions = {c.iso2: c.region.code for c in db.session.scalars(select(Country))}
    structure = Structure(latest_template(), regions, PERIODS, truth)
    return structure, secrets


def _no_distinct_numbers(text: str, where: str) -> None:
    flat = re.sub(r"(?<=\d)[\s\u202f\u00a0,](?=\d{3})", "", text)
    for n in DISTINCT:
        assert not re.search(rf"(?<![\d.]){n}(?![\d])", flat), f"{n} appears in {where}"


OUTSIDERS = [("delegate", None), ("focal_point", "TJ")]


@pytest.mark.parametrize("role, country", OUTSIDERS, ids=["delegate", "other-focal-point"])
@pytest.mark.parametrize("output", ["api", "page", "csv", "xlsx", "returns", "brief", "charts"])
def test_nothing_confidential_can_be_worked_out(client, db, login_as, dataset, role, country, output):
    structure, secrets = dataset
    user = login_as(role, country=country)
    headers = _token(client, user)
    if output == "brief":
        from .test_briefs import _weasyprint_or_skip

        _weasyprint_or_skip()
    figures, text = {
        "api": lambda: _api_comparison(client, headers),
        "page": lambda: _page(client),
        "csv": lambda: _csv(client),
        "xlsx": lambda: _xlsx(client, db),
        "returns": lambda: _returns(client, db, headers, country),
        "brief": lambda: _brief(client, db, headers, pdf=True),
        "charts": lambda: _charts(client, db),
    }[output]()
    assert structure.leaks(figures, secrets) == []
    _no_distinct_numbers(text, output)
    if output == "api":  # a hidden cell tells nothing of itself (NIL, CONF, EST)
        rows = client.get(f"/api/v1/comparison?{QUERY}", headers=headers).json["rows"]
        assert [r for r in rows if r["value"] == "c" and (r["status"] or r["note"])] == []
    assert sum(v is not None for v in figures.values()) > 10  # the output did show figures


@pytest.mark.parametrize(
    "role, country, sees",
    [("secretariat", None, {"KZ", "KG", "ID"}), ("focal_point", "KZ", {"KZ"}), ("focal_point", "KG", {"KG"})],
    ids=["secretariat", "KZ", "KG"],
)
def test_those_entitled_see_the_figures(client, db, login_as, dataset, role, country, sees):
    """The checker is not vacuous: the secretariat and the reporting country see their CONF
    figures (and the same checker then finds them); a country never sees another's."""
    structure, secrets = dataset
    headers = _token(client, login_as(role, country=country))
    figures, _text = _api_comparison(client, headers)
    leaked = structure.leaks(figures, secrets)
    assert {k[1] for k in leaked} == sees
    assert {k for k in leaked} == {k for k in secrets if k[1] in sees}


def test_complementary_cells_are_the_smallest_visible_parts(client, login_as, dataset):
    """KZ 2025: Total CONF → the smallest non-zero part (Girls 400) is hidden too; REP01O.Total
    equals it by rule R3 → hidden, and with it the smaller origin part (Iraq 919). KG: Boys CONF →
    Girls 7 (the smallest other part) hidden; the Total stays."""
    headers = _token(client, login_as("delegate"))
    body = client.get(f"/api/v1/comparison?{QUERY}", headers=headers).json
    hidden = {(r["country"], r["period"], r["indicator"], r["breakdown"]) for r in body["rows"] if r["value"] == "c"}
    assert hidden == {
        ("KZ", "2025", "REP01", "Total"),
        ("KZ", "2025", "REP01", "Girls"),
        ("KZ", "2025", "REP01O", "Total"),
        ("KZ", "2025", "REP01O", "Iraq"),
        ("KZ", "2025", "REP07", "Value"),
        ("KG", "2025", "REP01", "Boys"),
        ("KG", "2025", "REP01", "Girls"),
        ("KG", "2024", "REP01", "Total"),
        ("KG", "2024", "REP01O", "Total"),
        # a bare CONF beside the Total and the other parts: Women (1), the smallest non-zero
        ("ID", "2024", "REP01", "Boys"),
        ("ID", "2024", "REP01", "Women"),
    }
    figures, _text = _api_comparison(client, headers)
    assert figures[("v", "KZ", "2025", "REP01", "Men")] == 5000 and figures[("v", "KG", "2025", "REP01", "Total")] == 50
    # Central Asia's REP07 had exactly three contributors (KZ CONF 12, KG 2, TJ 1): now hidden
    assert figures[("t", "central_asia", "2025", "REP07", "Value")] is None
    assert figures[("t", "south_east_asia", "2025", "REP07", "Value")] == 5
    # KG 2024 CONF: its 2025 change and running sum are hidden; KZ's REP01 Men (all visible) stay
    assert (
        figures[("ch", "KG", "2025", "REP01", "Total")] is None
        and figures[("cum", "KG", "2025", "REP01", "Total")] is None
    )
    assert figures[("cum", "KZ", "2025", "REP01", "Men")] == 5100


def test_hidden_cells_say_c_and_the_legend_explains(client, login_as, dataset):
    headers = _token(client, login_as("delegate"))
    body = client.get(f"/api/v1/comparison?{QUERY}", headers=headers).json
    kz = next(
        r
        for r in body["rows"]
        if (r["country"], r["period"], r["indicator"], r["breakdown"]) == ("KZ", "2025", "REP07", "Value")
    )
    assert (kz["value"], kz["change"], kz["cumulative"]) == ("c", "c", "c")
    share = next(d for d in body["derived"] if (d["country"], d["period"]) == ("KZ", "2025"))
    assert share["share"] == "c"
    page = client.get(f"/compare/?{QUERY}").get_data(as_text=True)
    assert "to protect a confidential figure" in page


def test_a_small_cell_threshold_hides_small_counts_and_what_gives_them_away(app, client, login_as, dataset):
    """The same layer with a threshold (as later public outputs will use): every count from 1 to
    4 is hidden for a delegate, and none of them — nor any CONF figure — can be worked out."""
    structure, secrets = dataset
    app.config["SMALL_CELL_THRESHOLD_COUNCIL"] = 5
    headers = _token(client, login_as("delegate"))
    figures, _text = _api_comparison(client, headers)
    small = [k for k, v in structure.truth.items() if 0 < v < 5]
    assert len(small) >= 4
    assert all(figures[k] is None for k in small)
    assert structure.leaks(figures, secrets + small) == []
    assert figures[("v", "ID", "2025", "REP07", "Value")] == 5  # at the threshold: shown
    assert figures[("t", "central_asia", "2025", "REP07", "Value")] is None


def test_versions_stored_before_the_layer_are_worked_out_the_same(client, db, login_as, dataset):
    """A version carries what it hides (worked out when stored); one stored before migration
    0011 has none and is worked out on reading: both give the same figures."""
    from portal.models import ReportingPeriod, ReturnVersion

    kz = db.session.scalar(
        select(ReturnVersion)
        .join(Return)
        .join(Country)
        .join(ReportingPeriod)
        .where(Country.iso2 == "KZ", ReportingPeriod.label == "2025")
    )
    assert kz.withheld == [
        ["REP01", "Girls"],
        ["REP01", "Total"],
        ["REP01O", "Iraq"],
        ["REP01O", "Total"],
        ["REP07", "Value"],
    ]
    headers = _token(client, login_as("delegate"))
    stored, _text = _api_comparison(client, headers)
    stored_return = client.get(f"/api/v1/returns/{kz.return_id}", headers=headers).json
    for version in db.session.scalars(select(ReturnVersion)):
        version.withheld = None
    db.session.commit()
    assert _api_comparison(client, headers)[0] == stored
    assert client.get(f"/api/v1/returns/{kz.return_id}", headers=headers).json == stored_return


def test_a_country_sees_its_own_small_counts(app, client, login_as, dataset):
    app.config["SMALL_CELL_THRESHOLD_COUNCIL"] = 5
    figures, _text = _api_comparison(client, _token(client, login_as("focal_point", country="KZ")))
    assert figures[("v", "KZ", "2023", "REP07", "Value")] == 4 and figures[("v", "KZ", "2025", "REP07", "Value")] == 12
    assert figures[("v", "TJ", "2025", "REP07", "Value")] is None  # another country's 1


def test_suppression_rules_on_their_own(app, return_setup):
    """The layer itself, on cells of one return: a bare CONF counts as an unknown term; a
    complementary cell is the smallest non-zero part; an inequality that pins a hidden cell
    between two equal visible bounds (R8: PRS08 <= PRS07 <= PRS09) hides one of them."""
    from portal.services import disclosure

    template = latest_template()
    rules = disclosure.Rules.of(template)
    sex_age = {
        ("REP01", "Men"): (2, None),
        ("REP01", "Women"): (1, None),
        ("REP01", "Boys"): (None, "CONF"),
        ("REP01", "Girls"): (None, "NIL"),
        ("REP01", "Total"): (15, None),
    }
    assert disclosure.suppress(sex_age, {("REP01", "Boys")}, rules.relations, rules.limits) == {
        ("REP01", "Boys"),
        ("REP01", "Women"),
    }
    squeezed = {("PRS08", "Value"): (5, None), ("PRS07", "Total"): (5, "CONF"), ("PRS09", "Value"): (5, None)}
    hidden = disclosure.suppress(squeezed, {("PRS07", "Total")}, rules.relations, rules.limits)
    assert ("PRS07", "Total") in hidden and len(hidden & {("PRS08", "Value"), ("PRS09", "Value")}) == 1
    loose = {("PRS08", "Value"): (3, None), ("PRS07", "Total"): (5, "CONF"), ("PRS09", "Value"): (9, None)}
    assert disclosure.suppress(loose, {("PRS07", "Total")}, rules.relations, rules.limits) == {("PRS07", "Total")}


def test_editions_compiled_before_the_layer_are_for_the_secretariat_only(client, db, login_as, dataset, auth):
    """An edition frozen before disclosure control may hold a share or total computed from a
    CONF figure: delegates get a 404 that says why until it is compiled again."""
    from portal.models import BriefEdition, Meeting

    meeting = db.session.scalar(select(Meeting))
    with client.application.test_request_context():
        brief = new_brief(meeting, title="Old")
        brief_service.compile_brief(brief, None)
    db.session.commit()
    edition = db.session.scalar(select(BriefEdition))
    edition.snapshot = {k: v for k, v in edition.snapshot.items() if k != "disclosure"}
    db.session.commit()
    user = login_as("delegate")
    headers = _token(client, user)
    for url in (
        f"/meetings/briefs/{brief.id}",
        f"/meetings/briefs/{brief.id}.xlsx",
        f"/meetings/briefs/{brief.id}/print",
        f"/meetings/briefs/{brief.id}/diff?a=1&b=1",
    ):
        page = client.get(url)
        assert page.status_code == 404 and "compile the brief again" in page.get_data(as_text=True), url
    assert client.get(f"/api/v1/briefs/{brief.id}", headers=headers).status_code == 404
    auth.logout()
    login_as("secretariat")
    assert client.get(f"/meetings/briefs/{brief.id}").status_code == 200
