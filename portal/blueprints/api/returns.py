"""JSON API for returns: tokens, periods, template download, upload, workflow, read."""

from io import BytesIO

from flask import abort, jsonify, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ...errors import abort_with, found_or_404
from ...extensions import db
from ...models import Return, ReturnStatus
from ...schemas import output
from ...schemas.api import ReturnReason, TokenRequest
from ...services.accounts import tokens
from ...services.accounts.auth import LoginRefused
from ...services.disclosure import audience_for
from ...services.returns import access, listing, states, workflow
from ...services.returns import periods as period_service
from ...services.returns.template_xlsx import template_for
from ...services.xlsx import XLSX_MIMETYPE
from .blueprint import bp


@bp.before_request
def writes_need_a_token():
    if (
        request.method not in ("GET", "HEAD", "OPTIONS")
        and request.endpoint != "api.create_token"
        and not request.headers.get("Authorization", "").startswith("Bearer ")
    ):
        abort_with(401, _("API writes need an Authorization: Bearer header with a token from POST /api/v1/auth/token."))


def _json(schema):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort_with(400, _("Send a JSON object."))
    try:
        return schema().load(payload)
    except ValidationError as exc:
        return abort(_validation_response(exc))


def _validation_response(exc: ValidationError):
    response = jsonify(
        error={
            "status": 400,
            "title": _("Bad request"),
            "message": _("Some fields are missing or invalid."),
            "fields": exc.messages,
        }
    )
    response.status_code = 400
    return response


@bp.route("/auth/token", methods=["POST"])
def create_token():
    data = _json(TokenRequest)
    try:
        token = tokens.issue_token(data["email"], data["password"], request.remote_addr)
    except LoginRefused as refused:
        db.session.commit()  # keep the failure count
        abort_with(refused.status, refused.message)
    db.session.commit()
    return jsonify(token=token), 201


@bp.route("/auth/token", methods=["DELETE"])
@login_required
def revoke_token():
    token = request.headers["Authorization"][len("Bearer ") :].strip()
    tokens.revoke_token(token, actor=current_user)
    db.session.commit()
    return "", 204


@bp.route("/periods")
@login_required
def periods():
    return jsonify(periods=output.PeriodSchema(many=True).dump(period_service.list_periods()))


@bp.route("/template.xlsx")
@login_required
def template():
    data, name = template_for(
        current_user,
        request.args.get("country", ""),
        request.args.get("period", ""),
        request.args.get("lang", current_user.language),
    )
    return send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


def _issue_json(issue) -> dict:
    d = issue.as_dict()
    return {
        "sheet": d["sheet"],
        "cell": d["cell"],
        "indicator": d["indicator"],
        "column": d["column"],
        "rule": d["rule"],
        "message": d["message"],
        "explained": d["explained"],
    }


@bp.route("/returns", methods=["POST"])
@login_required
def upload_return():
    if current_user.role == "delegate":
        abort(403)
    upload = request.files.get("file")
    if upload is None:
        abort_with(400, _("Send the workbook as the multipart field “file”."))
    data, filename = upload.read(), upload.filename or "return.xlsx"
    upload.close()
    dry_run = request.form.get("dry_run", "0").lower() in ("1", "true", "yes")
    submit = request.form.get("submit", "0").lower() in ("1", "true", "yes")
    report, ident, version = workflow.process_upload(
        data, filename, current_user, save=not dry_run, submit=submit and not dry_run, source="api"
    )
    warnings = [_issue_json(w) for w in report.warnings]
    if not report.ok:
        return jsonify(errors=[_issue_json(e) for e in report.errors], warnings=warnings), 422
    body = {
        "country": ident.country.iso2,
        "period": ident.period.label,
        "warnings": warnings,
        "completeness": report.completeness,
    }
    if version is None:
        return jsonify(dry_run=True, id=None, version=None, status=None, **body), 200
    db.session.commit()
    return jsonify(id=version.return_id, version=version.number, status=version.return_.status, **body), 201


def _visible_return(return_id: int) -> Return:
    return found_or_404(listing.visible_return, current_user, return_id)


@bp.route("/returns")
@login_required
def list_returns():
    rows = listing.visible_returns(current_user, request.args.get("country"), request.args.get("period"))
    return jsonify(returns=[_listed(r) for r in rows])


def _listed(ret: Return) -> dict:
    if access.can_see_history(current_user, ret):
        return {
            "id": ret.id,
            "country": ret.country.iso2,
            "period": ret.period.label,
            "status": ret.status,
            "versions": len(ret.versions),
            **states.state_json(ret),
        }
    accepted = ret.accepted_version  # others see accepted data only: no revision
    return {
        "id": ret.id,
        "country": ret.country.iso2,
        "period": ret.period.label,
        "status": ReturnStatus.ACCEPTED,
        "accepted_version": accepted.number if accepted else None,
    }


@bp.route("/returns/<int:return_id>")
@login_required
def get_return(return_id: int):
    ret = _visible_return(return_id)
    schema = output.FullReturnSchema if access.can_see_history(current_user, ret) else output.AcceptedReturnSchema
    return jsonify(schema(audience_for(current_user)).dump(ret))


def _act(ret: Return, action):
    action(ret)
    db.session.commit()
    return jsonify(output.FullReturnSchema(audience_for(current_user)).dump(ret))


@bp.route("/returns/<int:return_id>/submit", methods=["POST"])
@login_required
def submit_return(return_id: int):
    ret = _visible_return(return_id)
    if not access.can_submit(current_user, ret):
        abort(403)
    return _act(ret, lambda r: workflow.submit_return(r, current_user))


@bp.route("/returns/<int:return_id>/accept", methods=["POST"])
@login_required
def accept_return(return_id: int):
    if not access.can_review(current_user):
        abort(403)
    return _act(_visible_return(return_id), lambda r: workflow.accept_return(r, current_user))


@bp.route("/returns/<int:return_id>/return", methods=["POST"])
@login_required
def return_for_correction(return_id: int):
    if not access.can_review(current_user):
        abort(403)
    data = _json(ReturnReason)
    return _act(_visible_return(return_id), lambda r: workflow.send_back(r, current_user, data["reason"]))
