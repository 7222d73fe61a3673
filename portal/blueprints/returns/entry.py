"""Correcting a return in the browser (a form generated from the template definition, a
plain POST; entry.js adds checks as one types and spreadsheet keys), and each version's
workbook. The checks and the storing are services/returns/entry.py's, as for the API."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import abort_with, found_or_404
from ...extensions import db
from ...forms import ConfirmForm
from ...i18n import current_language
from ...services.returns import entry
from ...services.returns.captions import unit_captions
from ...services.returns.cells import plain_number
from ...services.returns.layout import NOTES, section_columns
from ..api.values import issue_json, workbook_response
from .blueprint import bp


def field_name(code: str, column: str) -> str:
    return f"v-{code}-{column}"


def _entries(template, form) -> list[dict]:
    """Every cell and note of the form as the service's entries: the template's cells, and any
    other `v-CODE-COLUMN` field sent (the service names it: a grey cell, an unknown indicator).
    A field left out of the request keeps its content."""
    entries: list[dict] = []
    expected = {field_name(ind.code, c) for ind in template.indicators for c in template.columns(ind.breakdown)}
    for name in form:
        if name.startswith("v-") and name not in expected:
            code, _sep, column = name[2:].partition("-")
            entries.append({"indicator": code[:40], "breakdown": column[:40], "value": form[name][:5000]})
    for ind in template.indicators:
        for column in template.columns(ind.breakdown):
            name = field_name(ind.code, column)
            if name in form:
                entries.append({"indicator": ind.code, "breakdown": column, "value": form[name][:5000]})
        if f"n-{ind.code}" in form:
            entries.append({"indicator": ind.code, "note": form[f"n-{ind.code}"][:5000]})
    return entries


def _shown(raw: dict) -> dict:
    """The latest version's cells as the texts of the form's inputs."""
    return {key: value if isinstance(value, str) else plain_number(float(value)) for key, value in raw.items()}


def _by_cell(template, issues) -> tuple[dict, list]:
    """The messages of the cells that have an input (their notes included), and the others."""
    inputs = {(ind.code, c) for ind in template.indicators for c in [*template.columns(ind.breakdown), NOTES]}
    cells: dict[tuple[str, str], list[str]] = {}
    loose = []
    for issue in issues:
        if (issue.indicator, issue.column) in inputs:
            cells.setdefault((issue.indicator, issue.column), []).append(str(issue.message))
        else:
            loose.append(issue)
    return cells, loose


def _page(ret, template, texts, notes, base_version, *, status=200, result=None, conflict=None, checked=False):
    errors, loose = _by_cell(template, result.errors if result else [])
    warnings, _loose_warnings = _by_cell(template, result.warnings if result else [])
    return render_template(
        "returns/entry.html",
        ret=ret,
        template=template,
        texts=texts,
        notes=notes,
        base_version=base_version,
        errors=errors,
        loose=loose,
        warnings=warnings,
        warning_list=result.warnings if result else [],
        conflict=conflict,
        checked=checked and result is not None and result.ok,
        units=unit_captions(),
        field_name=field_name,
        section_columns=section_columns,
        form=ConfirmForm(),
    ), status


@bp.route("/<int:return_id>/edit", methods=["GET", "POST"])
@login_required
def edit(return_id: int):
    ret = found_or_404(entry.editable_return, current_user, return_id)
    ident = entry.identified(ret, current_user)  # a closed period: refused as an upload is
    template = ident.template
    latest = ret.latest_version
    if request.method == "GET":
        raw, notes = entry.current_cells(ret, template)
        return _page(ret, template, _shown(raw), notes, latest.number if latest else 0)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    mode = request.form.get("mode", "check")
    as_json = request.args.get("format") == "json"
    base = request.form.get("base_version", type=int)
    if base is None:  # without it the stale-form check could not be made
        abort_with(400, _("The form has no valid version number (base_version); reload the form."))
    texts = {
        (ind.code, c): request.form.get(field_name(ind.code, c), "")
        for ind in template.indicators
        for c in template.columns(ind.breakdown)
    }
    notes = {ind.code: request.form.get(f"n-{ind.code}", "") for ind in template.indicators}
    try:
        result = entry.save_values(
            ret,
            current_user,
            _entries(template, request.form),
            base_version=base,
            dry_run=mode != "save" or as_json,
            source="form",
            locale=current_language(),
        )
    except entry.StaleForm as stale:
        db.session.rollback()
        if as_json:
            return jsonify(conflict=stale.message, errors=[], warnings=[]), 409
        return _page(ret, template, texts, notes, base, status=409, conflict=stale.message)
    if as_json:
        return jsonify(
            errors=[issue_json(e) for e in result.errors], warnings=[issue_json(w) for w in result.warnings]
        ), (200 if result.ok else 422)
    if result.version is None:
        return _page(ret, template, texts, notes, base, status=200 if result.ok else 422, result=result, checked=True)
    db.session.commit()
    flash(_("Version %(n)d saved as a draft. Submit it when it is ready.", n=result.version.number), "success")
    return redirect(url_for("returns.detail", return_id=ret.id))


@bp.route("/<int:return_id>/versions/<int:number>.xlsx")
@login_required
def version_xlsx(return_id: int, number: int):
    return workbook_response(current_user, return_id, number)
