"""JSON API: comparisons of accepted returns."""
import math

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


def comparison_json(comparison, staff: bool) -> dict:
    rows = []
    for r in comparison.rows.itertuples():
        value = _num(r.value)
        if r.conf and not staff:
            value = "c"
        rows.append({"country": r.country, "period": r.period, "indicator": r.indicator, "breakdown": r.breakdown,
                     "value": value, "status": r.status if isinstance(r.status, str) else None,
                     "note": r.note if isinstance(r.note, str) else None,
                     "version_id": int(r.version_id) if r.version_id == r.version_id else None,
                     "has_return": bool(r.has_return), "provisional": bool(r.provisional),
                     "change": _num(r.change), "cumulative": _num(r.cumulative)})
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
