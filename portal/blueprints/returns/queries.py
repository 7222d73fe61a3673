"""A query's thread, for everyone who may see the return's queries (the secretariat and the
country's own focal points; delegates and other countries get a 404), and the reply to it.

The reply form is on the thread and, for each open query, on the return page itself (an
answer in place): `back=return` brings the focal point back there."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import found_or_404
from ...extensions import db
from ...models import UNRESOLVED, QueryState, Return, ValueQuery
from ...services import disclosure
from ...services.returns import grid as grid_service
from ...services.returns import queries
from ..review import numbers
from .blueprint import bp
from .query_forms import ReopenForm, ReplyForm, ResolveForm


def _thread_or_404(return_id: int, query_id: int) -> tuple[Return, ValueQuery]:
    """The query, if the user may see it and it belongs to this return (a plain 404 otherwise)."""
    query = found_or_404(queries.visible_query, current_user, query_id)
    if query.return_id != return_id:
        abort(404)
    return query.return_, query


def _thread_page(ret: Return, query: ValueQuery, form: ReplyForm, status: int = 200):
    value, hidden = grid_service.cell_value(
        ret, query.indicator, query.breakdown, disclosure.audience_for(current_user)
    )
    template = queries.template_of(ret)
    manage = queries.can_manage(current_user)
    return render_template(
        "review/query_thread.html",
        ret=ret,
        query=query,
        indicator=template.indicator(query.indicator),
        value=value,
        hidden=hidden,
        form=form,
        can_reply=queries.can_reply(current_user, query) and query.state != QueryState.RESOLVED,
        resolve_form=ResolveForm(formdata=None, prefix="resolve") if manage else None,
        reopen_form=ReopenForm(formdata=None, prefix="reopen") if manage else None,
        anchor=queries.cell_anchor(query.indicator, query.breakdown),
        fmt=numbers.formatter(),
    ), status


@bp.route("/<int:return_id>/queries/<int:query_id>")
@login_required
def query_thread(return_id: int, query_id: int):
    ret, query = _thread_or_404(return_id, query_id)
    return _thread_page(ret, query, ReplyForm(formdata=None))


@bp.route("/<int:return_id>/queries/<int:query_id>/reply", methods=["POST"])
@login_required
def query_reply(return_id: int, query_id: int):
    ret, query = _thread_or_404(return_id, query_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _thread_page(ret, query, form, 400)
    queries.reply(query, current_user, form.text.data)  # a refusal (resolved: 409): its page
    db.session.commit()
    flash(_("Reply sent."), "success")
    if form.back.data == "return":
        anchor = queries.cell_anchor(query.indicator, query.breakdown)
        return redirect(url_for("returns.detail", return_id=ret.id, _anchor=anchor))
    return redirect(url_for("returns.query_thread", return_id=ret.id, query_id=query.id))


def return_page_queries(user, ret: Return) -> dict:
    """What the return page shows of queries, as template variables: `cell_queries` (the
    unresolved ones by cell, highlighted), `open_queries` (the unresolved ones, listed at the
    top, with a reply box each for the country's focal points: staff answer in the thread) and
    `reply_form`; empty for those who may not see queries."""
    if not queries.can_see_queries(user, ret):
        return {"cell_queries": {}, "open_queries": [], "reply_form": None}
    unresolved = queries.list_queries(ret, UNRESOLVED)
    return {
        "cell_queries": {(q.indicator, q.breakdown): q for q in unresolved},
        "open_queries": unresolved,
        "reply_form": None if queries.can_manage(user) else ReplyForm(formdata=None, back="return"),
        "query_question": queries.question,
        "query_anchor": queries.cell_anchor,
    }
