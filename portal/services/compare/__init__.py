"""Regional comparisons of accepted returns.

`compare` is the one entry point to the aggregation (aggregate.py), and `to_xlsx`/`to_csv`
to the exports: they import pandas on a worker's first comparison, not when the app starts
(pandas is a third of an idle worker's memory; bench/load.py prints it). Everything else in
this package (selection, present, charts, page_cache) needs no pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

COUNCIL = "council"  # the group of every council member, after the regions

if TYPE_CHECKING:
    from ..disclosure import Audience
    from .aggregate import Comparison
    from .selection import Selection


def compare(selection: Selection, audience: Audience) -> Comparison:
    from .aggregate import compare as run

    return run(selection, audience)


def to_xlsx(comparison: Comparison, locale: str) -> bytes:
    from .export import to_xlsx as write

    return write(comparison, locale)


def to_csv(comparison: Comparison, locale: str) -> str:
    from .export import to_csv as write

    return write(comparison, locale)
