"""JSON API: comparisons of accepted returns."""
import math

import numpy as np

from flask import jsonify, request
from flask_login import current_user, login_required

from ...errors import abort_with
from ...services.compare.aggregate import compare
from ...services.compare.selection import selection_from_args
from ...services.errors import ServiceError
from ...services.returns.access import is_staff
from . import bp


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _floats(series) -> list:
    return [None if x != x else x for x in series.to_numpy(dtype=float, na_value=np.nan).tolist()]


def _texts(series) -> list:
    return [x if isinstance(x, str) else None for x in series.tolist()]


ROW_KEYS = ("country", "period", "indicator", "breakdown", "value", "status", "note", "version_id",
            "has_return", "provisional", "change", "cumulative")


def comparison_json(comparison, staff: bool) -> dict:
    # Column by column rather than row by row: 12k rows in ~10 ms instead of ~200 ms.
    frame = comparison.rows
    value = _floats(frame["value"])
    if not staff:
        value = ["c" if conf else v for v, conf in zip(value, frame["conf"].tolist())]
    columns = [frame["country"].tolist(), frame["period"].tolist(), frame["indicator"].tolist(),
               frame["breakdown"].tolist(), value, _texts(frame["status"]), _texts(frame["note"]),
               [None if v is None else int(v) for v in _floats(frame["version_id"])],
               frame["has_return"].tolist(), frame["provisional"].tolist(), _floats(frame["change"]),
               _floats(frame["cumulative"])]
    rows = [dict(zip(ROW_KEYS, values)) for values in zip(*columns)]
    totals = [{"group": t.group, "period": t.period, "indicator": t.indicator, "breakdown": t.breakdown,
               "value": "c" if t.suppressed else _num(t.value), "partial": bool(t.partial),
               "missing": list(t.missing), "contributors": int(t.contributors), "estimated": bool(t.est)}
              for t in comparison.totals.itertuples()]
    derived = [{"measure": d.measure, "country": d.country, "period": d.period, "share": _num(d.share)}
               for d in comparison.derived.itertuples()]
    sel = comparison.selection
    return {"selection": {"indicators": sel.indicators, "periods": sel.periods, "countries": sel.countries,
                          "breakdown": sel.breakdown, "provisional": sel.provisional},
            "rows": rows, "totals": totals, "derived": derived, "missing": comparison.missing}


@bp.route("/comparison")
@login_required
def comparison():
    try:
        selection = selection_from_args(request.args, provisional_allowed=is_staff(current_user))
    except ServiceError as error:
        abort_with(400, error.message)
    return jsonify(comparison_json(compare(selection), is_staff(current_user)))
