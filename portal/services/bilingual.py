"""Text a person writes in both languages: an English column `<field>` with its Russian
counterpart `<field>_ru` beside it. The reader sees their own language, or the other one,
marked as such, when theirs is missing (templates: macros/bilingual.html)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l

# The badge beside text shown in the other language, by the language shown.
ONLY_IN = {"en": _l("English only"), "ru": _l("Russian only")}


class Shown(NamedTuple):
    """What the reader sees of a bilingual text: the text, its language, and whether it is the
    other language standing in for the reader's own (is_fallback)."""

    text: Any
    language: str
    is_fallback: bool

    def map(self, render: Callable[[str], Any]) -> Shown:
        """The same choice with its text rendered (Markdown to HTML, a search snippet)."""
        return self._replace(text=render(self.text))

    @property
    def badge(self) -> str:
        return str(ONLY_IN[self.language]) if self.is_fallback else ""


def pick(english: str | None, russian: str | None, locale: str) -> Shown:
    """The reader's language when it has text, else the other one marked as a fallback; when
    neither has text, an empty text in the reader's language."""
    texts = {"en": (english or "").strip(), "ru": (russian or "").strip()}
    mine = "ru" if locale == "ru" else "en"
    other = "en" if mine == "ru" else "ru"
    if texts[mine] or not texts[other]:
        return Shown(texts[mine], mine, False)
    return Shown(texts[other], other, True)


def field(obj: object, name: str, locale: str) -> Shown:
    """pick() over an object's `<name>` and `<name>_ru`."""
    return pick(getattr(obj, name, ""), getattr(obj, f"{name}_ru", ""), locale)


def is_cyrillic(text: str | None) -> bool:
    """More Cyrillic letters than Latin ones: the text is taken to be Russian."""
    letters = [c for c in text or "" if c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    return cyrillic > len(letters) - cyrillic


def script_language(text: object) -> str:
    """The language a free text (a country's note, an e-mail subject, a title in the audit
    trail) is most likely in, by its letters (is_cyrillic): "ru" or "en". Pages mark such
    text with it (lang=...), so it is read aloud, and checked, as what it is."""
    return "ru" if is_cyrillic(str(text or "")) else "en"


def frozen(value: Any, locale: str, html: bool = False) -> Shown:
    """pick() over a text frozen in a snapshot (a compiled brief): {"en", "ru"}, or one string
    from an edition compiled before it had both, whose language is told from its letters.
    `html`: the text is sanitised HTML (Markup), as the snapshot keeps a section's body."""
    if isinstance(value, dict):
        shown = pick(value.get("en"), value.get("ru"), locale)
    else:
        text = value or ""
        shown = pick("", text, locale) if is_cyrillic(text) else pick(text, "", locale)
    if html:
        from markupsafe import Markup

        return shown.map(Markup)
    return shown
