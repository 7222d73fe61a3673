"""Matching and ranking over the postings, the same statements on SQLite and PostgreSQL.

Each document's terms are stored with a precomputed weight (`search_term`: term, doc_id,
weight), BM25's term-frequency part with a fixed reference length: a title term counts
TITLE_WEIGHT times, a term weighs more the more often it occurs and less the longer the
document. A query is a list of stems (terms.query_terms; from four letters a stem matches
every term it begins, shorter ones only themselves); a document matches when it has every
stem, and scores the sum of its matching postings' weights, each stem's times its IDF (how
rare it is among all documents; one stem alone needs none). Both are a range read of the
postings' key, which holds the weight, and a grouped sum — no document row, no stored
vector, is read to rank — and integers, so both databases order the same documents the same
way (ties by date, in search.py)."""

from __future__ import annotations

import math
from collections import Counter

from sqlalchemy import Select, distinct, func, literal, select, union_all

from ...extensions import db
from ...models import SearchDoc, SearchTerm

TITLE_WEIGHT = 4
K1, B, REFERENCE_LENGTH = 1.2, 0.75, 500
SCALE = 1000  # weights are integers: SCALE × the term's BM25 term-frequency score
MAX_TERM = 60  # longer terms are cut (the column's width); a cut query stem still prefix-matches
PREFIX_FROM = 4
T = SearchTerm.__table__


def _clean(stems: str) -> list[str]:
    return [t for t in (s.replace("_", "")[:MAX_TERM] for s in stems.split()) if t]


def postings(title_terms: str, text_terms: str) -> dict[str, int]:
    """A document's stemmed title and text → {term: weight}, the rows of `search_term`."""
    title, body = _clean(title_terms), _clean(text_terms)
    tf: Counter[str] = Counter(body)
    for term in title:
        tf[term] += TITLE_WEIGHT
    length = TITLE_WEIGHT * len(title) + len(body)
    norm = K1 * (1 - B + B * length / REFERENCE_LENGTH)
    return {term: max(1, round(SCALE * f * (K1 + 1) / (f + norm))) for term, f in tf.items()}


def _after(stem: str) -> str:
    """The least string above every string beginning with `stem` (code-point order, which is
    SQLite's BINARY and PostgreSQL's "C" collation of the column)."""
    nxt = ord(stem[-1]) + 1
    return stem[:-1] + chr(0xE000 if 0xD800 <= nxt <= 0xDFFF else min(nxt, 0x10FFFF))


def _term(stem: str):
    stem = stem[:MAX_TERM]
    if len(stem) >= PREFIX_FROM:
        return (T.c.term >= stem) & (T.c.term < _after(stem))
    return T.c.term == stem


def _idf(stems: list[str]) -> list[int]:
    """Each stem's IDF (BM25's, × 100 as an integer): one statement counting the documents
    with it, and all documents."""
    counts = [select(func.count(distinct(T.c.doc_id))).where(_term(s)).scalar_subquery() for s in stems]
    n, *dfs = db.session.execute(select(select(func.count()).select_from(SearchDoc).scalar_subquery(), *counts)).one()
    return [max(1, round(100 * math.log(1 + (n - df + 0.5) / (df + 0.5)))) for df in dfs]


def scored(stems: list[str]) -> Select:
    """(doc_id, score) of every document with all the stems."""
    factors = _idf(stems) if len(stems) > 1 else [1]
    parts = [
        select(T.c.doc_id, literal(i).label("i"), (T.c.weight * factor).label("w")).where(_term(stem))
        for i, (stem, factor) in enumerate(zip(stems, factors, strict=True))
    ]
    hits = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("hits")
    grouped = select(hits.c.doc_id, func.sum(hits.c.w).label("score")).group_by(hits.c.doc_id)
    return grouped.having(func.count(distinct(hits.c.i)) == len(stems)) if len(stems) > 1 else grouped
