"""Library search: the same tests on SQLite and PostgreSQL — ranking,
facets, Russian words, hostile input, visibility and paging."""

from collections import Counter

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from portal.models import Country, SearchDoc
from portal.services.library import items, search
from portal.services.library.terms import query_terms

ANON = AnonymousUserMixin()


def _case(title, summary="Summary.", body="", country="KZ", language="en", publish=True, visibility="council", **extra):
    item = items.save_case_study(
        None,
        {
            "title": title,
            "country": country,
            "language": language,
            "year_from": 2024,
            "summary": summary,
            "body": body,
            "visibility": visibility,
            **extra,
        },
        None,
    )
    if publish:
        item.state = "published"
        search.index_item(item)
    return item


def _titles(results):
    return [h.doc.title for h in results.hits]


def test_title_match_ranks_above_body_match_and_facets_count_results(db, library, create_user):
    delegate = create_user("delegate")
    _case("Vocational training in custody", body="Workshops for returnees.", themes=["custody_rehabilitation"])
    _case(
        "Family visits",
        body="Family visits helped; vocational courses were offered once.",
        themes=["families"],
        country="UZ",
    )
    db.session.commit()
    results = search.search(delegate, "vocational")
    titles = _titles(results)
    assert titles.index("Vocational training in custody") < titles.index("Family visits")
    assert {
        "Karagandy pilot prisons — rehabilitation in custody and reintegration after release",
        "The Akniyet rehabilitation centre — civil society working with the state",
    } <= set(titles)
    assert results.total == len(titles) == 4
    assert dict(results.facets["type"]) == {"case_study": 4}
    assert dict(results.facets["country"]) == {"KZ": 3, "UZ": 1}
    assert dict(results.facets["region"]) == {"central_asia": 4}
    assert dict(results.facets["theme"])["families"] == 1
    assert dict(results.facets["theme"])["custody_rehabilitation"] == 2
    narrowed = search.search(delegate, "vocational", {"country": ["UZ"]})
    assert _titles(narrowed) == ["Family visits"] and dict(narrowed.facets["country"]) == {"UZ": 1}
    assert "<mark>" in str(narrowed.hits[0].snippet)


def test_stigma_with_kyrgyzstan_finds_the_plan_and_the_case_study(db, library):
    results = search.search(ANON, "stigma", {"country": ["KG"]})
    assert sorted(h.doc.item_kind for h in results.hits) == ["action_plan", "case_study"]
    assert any("2025–2030" in t for t in _titles(results))
    assert dict(results.facets["type"]) == {"action_plan": 1, "case_study": 1}


def test_russian_words_match_other_forms(db, library):
    _case(
        "Работа со стигматизацией",
        summary="Снижение стигмы в махаллях и поддержка семей возвращенцев.",
        language="ru",
        country="UZ",
        visibility="public",
    )
    db.session.commit()
    for query in ("стигма", "стигмы", "СТИГМАТИЗАЦИИ", "семья", "возвращенцы"):
        assert "Работа со стигматизацией" in _titles(search.search(ANON, query)), query
    assert _titles(search.search(ANON, "дети", {"language": ["ru"]}))  # seeded Russian case studies
    found = search.search(ANON, "стигма", {"country": ["KG"]})  # the Russian Kyrgyz case study
    by_kind = {h.doc.item_kind: h for h in found.hits}
    assert by_kind["case_study"].doc.language == "ru" and "<mark>стигм" in str(by_kind["case_study"].snippet)
    assert "action_plan" in by_kind  # the Kyrgyz plan, English, found by its Russian summary
    assert dict(search.search(ANON, "", {"language": ["ru"]}).facets["language"]) == {"ru": 4}


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unbalanced',
        "AND OR NOT",
        "stigma OR",
        "NEAR(a b)",
        "title:stigma",
        "*",
        "stig*",
        "-stigma",
        "^stigma",
        "a:*",
        "'; DROP TABLE search_doc; --",
        "(((",
        "\\",
        "%",
        "stigma & | !",
        "\x00",
        "ё" * 500,
    ],
)
def test_operators_quotes_and_sql_are_just_words(db, library, query):
    before = db.session.scalar(select(func.count()).select_from(SearchDoc))
    results = search.search(ANON, query)
    assert all(h.doc.state == "published" and h.doc.visibility == "public" for h in results.hits)
    assert db.session.scalar(select(func.count()).select_from(SearchDoc)) == before
    if query_terms(query) == ["stigma"]:
        assert results.total >= 1  # the word itself still counts


def test_query_terms_never_carry_syntax():
    assert query_terms('"stigma" OR children* NEAR(x) title:y') == ["stigma", "children", "x", "titl", "y"]
    assert query_terms("'; DROP TABLE--") == ["drop", "tabl"]


def test_drafts_and_council_items_never_leak(db, library, create_user):
    fp_kz = create_user("focal_point", country="KZ")
    fp_kg = create_user("focal_point", country="KG")
    delegate = create_user("delegate")
    secretariat = create_user("secretariat")
    _case("Zebrafinch draft", summary="zebrafinch", publish=False)
    _case("Zebrafinch council", summary="zebrafinch", visibility="council")
    _case("Zebrafinch public", summary="zebrafinch", visibility="public")
    db.session.commit()
    seen = {
        who: set(_titles(search.search(user, "zebrafinch")))
        for who, user in {
            "anon": ANON,
            "delegate": delegate,
            "fp_kg": fp_kg,
            "fp_kz": fp_kz,
            "secretariat": secretariat,
        }.items()
    }
    assert seen["anon"] == {"Zebrafinch public"}
    assert seen["delegate"] == seen["fp_kg"] == {"Zebrafinch council", "Zebrafinch public"}
    assert seen["fp_kz"] == seen["secretariat"] == {"Zebrafinch draft", "Zebrafinch council", "Zebrafinch public"}
    assert dict(search.search(delegate, "zebrafinch").facets["country"]) == {"KZ": 2}
    assert search.search(ANON, "", {"country": ["UZ"]}).total == 1  # the UZ plan is council-only


