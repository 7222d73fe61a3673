"""JSON API for queries on single values: list and open a return's queries, reply, resolve,
reopen. A query (or a return's queries) the caller may not see answers 404."""

from flask import abort, jsonify
from flask_login import current_user, login_required

from ...errors import found_or_404
from ...extensions import db
from ...models import ValueQuery
from ...schemas.queries import NewQuery, OptionalQueryText, QueryMessageSchema, QueryText, query_json
from ...services.returns import listing
from ...services.returns import queries as service
from .blueprint import bp
from .returns import _json


def _queries_of(return_id: int):
    """The return, if the caller may see its queries; 404 otherwise."""
    ret = found_or_404(listing.visible_return, current_user, return_id)
    if not service.can_see_queries(current_user, ret):
        abort(404)
    return ret


def _query(query_id: int) -> ValueQuery:
    return found_or_404(service.visible_query, current_user, query_id)


@bp.route("/returns/<int:return_id>/queries")
@login_required
def list_queries(return_id: int):
    ret = _queries_of(return_id)
    return jsonify(queries=[query_json(q) for q in service.list_queries(ret)])


@bp.route("/returns/<int:return_id>/queries", methods=["POST"])
@login_required
def open_query(return_id: int):
    ret = _queries_of(return_id)
    data = _json(NewQuery)
    query = service.open_query(ret, current_user, data["indicator"], data["breakdown"], data["text"], data["suggested"])
    db.session.commit()
    return jsonify(query_json(service.get_query(query.id))), 201


@bp.route("/queries/<int:query_id>/replies", methods=["POST"])
@login_required
def reply(query_id: int):
    query = _query(query_id)
    data = _json(QueryText)
    message = service.reply(query, current_user, data["text"])
    db.session.commit()
    return jsonify(QueryMessageSchema().dump(message)), 201


def _step(query_id: int, action, schema):
    query = _query(query_id)
    data = _json(schema)
    action(query, current_user, data["text"])
    db.session.commit()
    return jsonify(query_json(service.get_query(query_id))), 200


@bp.route("/queries/<int:query_id>/resolve", methods=["POST"])
@login_required
def resolve_query(query_id: int):
    return _step(query_id, service.resolve, OptionalQueryText)


@bp.route("/queries/<int:query_id>/reopen", methods=["POST"])
@login_required
def reopen_query(query_id: int):
    return _step(query_id, service.reopen, QueryText)
