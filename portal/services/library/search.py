"""Full-text search over the library, one service for both databases.

The index (`search_doc`) holds each item's stemmed terms (terms.py); SQLite matches them with
FTS5 (ranked by bm25, title weighted 4:1), PostgreSQL with a generated tsvector and a GIN
index (ranked by ts_rank_cd, title weight A over body B). The user's words become quoted
terms (prefix-matched from four letters), never query syntax. Facet counts are over the
results as filtered; only what the user may see is ever counted or returned.

Per search: one statement counts every facet (and so the total) over a CTE of the match; one
ranks the matches in the database and returns the page's ids and scores; one reads the page's
documents for their snippets (bench/search.py times it)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnClause, Integer, column, func, literal_column, null, select, table, text, true, union_all
from sqlalchemy.orm import defer

from ...extensions import db
from ...models import CaseStudy, Country, Region, SearchDoc, SearchTag
from ...models.library import LIBRARY_MODELS
from . import access
from .terms import query_terms, snippet, terms

FTS = table("search_fts", column("rowid", Integer))
PER_PAGE = 10
FACETS = ("type", "country", "region", "theme", "target", "year", "language")
SORTS = ("relevance", "date")


def _plain(item) -> str:
    if isinstance(item, CaseStudy):
        return "\n".join([item.summary, item.body, item.results, item.lessons])
    measures = "\n".join(f"{m.text} {m.agencies}" for m in item.measures)
    return "\n".join([item.summary, item.objectives, item.authority, item.instrument, measures])


def index_item(item) -> SearchDoc:
    """Write (or rewrite) the item's search document; the FTS index follows by trigger/generated column."""
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
    db.session.flush()
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


def _match(stems: list[str]):
    """(WHERE clause, (id, score) over the matches, best-first ordering) for the stemmed query."""
    if db.engine.dialect.name == "postgresql":
        query = " & ".join(f"'{t}':*" if len(t) >= 4 else f"'{t}'" for t in stems)
        tsquery = func.to_tsquery("simple", query)
        vector: ColumnClause[Any] = literal_column("search_doc.search_vector")
        score = func.ts_rank_cd(vector, tsquery)
        clause = vector.op("@@")(tsquery)
        return clause, select(SearchDoc.id, score).where(clause), score.desc()
    query = " ".join(f'"{t}"*' if len(t) >= 4 else f'"{t}"' for t in stems)
    matching = literal_column("search_fts").op("MATCH")(query)
    fts = (
        select(FTS.c.rowid.label("rowid"), func.bm25(literal_column("search_fts"), 4.0, 1.0).label("score"))
        .where(matching)
        .subquery("fts")
    )
    ranked = select(SearchDoc.id, fts.c.score).select_from(fts).join(SearchDoc, SearchDoc.id == fts.c.rowid)
    return SearchDoc.id.in_(select(FTS.c.rowid).where(matching)), ranked, fts.c.score.asc()


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
    # PostgreSQL's planner prices a sequential scan below the GIN index on a table this size,
    # not counting that each row's tsvector must be de-TOASTed to test it: on 10,000 documents the
    # seq scan is many times slower than the index (bench/search.py prints the search's time). So
    # the search's own statements run with seq scans discouraged, and the settings are put back.
    # JIT off too: the discouraged plans' notional cost is above jit_above_cost, and compiling
    # them costs more than the query itself.
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
    if stems:
        clause, ranked, order = _match(stems)
        matched = [*where, clause]
        ranked = ranked.where(*where)
    else:
        matched, ranked, order = where, select(SearchDoc.id, literal_column("0")).where(*where), None
    facets, total = _facets(matched)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    # The database ranks the matches and returns only the page's ids and scores; the page's
    # documents (with their text, for the snippets) are then read by primary key.
    offset = (page - 1) * per_page
    if order is not None and sort == "relevance" and db.engine.dialect.name != "postgresql":
        page_stmt = _best_first(ranked, offset, per_page)
    else:
        ordering = [order] if (order is not None and sort == "relevance") else []
        ordering += [SearchDoc.updated_at.desc(), SearchDoc.id.desc()]
        page_stmt = ranked.order_by(*ordering).limit(per_page).offset(offset)
    chosen = db.session.execute(page_stmt).all()
    stmt = select(SearchDoc).options(defer(SearchDoc.title_terms), defer(SearchDoc.text_terms))
    docs = (
        {d.id: d for d in db.session.scalars(stmt.where(SearchDoc.id.in_([i for i, _s in chosen])))} if chosen else {}
    )
    hits = [
        Hit(docs[i], float(s or 0), snippet(docs[i].title, stems, 300), snippet(docs[i].text, stems)) for i, s in chosen
    ]
    return Results(q, hits, total, page, pages, sort, filters, facets)


