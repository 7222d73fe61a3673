"""JSON API: the knowledge library. No sign-in needed: anonymous callers get public items,
a bearer token gets what its user may see (the same rules as the pages)."""
from flask import abort, jsonify, request
from flask_login import current_user

from ...errors import found_or_404
from ...models import ActionPlan, CaseStudy
from ...services import rich_text
from ...services.library import items, plans, search
from .blueprint import bp


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        abort(400)


def _case_json(c: CaseStudy, full: bool = False) -> dict:
    data = {"id": c.id, "title": c.title, "country": c.country.iso2, "language": c.language, "year_from": c.year_from,
            "year_to": c.year_to, "themes": c.themes, "target_groups": c.target_groups, "actors": c.actors,
            "summary": c.summary, "state": c.state, "visibility": c.visibility,
            "updated_at": c.updated_at.isoformat()}
    if full:
        data.update({name: getattr(c, name) for name in ("body", "results", "lessons", "sources")})
        data["body_html"] = str(rich_text.render(c.body))
        data["translations"] = [t.id for t in items.translations(c)]
        data["files"] = [{"id": f.id, "title": f.title, "kind": f.kind, "size": f.size} for f in c.attachments]
    return data


def _plan_json(p: ActionPlan, full: bool = False) -> dict:
    data = {"id": p.id, "title": p.title, "title_ru": p.title_ru, "country": p.country.iso2,
            "start_year": p.start_year, "end_year": p.end_year, "authority": p.authority or None,
            "instrument": p.instrument or None, "status": p.status, "state": p.state, "visibility": p.visibility,
            "progress": plans.progress(p)}
    if full:
        data.update(summary=p.summary, objectives=p.objectives, sources=p.sources, measures=[
            {"id": m.id, "position": m.position, "text": m.text, "phase": m.phase, "agencies": m.agencies,
             "timeline": m.timeline, "status": m.status,
             "updates": [{"date": u.on_date.isoformat(), "status": u.status, "text": u.text} for u in m.updates]}
            for m in p.measures])
    return data


@bp.route("/case-studies")
def case_studies():
    filters = {**search.filters_from(request.args), "type": ["case_study"]}
    results = search.search(current_user, request.args.get("q", "")[:200], filters,
                            request.args.get("sort", "relevance"), _page())
    return jsonify(total=results.total, page=results.page, pages=results.pages,
                   items=[{**_case_json(search.item_for(h.doc)), "score": h.score, "snippet": str(h.snippet)}
                          for h in results.hits],
                   facets={k: [{"value": v, "count": n} for v, n in values] for k, values in results.facets.items()})


@bp.route("/case-studies/<int:item_id>")
def case_study(item_id: int):
    return jsonify(_case_json(found_or_404(items.get, CaseStudy, item_id, current_user), full=True))


@bp.route("/action-plans")
def action_plans():
    return jsonify(items=[_plan_json(p) for p in plans.plans(current_user, request.args.get("country") or None)])


@bp.route("/action-plans/<int:plan_id>")
def action_plan(plan_id: int):
    return jsonify(_plan_json(found_or_404(items.get, ActionPlan, plan_id, current_user), full=True))
