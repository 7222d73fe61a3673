"""JSON API: comparisons of accepted returns."""

import math

import numpy as np
from flask import current_app, request
from flask_login import current_user, login_required

from ...services.compare import compare, page_cache
from ...services.compare.selection import selection_from_args
from ...services.disclosure import audience_for
from ...services.returns.access import is_staff
from .blueprint import bp


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _floats(series) -> list:
    return [None if x != x else x for x in series.to_numpy(dtype=float, na_value=np.nan).tolist()]


def _texts(series) -> list:
    return [x if isinstance(x, str) else None for x in series.tolist()]


ROW_KEYS = (
    "country",
    "period",
    "indicator",
    "breakdown",
    "value",
    "status",
    "note",
    "version_id",
    "has_return",
    "provisional",
    "change",
    "cumulative",
)


def _masked(values: list, hidden) -> list:
    """ "c" where the comparison's audience may not see the figure."""
    flags = hidden.tolist()
    return ["c" if h else v for v, h in zip(values, flags)] if any(flags) else values


def comparison_json(comparison) -> dict:
    """The comparison as its audience may see it (hidden figures are "c", never a number)."""
    # Column by column rather than row by row: many times faster (bench/compare.py times the API call).
    frame = comparison.rows
    value = _masked(_floats(frame["value"]), frame["hidden"])
    columns = [
        frame["country"].tolist(),
        frame["period"].tolist(),
        frame["indicator"].tolist(),
        frame["breakdown"].tolist(),
        value,
        _texts(frame["status"]),
        _texts(frame["note"]),
        [None if v is None else int(v) for v in _floats(frame["version_id"])],
        frame["has_return"].tolist(),
        frame["provisional"].tolist(),
        _masked(_floats(frame["change"]), frame["change_hidden"]),
        _masked(_floats(frame["cumulative"]), frame["cumulative_hidden"]),
    ]
    rows = [dict(zip(ROW_KEYS, values)) for values in zip(*columns)]
    totals = [
        {
            "group": t.group,
            "period": t.period,
            "indicator": t.indicator,
            "breakdown": t.breakdown,
            "value": "c" if t.suppressed else _num(t.value),
            "partial": bool(t.partial),
            "missing": list(t.missing),
            "contributors": int(t.contributors),
            "estimated": bool(t.est),
        }
        for t in comparison.totals.itertuples()
    ]
    derived = [
        {"measure": d.measure, "country": d.country, "period": d.period, "share": "c" if d.hidden else _num(d.share)}
        for d in comparison.derived.itertuples()
    ]
    sel = comparison.selection
    return {
        "selection": {
            "indicators": sel.indicators,
            "periods": sel.periods,
            "countries": sel.countries,
            "breakdown": sel.breakdown,
            "provisional": sel.provisional,
        },
        "rows": rows,
        "totals": totals,
        "derived": derived,
        "missing": comparison.missing,
    }


@bp.route("/comparison")
@login_required
def comparison():
    selection = selection_from_args(request.args, provisional_allowed=is_staff(current_user))
    audience = audience_for(current_user)
    body = page_cache.rendered(  # the same answer for the same question and audience, until the data changes
        ("api", page_cache.selection_key(selection), request.query_string, audience),
        lambda: current_app.json.dumps(comparison_json(compare(selection, audience))),
    )
    return current_app.response_class(body, mimetype="application/json")
