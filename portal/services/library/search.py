"""Full-text search over the library, one service for both databases.

The index (`search_doc`) holds each item's stemmed terms (terms.py); SQLite matches them with
FTS5 (ranked by bm25, title weighted 4:1), PostgreSQL with a generated tsvector and a GIN
index (ranked by ts_rank_cd, title weight A over body B). The user's words become quoted
terms (prefix-matched from four letters), never query syntax. Facet counts are over the
results as filtered; only what the user may see is ever counted or returned."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnClause, Integer, any_, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import ARRAY
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
    """(WHERE clause, score expression, best-first ordering) for the stemmed query."""
    if db.engine.dialect.name == "postgresql":
        query = " & ".join(f"'{t}':*" if len(t) >= 4 else f"'{t}'" for t in stems)
        tsquery = func.to_tsquery("simple", query)
        vector: ColumnClause[Any] = literal_column("search_doc.search_vector")
        score = func.ts_rank_cd(vector, tsquery)
        return vector.op("@@")(tsquery), score, score.desc()
    query = " ".join(f'"{t}"*' if len(t) >= 4 else f'"{t}"' for t in stems)
    fts = (
        select(FTS.c.rowid.label("rowid"), func.bm25(literal_column("search_fts"), 4.0, 1.0).label("score"))
        .where(literal_column("search_fts").op("MATCH")(query))
        .subquery("fts")
    )
    return SearchDoc.id.in_(select(fts.c.rowid)), fts, fts.c.score.asc()


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
    score, order = None, None
    stmt = select(SearchDoc).options(defer(SearchDoc.title_terms), defer(SearchDoc.text_terms))
    if stems:
        clause, scored, order = _match(stems)
        if db.engine.dialect.name == "postgresql":
            where.append(clause)
            score = scored
        else:
            stmt = stmt.join(scored, scored.c.rowid == SearchDoc.id)
            score = scored.c.score
    ordering = [order] if (order is not None and sort == "relevance") else []  # order is set with score
    ordering += [SearchDoc.updated_at.desc(), SearchDoc.id.desc()]
    if db.engine.dialect.name == "postgresql":
        # One ranked pass over the matches gives the total, the page and the ids the facets
        # are counted over (by primary key). Re-running the match inside each facet query
        # made the planner scan the table (slower by far; bench/search.py).
        ranked = select(SearchDoc.id, score if score is not None else literal_column("0")).where(*where)
        result = db.session.connection().execute(ranked.order_by(*ordering))
        matches = result.cursor.fetchall()
        result.close()
        total = len(matches)
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        chosen = matches[(page - 1) * per_page : page * per_page]
        docs = (
            {d.id: d for d in db.session.scalars(stmt.where(SearchDoc.id.in_([i for i, _s in chosen])))}
            if chosen
            else {}
        )
        rows: Sequence[tuple[SearchDoc, Any]] = [(docs[i], s) for i, s in chosen]
        ids = bindparam("matched", [i for i, _s in matches], type_=ARRAY(Integer))
        in_docs, in_tags = SearchDoc.id == any_(ids), SearchTag.doc_id == any_(ids)
    else:
        matched = select(SearchDoc.id).where(*where)
        if stems:
            matched = matched.where(clause)
        total = db.session.scalar(select(func.count()).select_from(matched.subquery())) or 0
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        page_stmt = stmt.add_columns(score if score is not None else literal_column("0")).where(*where)
        rows = db.session.execute(page_stmt.order_by(*ordering).limit(per_page).offset((page - 1) * per_page)).all()
        in_docs, in_tags = SearchDoc.id.in_(matched), SearchTag.doc_id.in_(matched)
    hits = [Hit(doc, float(s or 0), snippet(doc.title, stems, 300), snippet(doc.text, stems)) for doc, s in rows]
    return Results(q, hits, total, page, pages, sort, filters, _facets(in_docs, in_tags))


def _facets(in_docs, in_tags) -> dict:
    places = {
        cid: (iso, region)
        for cid, iso, region in db.session.execute(
            select(Country.id, Country.iso2, Region.code).join(Region, Region.id == Country.region_id)
        )
    }
    combos = db.session.execute(
        select(SearchDoc.item_kind, SearchDoc.country_id, SearchDoc.year, SearchDoc.language, func.count())
        .where(in_docs)
        .group_by(SearchDoc.item_kind, SearchDoc.country_id, SearchDoc.year, SearchDoc.language)
    ).all()
    counts: dict[str, dict] = {f: {} for f in FACETS}
    for kind, country_id, year, language, n in combos:
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
    if db.engine.dialect.name == "postgresql":
        # Counted here: with GROUP BY, PostgreSQL walks the whole (facet, value) index for its
        # order instead of looking up the matched documents (slower; bench/search.py).
        result = db.session.connection().execute(select(SearchTag.facet, SearchTag.value).where(in_tags))
        tags = Counter(result.cursor.fetchall())  # the driver's tuples: hashing Row objects cost more
        result.close()
        rows: Sequence[tuple[Any, Any, int]] = [(facet, value, n) for (facet, value), n in tags.items()]
    else:
        rows = db.session.execute(
            select(SearchTag.facet, SearchTag.value, func.count())
            .where(in_tags)
            .group_by(SearchTag.facet, SearchTag.value)
        ).all()
    for facet, value, n in rows:
        counts[facet][value] = n
    ordered = {f: sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0]))) for f, c in counts.items()}
    ordered["year"] = sorted(counts["year"].items(), key=lambda kv: -kv[0])
    return ordered


def item_for(doc: SearchDoc):
    return db.session.get(LIBRARY_MODELS[doc.item_kind], doc.item_id)
