"""The secretariat's side of queries: ask about one cell of a return, resolve, reopen.

The thread itself (and the reply form) is the returns blueprint's page, which the country's
focal points see too (portal/blueprints/returns/queries.py)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import CSRF_MESSAGE, abort_with
from ...extensions import db
from ...forms import save_form
from ...models import Return
from ...services import disclosure
from ...services.returns import grid as grid_service
from ...services.returns import queries
from ..returns.query_forms import NewQueryForm, ReopenForm, ResolveForm
from . import numbers
from .blueprint import bp


@bp.route("/<int:return_id>/queries/new", methods=["GET", "POST"])
def new_query(return_id: int):
    ret = db.get_or_404(Return, return_id)
    ind, breakdown = queries.check_cell(ret, request.args.get("indicator", ""), request.args.get("breakdown", ""))
    existing = queries.find_query(ret, ind.code, breakdown)
    if existing is not None:  # one query per cell: its thread
        return redirect(url_for("returns.query_thread", return_id=ret.id, query_id=existing.id))
    form = NewQueryForm()
    if form.validate_on_submit():
        query = save_form(
            form,
            lambda: queries.open_query(ret, current_user, ind.code, breakdown, form.text.data, form.suggested.data),
            _("Query sent to the focal point."),
        )
        if query is not None:
            return redirect(url_for("returns.query_thread", return_id=ret.id, query_id=query.id))
    refused = getattr(form, "service_error", None)
    status = refused.status if refused else 400 if request.method == "POST" else 200
    value, _hidden = grid_service.cell_value(ret, ind.code, breakdown, disclosure.SECRETARIAT)
    return render_template(
        "review/query_new.html",
        ret=ret,
        indicator=ind,
        breakdown=breakdown,
        value=value,
        form=form,
        fmt=numbers.formatter(),
    ), status


def _query_of(ret_id: int, query_id: int):
    query = queries.get_query(query_id)
    if query.return_id != ret_id:
        abort_with(404, _("There is no such query."))
    return query


@bp.route("/<int:return_id>/queries/<int:query_id>/resolve", methods=["POST"])
def resolve_query(return_id: int, query_id: int):
    query = _query_of(return_id, query_id)
    form = ResolveForm(prefix="resolve")
    if not form.validate_on_submit():
        abort_with(400, refusal(form))
    queries.resolve(query, current_user, form.text.data or "")  # a refusal: its page (409 …)
    db.session.commit()
    flash(_("Query resolved."), "success")
    return redirect(url_for("returns.query_thread", return_id=query.return_id, query_id=query.id))


@bp.route("/<int:return_id>/queries/<int:query_id>/reopen", methods=["POST"])
def reopen_query(return_id: int, query_id: int):
    query = _query_of(return_id, query_id)
    form = ReopenForm(prefix="reopen")
    if not form.validate_on_submit():
        abort_with(400, refusal(form))
    queries.reopen(query, current_user, form.text.data)
    db.session.commit()
    flash(_("Query reopened: the focal point is asked again."), "success")
    return redirect(url_for("returns.query_thread", return_id=query.return_id, query_id=query.id))


def refusal(form) -> str:
    """What a refused form says: the CSRF refusal, or its first field's message."""
    token = getattr(form, "csrf_token", None)
    if token is not None and token.errors:
        return str(CSRF_MESSAGE)
    return next((f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items()), str(CSRF_MESSAGE))
