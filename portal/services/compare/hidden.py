"""Which cells of a comparison's grid an audience may not see (services/disclosure.py decides,
per return version; this module finds the versions concerned and places the answer).

For an audience that sees everything it costs nothing. Otherwise one query through the partial
index ix_return_value_confidential finds the versions in use that hold a CONF cell (usually
few; with a small-cell threshold every version is concerned), and a second reads those
versions' cells of the chosen indicators and of every indicator tied to them by a relation (such
as REP01O.Total = REP01.Total, which ties a shown cell to one not asked for).
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlalchemy import select

from ...extensions import db
from ...models import ReturnValue
from .. import disclosure
from .columns import in_json


def hidden_rows(grid, selection, versions: dict, ids_json: str, locate, audience) -> tuple[np.ndarray, np.ndarray]:
    """Grid masks: cells hidden ("c"), and cells whose note is withheld."""
    n = len(grid.cell)
    hidden, withheld = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if audience.sees_all or not versions["id"]:
        return hidden, withheld
    outsiders = {vid: (iso, period) for vid, iso, period in zip(versions["id"], versions["country"], versions["period"])
                 if not audience.sees(iso)}
    if not outsiders:
        return hidden, withheld
    templates = dict(selection.history)
    # Only cells tied to the chosen indicators by a relation can change what is hidden of them.
    related = sorted(set().union(*(disclosure.related_indicators(t, selection.indicators)
                                   for t in {t.id: t for t in templates.values()}.values())))
    concerned = set(outsiders)
    if not audience.small_cells:
        concerned &= set(db.session.scalars(
            select(ReturnValue.version_id).distinct()
            .where(ReturnValue.status == "CONF", in_json(ReturnValue.version_id, ids_json),
                   ReturnValue.indicator.in_(related))
            .with_hint(ReturnValue, "INDEXED BY ix_return_value_confidential", "sqlite")))
    if not concerned:
        return hidden, withheld
    cells: dict[int, dict] = defaultdict(dict)
    for vid, indicator, breakdown, number, status in db.session.execute(
            select(ReturnValue.version_id, ReturnValue.indicator, ReturnValue.breakdown, ReturnValue.number,
                   ReturnValue.status).where(ReturnValue.version_id.in_(sorted(concerned)),
                                             ReturnValue.indicator.in_(related))):
        cells[vid][(indicator, breakdown)] = (number, status)
    rules = {t.id: disclosure.Rules.of(t) for t in templates.values()}
    out_hidden, out_withheld = [], []
    for vid, version_cells in cells.items():
        iso, period = outsiders[vid]
        template = templates[period]
        secret = disclosure.hidden_cells(version_cells, template, iso, audience, rules[template.id])
        out_hidden.extend((vid, ind, col) for ind, col in secret)
        codes = {ind for ind, _col in secret}
        out_withheld.extend((vid, ind, col) for ind, col in version_cells if ind in codes)
    for mask, triples in ((hidden, out_hidden), (withheld, out_withheld)):
        if triples:
            at, _src = locate(*zip(*triples))
            mask[at] = True
    return hidden, withheld
