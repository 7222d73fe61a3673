"""Breakdown columns and units as a reader reads them, in the current language (no openpyxl
here: pages name columns without loading the workbook code)."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale
from flask_babel import gettext as _


def column_captions() -> dict[str, str]:
    """Breakdown columns in the current language. Built once per language and process: a page
    of a return names a column a few hundred times, and each gettext call costs ~40 µs."""
    return dict(_column_captions(str(get_locale())))


@lru_cache(maxsize=16)
def _column_captions(_locale: str) -> dict[str, str]:
    return {
        "Code": _("Code"),
        "Indicator": _("Indicator"),
        "Unit": _("Unit"),
        "Men": _("Men"),
        "Women": _("Women"),
        "Boys": _("Boys"),
        "Girls": _("Girls"),
        "Male": _("Male"),
        "Female": _("Female"),
        "Syria": _("Syria"),
        "Iraq": _("Iraq"),
        "Other": _("Other"),
        "Total": _("Total"),
        "Value": _("Value"),
        "Notes": _("Notes"),
    }


def unit_captions() -> dict[str, str]:
    """Units in the current language (built once per language, as column_captions)."""
    return dict(_unit_captions(str(get_locale())))


@lru_cache(maxsize=16)
def _unit_captions(_locale: str) -> dict[str, str]:
    return {
        "count": _("count"),
        "percent": _("percent (0–100)"),
        "years": _("years"),
        "days": _("days"),
        "amount": _("amount"),
        "boolean": _("yes/no"),
        "text": _("text"),
        "flow": _("in the period"),
        "stock": _("at the end of the period"),
    }
