"""JSON API for returns: tokens, periods, template download, upload, workflow, read."""
from io import BytesIO

from flask import abort, jsonify, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from ...errors import abort_with
from ...extensions import db
from ...models import Country, ReportingPeriod, Return
from ...schemas.api import ReturnReason, TokenRequest
from ...services.returns import periods as period_service
from ...services import disclosure
from ...services.accounts import tokens
from ...services.disclosure import audience_for
from ...services.accounts.auth import LoginRefused
from ...services.errors import ServiceError
from ...services.returns import access, workflow
from ...services.returns.template_xlsx import TemplateRequestError, template_for
from . import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
def writes_need_a_token():
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.endpoint != "api.create_token":
        if not request.headers.get("Authorization", "").startswith("Bearer "):
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
    response = jsonify(error={"status": 400, "title": _("Bad request"), "message": _("Some fields are missing or invalid."),
                              "fields": exc.messages})
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
    token = request.headers["Authorization"][len("Bearer "):].strip()
    tokens.revoke_token(token, actor=current_user)
    db.session.commit()
    return "", 204


def _period_json(p: ReportingPeriod) -> dict:
    return {"label": p.label, "start_date": p.start_date.isoformat(), "end_date": p.end_date.isoformat(),
            "opens_on": p.opens_on.isoformat(), "due_date": p.due_date.isoformat() if p.due_date else None,
            "is_open": p.is_open, "template_version": p.template.version}


@bp.route("/periods")
@login_required
def periods():
    return jsonify(periods=[_period_json(p) for p in period_service.list_periods()])


@bp.route("/template.xlsx")
@login_required
def template():
    try:
        data, name = template_for(current_user, request.args.get("country", ""), request.args.get("period", ""),
                                  request.args.get("lang", current_user.language))
    except TemplateRequestError as error:
        abort_with(error.status, error.message)
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def _issue_json(issue) -> dict:
    d = issue.as_dict()
    return {"sheet": d["sheet"], "cell": d["cell"], "indicator": d["indicator"], "column": d["column"],
            "rule": d["rule"], "message": d["message"], "explained": d["explained"]}


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
    try:
        report, ident, version = workflow.process_upload(
            data, filename, current_user, save=not dry_run, submit=submit and not dry_run, source="api")
    except ServiceError as error:
        db.session.rollback()
        abort_with(error.status, error.message)
    warnings = [_issue_json(w) for w in report.warnings]
    if not report.ok:
        return jsonify(errors=[_issue_json(e) for e in report.errors], warnings=warnings), 422
    body = {"country": ident.country.iso2, "period": ident.period.label, "warnings": warnings,
            "completeness": report.completeness}
    if version is None:
        return jsonify(dry_run=True, id=None, version=None, status=None, **body), 200
    db.session.commit()
    return jsonify(id=version.return_id, version=version.number, status=version.return_.status, **body), 201


def _visible_return(return_id: int) -> Return:
    ret = db.session.get(Return, return_id)
    if ret is None or not access.can_see_return(current_user, ret):
        abort(404)
    return ret


def _values_json(version, audience) -> list[dict]:
    """The version's values as the caller may see them: hidden ones as "c", their notes withheld."""
    if version is None:
        return []
    shown = disclosure.visible_values(version, audience)
    out = []
    for v in version.values:
        if (v.indicator, v.breakdown) in shown.hidden:
            out.append({"indicator": v.indicator, "breakdown": v.breakdown, "value": "c",
                        "status": None, "note": None})
        else:
            out.append({"indicator": v.indicator, "breakdown": v.breakdown,
                        "value": v.number if v.text is None else v.text, "status": v.status, "note": shown.note(v)})
    return out


def _return_json(ret: Return, full: bool) -> dict:
    """Delegates and other countries see the accepted figures only: no versions, drafts,
    resubmissions or review events."""
    version = ret.latest_version if full else ret.accepted_version
    values = _values_json(version, audience_for(current_user))
    if not full:
        return {"id": ret.id, "country": ret.country.iso2, "period": ret.period.label, "status": "accepted",
                "accepted_at": version.accepted_at.isoformat() if version and version.accepted_at else None,
                "completeness": version.completeness if version else None, "values": values}
    history = [{"version": v.number, "uploaded_at": v.uploaded_at.isoformat(), "submitted_at": v.submitted_at.isoformat() if v.submitted_at else None,
                "accepted_at": v.accepted_at.isoformat() if v.accepted_at else None, "sha256": v.file_sha256,
                "on_behalf": v.on_behalf} for v in ret.versions]
    events = [{"action": e.action, "at": e.created_at.isoformat(), "version": e.version.number if e.version else None,
               "reason": e.reason} for e in ret.events]
    return {"id": ret.id, "country": ret.country.iso2, "period": ret.period.label, "status": ret.status,
            "version": version.number if version else None, "completeness": version.completeness if version else None,
            "values": values, "history": history, "events": events}


@bp.route("/returns")
@login_required
def list_returns():
    stmt = select(Return)
    if request.args.get("country"):
        stmt = stmt.join(Return.country).where(Country.iso2 == request.args["country"].upper())
    if request.args.get("period"):
        stmt = stmt.join(Return.period).where(ReportingPeriod.label == request.args["period"])
    rows = [r for r in db.session.scalars(stmt) if access.can_see_return(current_user, r)]
    return jsonify(returns=[_listed(r) for r in rows])


def _listed(ret: Return) -> dict:
    if access.can_see_history(current_user, ret):
        return {"id": ret.id, "country": ret.country.iso2, "period": ret.period.label, "status": ret.status,
                "versions": len(ret.versions)}
    return {"id": ret.id, "country": ret.country.iso2, "period": ret.period.label, "status": "accepted"}


@bp.route("/returns/<int:return_id>")
@login_required
def get_return(return_id: int):
    ret = _visible_return(return_id)
    return jsonify(_return_json(ret, access.can_see_history(current_user, ret)))


def _act(ret: Return, action):
    try:
        action(ret)
    except ServiceError as error:
        db.session.rollback()
        abort_with(error.status, error.message)
    db.session.commit()
    return jsonify(_return_json(ret, True))


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
