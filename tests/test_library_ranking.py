"""Library search ranking by postings (services/library/ranking.py), the same on SQLite and
PostgreSQL, and migration 0015 writing the postings of the documents stored before it."""

import flask_migrate
import pytest
from sqlalchemy import inspect, select, text

from portal.models import SearchDoc, SearchTerm
from portal.services.library import items, ranking, search


def _case(title, body="", summary="Summary.", **extra):
    item = items.save_case_study(
        None,
        {"title": title, "country": "KZ", "language": "en", "year_from": 2024, "summary": summary, "body": body}
        | extra,
        None,
    )
    item.state = "published"
    search.index_item(item)
    return item


def _titles(results):
    return [h.doc.title for h in results.hits]


def test_postings_weigh_title_terms_more_repeats_more_and_long_documents_less():
    short = ranking.postings("quoll", "once quoll twice quoll")
    assert short["quoll"] > ranking.postings("other", "once quoll twice quoll")["quoll"]  # the title counts
    assert ranking.postings("", "quoll quoll")["quoll"] > ranking.postings("", "quoll other")["quoll"]
    assert ranking.postings("", "quoll " + "other " * 50)["quoll"] < ranking.postings("", "quoll other")["quoll"]
    assert set(ranking.postings("", "quoll_x " + "ё" * 80)) == {"quollx", "ё" * 60}  # as query_terms cuts


def test_a_title_match_ranks_above_documents_that_only_mention_the_word(db, library, create_user):
    delegate = create_user("delegate")
    _case("Mentioned", body="The quoll was seen; a quoll, then another quoll.")
    _case("Quoll mentoring", body="Mentors met weekly.")
    _case("Once", body="A quoll.")
    db.session.commit()
    assert _titles(search.search(delegate, "quoll")) == ["Quoll mentoring", "Mentioned", "Once"]


def test_every_word_must_match_and_the_rarer_word_weighs_more(db, library, create_user):
    delegate = create_user("delegate")
    for i in range(6):
        _case(f"Common {i}", body="dunnart everywhere")
    _case("Rare many", body="dunnart kowari kowari kowari")
    _case("Common many", body="kowari dunnart dunnart dunnart")
    db.session.commit()
    found = search.search(delegate, "kowari dunnart")
    assert _titles(found) == ["Rare many", "Common many"]  # kowari is in 2 documents, dunnart in 8
    assert found.total == 2 and found.hits[0].score > found.hits[1].score > 0


def test_stems_from_four_letters_match_longer_terms_shorter_ones_only_themselves(db, library, create_user):
    delegate = create_user("delegate")
    _case("Wallaroo", body="wallaroos and the ox")
    _case("Oxen", body="oxen")
    db.session.commit()
    assert _titles(search.search(delegate, "wall")) == ["Wallaroo"]
    assert _titles(search.search(delegate, "ox")) == ["Wallaroo"]  # "oxen" is not "ox"


def test_a_search_with_no_words_is_newest_first_and_edits_rewrite_the_postings(db, library, create_user):
    secretariat = create_user("secretariat")
    item = _case("Potoroo", body="potoroo")
    db.session.commit()
    assert _titles(search.search(secretariat, "", per_page=1)) == ["Potoroo"]
    items.save_case_study(
        item, {"title": "Bandicoot", "country": "KZ", "year_from": 2024, "summary": "bandicoot"}, secretariat
    )
    db.session.commit()
    doc = db.session.scalar(select(SearchDoc).where(SearchDoc.item_id == item.id, SearchDoc.item_kind == "case_study"))
    terms = set(db.session.scalars(select(SearchTerm.term).where(SearchTerm.doc_id == doc.id)))
    assert "bandicoot" in terms and "potoroo" not in terms
    assert doc.tag_set == ""


@pytest.mark.committing
def test_migration_0015_writes_the_postings_and_tag_sets_and_downgrade_restores_the_full_text_index(app, db, library):
    def postings():
        with db.engine.connect() as conn:
            return set(conn.execute(text("SELECT term, doc_id, weight FROM search_term")))

    def tag_sets():
        with db.engine.connect() as conn:
            return dict(conn.execute(text("SELECT id, tag_set FROM search_doc")).all())

    written, tags = postings(), tag_sets()
    assert len(written) > 100 and any(t for t in tags.values())
    assert all(t == " ".join(sorted(t.split())) and all(":" in x for x in t.split()) for t in tags.values())
    flask_migrate.downgrade(revision="0014")
    db.engine.dispose()
    assert "search_term" not in inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            found = conn.scalar(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'stigma'"))
        else:
            found = conn.scalar(text("SELECT count(*) FROM search_doc WHERE search_vector @@ 'stigma'::tsquery"))
    assert found >= 1  # the full-text index of 0005 was built again over the stored documents
    flask_migrate.upgrade()
    db.engine.dispose()
    assert postings() == written and tag_sets() == tags
