"""No live formulas in what the portal exports (OWASP, "CSV Injection").

A spreadsheet program reads a field that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return as a formula, in a CSV file and in any text typed back into a cell. Notes, texts and
names come from uploads, so every text written to a CSV or XLSX cell goes through
`safe_text`, which puts a single quote in front of such a text: Excel and LibreOffice show
it as written and never run it. Numbers (a negative one included) are left as numbers.

XLSX writers must in addition store text as text: openpyxl turns any string that starts with
"=" into a formula, which the quote prevents; the streaming writer (`xlsx_stream`) writes
shared strings only.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """`value` unchanged unless it is a text that a spreadsheet would read as a formula; then
    the same text after a single quote."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + str.__str__(value)  # a plain str, also for Markup
    return value


def safe_row(values) -> list:
    """`safe_text` of each value of a row."""
    return [safe_text(v) for v in values]
