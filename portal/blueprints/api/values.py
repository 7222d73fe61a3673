"""JSON API for correcting a return without a workbook, and a version's workbook:
`PUT /api/v1/returns/<id>/values` and `GET /api/v1/returns/<id>/versions/<n>.xlsx`."""

from io import BytesIO

from flask import jsonify, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...config import LOCALES
from ...errors import abort_with, found_or_404, render_error
from ...extensions import db
from ...i18n import current_language
from ...schemas import output
from ...services.returns import access, entry, listing
from ...services.returns.captions import column_captions
from ...services.returns.prefill import version_workbook
from ...services.xlsx import XLSX_MIMETYPE
from .blueprint import bp


def issue_json(issue) -> dict:
    captions = column_captions()
    where = " ".join(p for p in (issue.indicator, captions.get(issue.column or "", issue.column)) if p)
    return {
        "indicator": issue.indicator,
        "breakdown": issue.column,
        "where": where,
        "rule": issue.rule,
        "message": str(issue.message),
        "explained": issue.explained,
    }


@bp.errorhandler(entry.StaleForm)
def stale(error: entry.StaleForm):
    response = render_error(409, error.message)[0]
    body = response.get_json()
    body["changes"] = error.changes
    return jsonify(body), 409


@bp.route("/returns/<int:return_id>/values", methods=["PUT"])
@login_required
def put_values(return_id: int):
    ret = found_or_404(entry.editable_return, current_user, return_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort_with(400, _("Send a JSON object."))
    dry_run, base = payload.get("dry_run", False), payload.get("base_version")
    if not isinstance(dry_run, bool):
        abort_with(400, _("“dry_run” is true or false."))
    if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
        abort_with(400, _("“base_version” is the number of the version the values were read from."))
    result = entry.save_values(
        ret,
        current_user,
        payload.get("values"),  # type: ignore[arg-type]  # save_values refuses a non-list
        base_version=base,
        dry_run=dry_run,
        source="api-values",
        locale=current_user.language,
    )
    warnings = [issue_json(w) for w in result.warnings]
    if not result.ok:
        return jsonify(errors=[issue_json(e) for e in result.errors], warnings=warnings), 422
    changed = [{"indicator": c["indicator"], "breakdown": c["breakdown"]} for c in result.changes]
    body = {"warnings": warnings, "completeness": result.report.completeness, "changes": changed}
    if result.version is None:
        return jsonify(dry_run=True, version=None, **body), 200
    db.session.commit()
    version = output.VersionSchema().dump(result.version)
    version.update(id=ret.id, completeness=result.version.completeness, source=result.version.source)
    return jsonify(dry_run=False, version=version, status=ret.status, **body), 201


def workbook_response(user, return_id: int, number: int):
    """A version's workbook for who may see the return's history (404 for anyone else)."""
    ret = found_or_404(listing.visible_return, user, return_id)
    if not access.can_see_history(user, ret):
        abort_with(404, _("There is no such return."))
    lang = request.args.get("lang") or current_language()
    if lang not in LOCALES:
        abort_with(400, _("Unknown language: choose English or Russian."))
    data, name = version_workbook(ret, number, lang)
    return send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


@bp.route("/returns/<int:return_id>/versions/<int:number>.xlsx")
@login_required
def version_xlsx(return_id: int, number: int):
    return workbook_response(current_user, return_id, number)
