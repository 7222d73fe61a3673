"""Which cells of a comparison's grid an audience may not see (services/disclosure.py decides,
per return version; this module finds the versions concerned and places the answer).

For an audience that sees everything it costs nothing. For everyone else without a small-cell
threshold, each version stored since migration 0011 carries its answer (`withheld`, worked out
when it was stored), read with the versions themselves. For older versions, and with a
threshold, one query through the partial index ix_return_value_confidential finds the versions
in use that hold a CONF cell (with a threshold every version is concerned), and a second reads those
versions' cells of the chosen indicators and of every indicator tied to them by a relation (such
as REP01O.Total = REP01.Total, which ties a shown cell to one not asked for).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import orjson
from sqlalchemy import select

from ...extensions import db
from ...models import ReturnValue
from .. import disclosure
from .columns import fetch_columns, in_json, json_column


def hidden_rows(grid, selection, versions: dict, ids_json: str, locate, audience) -> tuple[np.ndarray, np.ndarray]:
    """Grid masks: cells hidden ("c"), and cells whose note is withheld. `versions` are the
    comparison's versions in use, with their stored `withheld` unless the audience sees all."""
    n = len(grid.cell)
    hidden, withheld = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if audience.sees_all:
        return hidden, withheld
    out_hidden: list[tuple] = []
    unworked: dict[int, tuple[str, str]] = {}
    for vid, iso, period, stored in zip(versions["id"], versions["country"], versions["period"], versions["withheld"]):
        if audience.sees(iso):
            continue
        answer = None if audience.small_cells else _stored(stored)
        if answer is None:
            unworked[vid] = (iso, period)
        else:
            out_hidden.extend((vid, ind, col) for ind, col in answer)
    if unworked:
        out_hidden.extend(_worked_out(selection, unworked, ids_json, audience))
    if out_hidden:
        _place(grid, locate, out_hidden, hidden, withheld)
    return hidden, withheld


def _stored(stored) -> list | None:
    """A version's stored answer as read through json_column: a JSON text on SQLite, a list on
    PostgreSQL; None for a version stored before migration 0011."""
    if stored == "[]":
        return []  # most versions: nothing to parse
    return orjson.loads(stored) if isinstance(stored, str) else stored


def _worked_out(selection, outsiders: dict, ids_json: str, audience) -> list[tuple]:
    """(version, indicator, column) hidden, for versions without a stored answer."""
    templates = dict(selection.history)
    # Only cells tied to the chosen indicators by a relation can change what is hidden of them.
    distinct = {t.id: t for t in templates.values()}.values()
    related = sorted(set().union(*(disclosure.related_indicators(t, selection.indicators) for t in distinct)))
    concerned = set(outsiders)
    if concerned and not audience.small_cells:
        concerned &= set(
            db.session.scalars(
                select(ReturnValue.version_id)
                .distinct()
                .where(
                    ReturnValue.status == "CONF",
                    in_json(ReturnValue.version_id, ids_json),
                    ReturnValue.indicator.in_(related),
                )
                .with_hint(ReturnValue, "INDEXED BY ix_return_value_confidential", "sqlite")
            )
        )
    cells: dict[int, dict] = defaultdict(dict)
    if concerned:
        columns = fetch_columns(
            select(
                *(
                    json_column(getattr(ReturnValue, c))
                    for c in ("version_id", "indicator", "breakdown", "number", "status")
                )
            ).where(ReturnValue.version_id.in_(sorted(concerned)), ReturnValue.indicator.in_(related))
        )
        for vid, indicator, breakdown, number, status in zip(*columns):
            cells[vid][(indicator, breakdown)] = (number, status)
    out: list[tuple] = []
    rules = {t.id: disclosure.Rules.of(t) for t in distinct} if cells else {}
    for vid, version_cells in cells.items():
        iso, period = outsiders[vid]
        template = templates[period]
        secret = disclosure.hidden_cells(version_cells, template, iso, audience, rules[template.id])
        out.extend((vid, ind, col) for ind, col in secret)
    return out


def _place(grid, locate, out_hidden: list[tuple], hidden: np.ndarray, withheld: np.ndarray) -> None:
    """Mark the hidden cells on the grid, and the notes of their indicators (a note belongs to
    the indicator's row, so it is on each of its cells)."""
    at, _src = locate(*zip(*out_hidden))
    hidden[at] = True
    columns_of: dict[str, list[str]] = {}
    for ind, col in grid.cells:
        columns_of.setdefault(ind, []).append(col)
    pairs = [
        (vid, ind, col) for vid, ind in {(vid, ind) for vid, ind, _col in out_hidden} for col in columns_of.get(ind, ())
    ]
    if pairs:
        at, _src = locate(*zip(*pairs))
        withheld[at] = True
