"""Where things are in the Excel template — shared by the writer and the reader."""

from __future__ import annotations

META_SHEET = "_meta"
LISTS_SHEET = "Lists"
INSTRUCTIONS_SHEET = "Instructions"
HEADER_ROW = 4  # 1-based: the row with Code, Indicator, Unit, Men, …, Notes
FIRST_DATA_ROW = 5
SIGNATURE_SALT = "prr-return-template"
META_KEYS = ("template_version", "country", "period", "generated_at", "signature")
CUSTOM_PROPERTY_PREFIX = "prr_"

# Every breakdown column the template can have, in the order sheets show them.
COLUMN_ORDER = ("Men", "Women", "Boys", "Girls", "Male", "Female", "Syria", "Iraq", "Other", "Total", "Value")
FIXED_COLUMNS = ("Code", "Indicator", "Unit")
NOTES = "Notes"
MAX_NOTE = 2000  # characters in a Notes cell (reader: a longer one is an error)

STATUS_CODES = ("N/A", "N/AV", "NIL", "EST", "CONF")
YES = ("yes", "y", "true", "да", "1")
NO = ("no", "n", "false", "нет", "0")


def section_columns(template, section) -> list[str]:
    """The breakdown columns a section sheet has: the union of its indicators' schemes."""
    used = {c for ind in section.indicators for c in template.columns(ind.breakdown)}
    return [c for c in COLUMN_ORDER if c in used]
