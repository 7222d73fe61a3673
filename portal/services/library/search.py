"""Full-text search over the library, one service for both databases.

The index (`search_doc`) holds each item's stemmed terms (terms.py) and their postings
(`search_term`, one per term with its weight in the document): both databases match and rank
by the postings with the same statements (ranking.py), so they find and order the same
documents. The user's words become stems, never query syntax. Facet counts are over the
results as filtered; only what the user may see is ever counted or returned.

Per search: (for two or more stems, one counts how rare each is); one statement counts every
facet (and so the total) over a CTE of the match; one ranks the matches in the database and
returns the page's ids and scores; one reads the page's documents for their snippets
(bench/search.py times it)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, Select, cast, delete, func, insert, literal_column, null, select, text, union_all
from sqlalchemy.orm import defer

from ...extensions import db
from ...models import CaseStudy, Country, Region, SearchDoc, SearchTag, SearchTerm
from ...models.library import LIBRARY_MODELS
from . import access, ranking
from .terms import query_terms, snippet, terms

PER_PAGE = 10
FACETS = ("type", "country", "region", "theme", "target", "year", "language")
SORTS = ("relevance", "date")


def _plain(item) -> str:
    if isinstance(item, CaseStudy):
        return "\n".join([item.summary, item.body, item.results, item.lessons])
    # A plan is one document in both its languages: a reader finds it by either's words.
    measures = "\n".join(f"{m.text} {m.agencies} {m.text_ru or ''} {m.agencies_ru or ''}" for m in item.measures)
    fields = ("summary", "objectives", "authority", "instrument")
    english = [getattr(item, f) or "" for f in fields]
    russian = [getattr(item, f"{f}_ru", "") or "" for f in fields]
    return "\n".join([*english, *russian, measures])


def index_item(item) -> SearchDoc:
    """Write (or rewrite) the item's search document and its postings."""
    doc = db.session.scalar(select(SearchDoc).where(SearchDoc.item_kind == item.kind, SearchDoc.item_id == item.id))
    if doc is None:
        doc = SearchDoc(item_kind=item.kind, item_id=item.id)
        db.session.add(doc)
    title = item.title + (f" {item.title_ru}" if getattr(item, "title_ru", "") else "")
    text = _plain(item)
    doc.country_id, doc.language, doc.state, doc.visibility = (
        item.country_id,
        item.language,
        item.state,
        item.visibility,
    )
    doc.year = item.year_from if isinstance(item, CaseStudy) else item.start_year
    doc.title, doc.text = item.title, text
    doc.title_terms, doc.text_terms = terms(title), terms(text)
    doc.updated_at = item.updated_at
    tags = [("theme", t) for t in getattr(item, "themes", [])] + [
        ("target", t) for t in getattr(item, "target_groups", [])
    ]
    doc.tags = [SearchTag(facet=f, value=v) for f, v in dict.fromkeys(tags)]
    doc.tag_set = " ".join(sorted({f"{f}:{v}" for f, v in tags}))
    db.session.flush()
    db.session.execute(delete(SearchTerm).where(SearchTerm.doc_id == doc.id))
    weights = ranking.postings(doc.title_terms, doc.text_terms)
    if weights:
        db.session.execute(insert(SearchTerm), [{"term": t, "doc_id": doc.id, "weight": w} for t, w in weights.items()])
    return doc


@dataclass
class Hit:
    doc: SearchDoc
    score: float
    title: object
    snippet: object


@dataclass
class Results:
    query: str
    hits: list[Hit]
    total: int
    page: int
    pages: int
    sort: str
    filters: dict
    facets: dict = field(default_factory=dict)  # facet -> [(value, count)], most first


def _filters(filters: dict) -> list:
    clauses = []
    if filters.get("type"):
        clauses.append(SearchDoc.item_kind.in_(filters["type"]))
    if filters.get("country"):
        clauses.append(SearchDoc.country_id.in_(select(Country.id).where(Country.iso2.in_(filters["country"]))))
    if filters.get("region"):
        clauses.append(
            SearchDoc.country_id.in_(select(Country.id).join(Region).where(Region.code.in_(filters["region"])))
        )
    if filters.get("language"):
        clauses.append(SearchDoc.language.in_(filters["language"]))
    if filters.get("year"):
        clauses.append(SearchDoc.year.in_([int(y) for y in filters["year"] if str(y).isdigit()]))
    for facet in ("theme", "target"):
        if filters.get(facet):
            clauses.append(
                SearchDoc.id.in_(
                    select(SearchTag.doc_id).where(SearchTag.facet == facet, SearchTag.value.in_(filters[facet]))
                )
            )
    return clauses


def search(
    user, q: str = "", filters: dict | None = None, sort: str = "relevance", page: int = 1, per_page: int = PER_PAGE
) -> Results:
    if db.engine.dialect.name != "postgresql":
        return _search(user, q, filters, sort, page, per_page)
    # The search's own statements run with seq scans discouraged (and the settings put back):
    # the match must be read from the postings' key and ix_search_doc_match, by index, not by
    # scanning search_doc's long rows. (Brought in for the GIN index of migration 0005, whose
    # de-TOASTed tsvectors the planner did not price; kept for the postings, whose plans
    # bench/search.py measured with it — not re-measured without.) JIT off too: the
    # discouraged plans' notional cost is above jit_above_cost, and compiling them costs more
    # than the query itself.
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    db.session.execute(text("SET LOCAL jit = off"))
    try:
        return _search(user, q, filters, sort, page, per_page)
    finally:
        db.session.execute(text("SET LOCAL enable_seqscan TO DEFAULT"))
        db.session.execute(text("SET LOCAL jit TO DEFAULT"))


