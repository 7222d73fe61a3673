"""JSON API: the knowledge library. No sign-in needed: anonymous callers get public items,
a bearer token gets what its user may see (the same rules as the pages)."""

from flask import abort, jsonify, request
from flask_login import current_user

from ...errors import found_or_404
from ...models import ActionPlan, CaseStudy
from ...schemas import output
from ...services.library import items, plans, search
from .blueprint import bp


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        abort(400)


@bp.route("/case-studies")
def case_studies():
    filters = {**search.filters_from(request.args), "type": ["case_study"]}
    results = search.search(
        current_user, request.args.get("q", "")[:200], filters, request.args.get("sort", "relevance"), _page()
    )
    return jsonify(
        total=results.total,
        page=results.page,
        pages=results.pages,
        items=[
            {**output.CaseStudySchema().dump(search.item_for(h.doc)), "score": h.score, "snippet": str(h.snippet)}
            for h in results.hits
        ],
        facets={k: [{"value": v, "count": n} for v, n in values] for k, values in results.facets.items()},
    )


@bp.route("/case-studies/<int:item_id>")
def case_study(item_id: int):
    return jsonify(output.CaseStudyFullSchema().dump(found_or_404(items.get, CaseStudy, item_id, current_user)))


@bp.route("/action-plans")
def action_plans():
    found = plans.plans(current_user, request.args.get("country") or None)
    return jsonify(items=output.ActionPlanSchema(many=True).dump(found))


@bp.route("/action-plans/<int:plan_id>")
def action_plan(plan_id: int):
    return jsonify(output.ActionPlanFullSchema().dump(found_or_404(items.get, ActionPlan, plan_id, current_user)))
