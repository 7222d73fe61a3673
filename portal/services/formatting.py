"""Numbers, percentages and dates as the reader writes them, one way across the portal.

Babel does the work (CLDR data): "12 345" and "73,3" in Russian, "12,345" and "73.3" in
English; a whole count never gets a ".0"; a percentage keeps one decimal ("73,3 %", "100,0 %");
dates are day, short month, year in both languages ("3 Dec 2026", "3 дек. 2026") and times
are the portal's clock, UTC, said so. Pages use these as Jinja filters (portal/jinja.py:
`num`, `pct`, `date`, `datetime`); services pass the locale they write for (a brief compiled in
both languages, an export in the reader's).

Machine outputs do not: CSV and XLSX cells hold numbers, and an SDMX or JSON value is a number.
"""

from __future__ import annotations

import math
from datetime import UTC
from datetime import date as Date
from datetime import datetime as DateTime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask_babel import get_locale

DATE = "d MMM y"
DATETIME = "d MMM y, HH:mm"


def _locale(locale: str | None) -> str:
    if locale:
        return locale
    found = get_locale()  # the request's (flask_babel), else the configured default
    return found.language if found else "en"


def number(value: float | int | str | None, locale: str | None = None, digits: int = 2) -> str:
    """A count or an amount: whole numbers without decimals, others with up to `digits`. Text
    (a "c" for a value not shown) is given back as it is."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    loc = _locale(locale)
    if float(value).is_integer():
        return format_decimal(int(value), "#,##0", locale=loc)
    return format_decimal(value, "#,##0." + "#" * digits, locale=loc)


@lru_cache(maxsize=8)
def _percent_affixes(locale: str) -> tuple[str, str]:
    """What the locale writes around a percentage's number: ("", "%") / ("", "\xa0%")."""
    pattern = Locale.parse(locale).percent_formats[None].pattern  # "#,##0%" / "#,##0\xa0%"
    before, _number, after = pattern.partition("#,##0")
    return before, after


def percent(value: float | None, locale: str | None = None, digits: int = 1) -> str:
    """A share given in per cent (73.3 → "73.3%" / "73,3 %")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    loc = _locale(locale)
    before, after = _percent_affixes(loc)
    return before + format_decimal(value, "#,##0" + ("." + "0" * digits if digits else ""), locale=loc) + after


def date(value: Date | DateTime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    return format_date(value, DATE, locale=_locale(locale))


def datetime(value: DateTime | None, locale: str | None = None) -> str:
    """A stored moment (UTC) with its zone named."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return format_datetime(value, DATETIME, locale=_locale(locale)) + " UTC"