def filters_from(args) -> dict:
    """Filters from a query string (repeated keys or comma-separated values)."""
    return {facet: args.getlist(facet) for facet in FACETS}


def _search(user, q: str, filters: dict | None, sort: str, page: int, per_page: int) -> Results:
    filters = {
        k: [p.strip() for v in (filters or {}).get(k, []) for p in str(v).split(",") if p.strip()] for k in FACETS
    }
    sort = sort if sort in SORTS else "relevance"
    stems = query_terms(q)
    where = [access.visible(SearchDoc, user), *_filters(filters)]
    scored = ranking.scored(stems).subquery("scored") if stems else None
    by_score = scored is not None and sort == "relevance"
    page = max(1, page)
    facets, total, chosen = _facets_and_page(where, scored, by_score, page, per_page)
    pages = max(1, math.ceil(total / per_page))
    if page > pages:  # past the end: the last page
        page = pages
        facets, total, chosen = _facets_and_page(where, scored, by_score, page, per_page)
    # The page's documents (with their text, for the snippets) are read by primary key.
    stmt = select(SearchDoc).options(defer(SearchDoc.title_terms), defer(SearchDoc.text_terms))
    docs = (
        {d.id: d for d in db.session.scalars(stmt.where(SearchDoc.id.in_([i for i, _s in chosen])))} if chosen else {}
    )
    hits = [
        Hit(docs[i], float(s or 0), snippet(docs[i].title, stems, 300), snippet(docs[i].text, stems)) for i, s in chosen
    ]
    return Results(q, hits, total, page, pages, sort, filters, facets)


def _facets_and_page(where: list, scored, by_score: bool, page: int, per_page: int):
    """Every facet's counts over the matches, their total, and the page's (id, score), in one
    statement: the matches (with what is needed of each: read from ix_search_doc_match, not
    the long rows; on SQLite named, as its planner looks a row up by its rowid otherwise) are
    a materialised CTE, grouped by the document's own facets, by its set of tags, and ordered
    for the page — best first, ties (and a search by date) newest first."""
    places = {
        cid: (iso, region)
        for cid, iso, region in db.session.execute(
            select(Country.id, Country.iso2, Region.code).join(Region, Region.id == Country.region_id)
        )
    }
    columns = (
        SearchDoc.id,
        SearchDoc.item_kind,
        SearchDoc.country_id,
        SearchDoc.year,
        SearchDoc.language,
        SearchDoc.tag_set,
        SearchDoc.updated_at,
    )
    if scored is None:
        matches: Select = select(*columns, literal_column("0").label("score"))
    else:
        matches = select(*columns, scored.c.score).join_from(scored, SearchDoc, SearchDoc.id == scored.c.doc_id)
    m = (
        matches.where(*where)
        .with_hint(SearchDoc, "INDEXED BY ix_search_doc_match", "sqlite")
        .cte("matched")
        .prefix_with("MATERIALIZED")
    )
    ordering = ([m.c.score.desc()] if by_score else []) + [m.c.updated_at.desc(), m.c.id.desc()]
    on_page = (
        select(m.c.id, m.c.score, func.row_number().over(order_by=ordering).label("place"))
        .order_by(*ordering)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery("on_page")
    )
    own = (m.c.item_kind, m.c.country_id, m.c.year, m.c.language)
    kind = literal_column
    rows = db.session.execute(
        union_all(
            select(kind("0"), *own, null(), func.count(), cast(null(), BigInteger)).group_by(*own),
            select(kind("1"), null(), null(), null(), null(), m.c.tag_set, func.count(), null()).group_by(m.c.tag_set),
            select(kind("2"), null(), on_page.c.id, on_page.c.place, null(), null(), null(), on_page.c.score),
        )
    ).all()
    counts: dict[str, dict] = {f: {} for f in FACETS}
    total, chosen = 0, []
    for row_kind, item_kind, country_id, year, language, tag_set, n, score in rows:
        if row_kind == 2:
            chosen.append((year, country_id, score))  # (place, id, score)
            continue
        if row_kind == 1:
            for tag in (tag_set or "").split():
                facet, _, value = tag.partition(":")
                counts[facet][value] = counts[facet].get(value, 0) + n
            continue
        total += n
        country, region = places[country_id]
        for facet, value in (
            ("type", item_kind),
            ("country", country),
            ("region", region),
            ("year", year),
            ("language", language),
        ):
            if value is not None:
                counts[facet][value] = counts[facet].get(value, 0) + n
    ordered = {f: sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0]))) for f, c in counts.items()}
    ordered["year"] = sorted(counts["year"].items(), key=lambda kv: -kv[0])
    return ordered, total, [(i, s) for _place, i, s in sorted(chosen)]


def item_for(doc: SearchDoc):
    return db.session.get(LIBRARY_MODELS[doc.item_kind], doc.item_id)