def test_sort_by_date_and_pages(db, library, create_user):
    delegate = create_user("delegate")
    for i in range(12):
        _case(f"Quokka study {i:02d}", summary="quokka")
        db.session.commit()
    first = search.search(delegate, "quokka", sort="date", per_page=5)
    assert (first.total, first.pages, first.page) == (12, 3, 1)
    assert _titles(first) == [f"Quokka study {i:02d}" for i in (11, 10, 9, 8, 7)]
    last = search.search(delegate, "quokka", sort="date", page=3, per_page=5)
    assert _titles(last) == ["Quokka study 01", "Quokka study 00"]
    assert search.search(delegate, "quokka", page=99, per_page=5).page == 3


def test_edits_reach_the_index(db, library, create_user):
    secretariat = create_user("secretariat")
    item = _case("Wombat project", summary="wombat")
    db.session.commit()
    items.save_case_study(
        item, {"title": "Platypus project", "country": "KZ", "year_from": 2024, "summary": "platypus"}, secretariat
    )
    db.session.commit()
    assert search.search(secretariat, "wombat").total == 0
    assert _titles(search.search(secretariat, "platypus")) == ["Platypus project"]


def _expected_facets(db, docs) -> dict:
    """The facets worked out in Python from the documents themselves."""
    places = {c.id: (c.iso2, c.region.code) for c in db.session.scalars(select(Country))}
    counts = {facet: Counter() for facet in search.FACETS}
    for doc in docs:
        counts["type"][doc.item_kind] += 1
        counts["country"][places[doc.country_id][0]] += 1
        counts["region"][places[doc.country_id][1]] += 1
        counts["language"][doc.language] += 1
        if doc.year is not None:
            counts["year"][doc.year] += 1
        for tag in doc.tags:
            counts[tag.facet][tag.value] += 1
    return {facet: dict(c) for facet, c in counts.items()}


@pytest.mark.parametrize(
    ("who", "query", "filters"),
    [
        ("delegate", "", {}),
        ("anon", "", {}),
        ("fp_kz", "", {"country": ["KZ", "UZ"]}),
        ("delegate", "rehabilitation", {}),
        ("delegate", "numbat", {"theme": ["children"]}),
        ("delegate", "numbat", {"theme": ["children", "women"], "target": ["families"]}),
        ("secretariat", "numbat", {"year": ["2021"], "language": ["en"]}),
        ("delegate", "", {"region": ["central_asia"], "type": ["case_study"]}),
        ("anon", "numbat", {"country": ["KG"]}),
        ("delegate", "дети", {"language": ["ru"]}),
    ],
)
def test_facet_counts_and_total_are_those_of_all_the_matches(db, library, create_user, who, query, filters):
    users = {
        "anon": ANON,
        "delegate": create_user("delegate"),
        "fp_kz": create_user("focal_point", country="KZ"),
        "secretariat": create_user("secretariat"),
    }
    for i, (country, themes, targets) in enumerate(
        [
            ("KZ", ["children"], ["families"]),
            ("KZ", ["children", "women"], []),
            ("KG", ["women"], ["families", "children"]),
            ("UZ", [], ["families"]),
            ("KZ", ["children"], ["families"]),
        ]
    ):
        _case(
            f"Numbat {i}",
            summary="numbat",
            country=country,
            year_from=2020 + i % 2,
            themes=themes,
            target_groups=targets,
            visibility="public" if i % 2 else "council",
            publish=i != 4,  # a draft: only KZ's focal points and the secretariat count it
        )
    db.session.commit()
    found = search.search(users[who], query, filters, per_page=1000)
    assert found.total == len(found.hits) and found.pages == 1
    assert {f: dict(v) for f, v in found.facets.items()} == _expected_facets(db, [h.doc for h in found.hits])
    paged = search.search(users[who], query, filters, per_page=2, page=2)
    assert paged.total == found.total and paged.facets == found.facets
    assert paged.page == (2 if found.total > 2 else 1)  # past the end: the last page
    start = (paged.page - 1) * 2
    assert [h.doc.id for h in paged.hits] == [h.doc.id for h in found.hits][start : start + 2]


def test_equal_scores_are_paged_newest_first_on_every_page(db, library, create_user):
    delegate = create_user("delegate")
    _case("Bilby", summary="bilby bilby bilby")
    db.session.commit()
    for i in range(7):
        _case(f"Bilby {i}", summary="A bilby.")  # equal scores: the newest first, page after page
        db.session.commit()
    expected = ["Bilby", *(f"Bilby {i}" for i in range(6, -1, -1))]
    everything = search.search(delegate, "bilby", per_page=100)
    assert _titles(everything) == expected
    assert len({h.score for h in everything.hits[1:]}) == 1 and everything.hits[0].score != everything.hits[1].score
    paged = [t for page in (1, 2, 3) for t in _titles(search.search(delegate, "bilby", per_page=3, page=page))]
    assert paged == expected
    assert _titles(search.search(delegate, "bilby", per_page=3, page=9)) == expected[6:]  # past the end: the last page