def _best_first(ranked, offset: int, per_page: int):
    """SQLite: the page of the matches by bm25 (lower is better), ties by date. `updated_at` is
    the row's last column, past the long text in the row's overflow pages, so it is read only
    for the matches scoring no worse than the page's last place: those are a prefix of the
    ordering (score first), so the page is the same as ordering every match."""
    scored = ranked.cte("scored").prefix_with("MATERIALIZED")
    cut = select(scored.c.score).order_by(scored.c.score).limit(1).offset(offset + per_page - 1).scalar_subquery()
    return (
        select(scored.c.id, scored.c.score)
        .join(SearchDoc, SearchDoc.id == scored.c.id)
        .where(scored.c.score <= func.coalesce(cut, scored.c.score))
        .order_by(scored.c.score, SearchDoc.updated_at.desc(), SearchDoc.id.desc())
        .limit(per_page)
        .offset(offset)
    )


def _facets(matched: list) -> tuple[dict, int]:
    """Every facet's counts over the matches, and their total, in one statement: the match is
    a (materialised) CTE, grouped by the document's own facets and joined to its tags — the
    matching ids never leave the database."""
    places = {
        cid: (iso, region)
        for cid, iso, region in db.session.execute(
            select(Country.id, Country.iso2, Region.code).join(Region, Region.id == Country.region_id)
        )
    }
    m = (
        select(SearchDoc.id, SearchDoc.item_kind, SearchDoc.country_id, SearchDoc.year, SearchDoc.language)
        .where(*matched)
        .cte("matched")
        .prefix_with("MATERIALIZED")
    )
    own = (m.c.item_kind, m.c.country_id, m.c.year, m.c.language)
    no_tag = (null().label("facet"), null().label("value"))
    if db.engine.dialect.name == "postgresql":
        # Each match's tags by the primary key (a LATERAL lookup, kept apart by OFFSET 0): joined
        # plainly, PostgreSQL hashes the whole tag table first, by index with seq scans off.
        lookup = select(SearchTag.facet, SearchTag.value).where(SearchTag.doc_id == m.c.id).offset(0).lateral("tags")
        tags = select(lookup.c.facet, lookup.c.value).select_from(m).join(lookup, true()).subquery("tag")
    else:
        # `+ 0`: SQLite would otherwise scan every tag (in the (facet, value) index's order, for
        # the GROUP BY) and probe the matches, instead of looking up the matches' tags.
        tags = (
            select(SearchTag.facet, SearchTag.value)
            .join_from(m, SearchTag, SearchTag.doc_id == m.c.id + 0)
            .subquery("tag")
        )
    grouped = union_all(
        select(*own, *no_tag, func.count().label("n")).group_by(*own),
        select(null(), null(), null(), null(), tags.c.facet, tags.c.value, func.count()).group_by(
            tags.c.facet, tags.c.value
        ),
    )
    counts: dict[str, dict] = {f: {} for f in FACETS}
    total = 0
    for kind, country_id, year, language, tag_facet, tag_value, n in db.session.execute(grouped):
        if tag_facet is not None:
            counts[tag_facet][tag_value] = n
            continue
        total += n
        country, region = places[country_id]
        for facet, value in (
            ("type", kind),
            ("country", country),
            ("region", region),
            ("year", year),
            ("language", language),
        ):
            if value is not None:
                counts[facet][value] = counts[facet].get(value, 0) + n
    ordered = {f: sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0]))) for f, c in counts.items()}
    ordered["year"] = sorted(counts["year"].items(), key=lambda kv: -kv[0])
    return ordered, total


def item_for(doc: SearchDoc):
    return db.session.get(LIBRARY_MODELS[doc.item_kind], doc.item_id)
