"""Words → search terms, the same way for SQLite and PostgreSQL: lower-cased, Snowball-stemmed
(Russian stemmer for Cyrillic words, English for the rest), so "стигмы" finds "стигма" and
"children" finds "child" on both databases. Also the highlighted snippets shown in results."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from markupsafe import Markup, escape

WORD = re.compile(r"\w+", re.UNICODE)
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
MAX_QUERY_TERMS = 12
_stemmers = {"en": snowballstemmer.stemmer("english"), "ru": snowballstemmer.stemmer("russian")}


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    word = word.lower().replace("ё", "е")
    return _stemmers["ru" if CYRILLIC.search(word) else "en"].stemWord(word)


def terms(text: str) -> str:
    """Text → space-separated stems, what the full-text index holds."""
    return " ".join(stem(w) for w in WORD.findall(text or ""))


def query_terms(query: str) -> list[str]:
    """A user's search → stems. Only word characters survive, so nothing the user types is
    ever read as query syntax (quotes, AND/OR/NEAR, *, :, column filters, SQL)."""
    out = []
    for word in WORD.findall(query or ""):
        if word.upper() in ("AND", "OR", "NOT", "NEAR") and word.isupper():
            continue
        term = stem(word).replace("_", "")
        if term and term not in out:
            out.append(term)
    return out[:MAX_QUERY_TERMS]


def _matches(text: str, wanted: list[str]):
    """Words of `text` whose stem starts with a wanted term. A regex on each term's first four
    letters finds the few candidates, so a long text is not stemmed word by word."""
    if not wanted:
        return
    heads = sorted({t[:4] for t in wanted}, key=len, reverse=True)
    candidates = re.compile(r"\b(?:" + "|".join(re.escape(h) for h in heads) + r")\w*", re.IGNORECASE)
    for m in candidates.finditer(text):
        if any(stem(m.group()).startswith(t) for t in wanted):
            yield m


def snippet(text: str, wanted: list[str], width: int = 240) -> Markup:
    """A window of `text` around the first matching word, matches wrapped in <mark>."""
    text = " ".join((text or "").split())
    if not text:
        return Markup("")
    first = next(_matches(text, wanted), None)
    start = max(0, first.start() - width // 3) if first else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + width)
    out, pos = [Markup("…") if start else Markup("")], start
    for m in _matches(text[start:end], wanted):
        m_start, m_end = start + m.start(), start + m.end()
        if m_end >= end and end < len(text) and text[end : end + 1].isalnum():
            break  # a word cut by the window's edge
        out.append(escape(text[pos:m_start]))
        out.append(Markup("<mark>%s</mark>") % m.group())
        pos = m_end
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)
