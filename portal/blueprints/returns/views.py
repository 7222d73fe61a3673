"""Focal points (and the secretariat): download the template, upload, check, save, submit."""

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import abort_with, found_or_404
from ...extensions import db
from ...forms import ConfirmForm
from ...i18n import current_language
from ...models import Return
from ...services import disclosure, files, reference
from ...services.disclosure import audience_for
from ...services.errors import ServiceError
from ...services.returns import access, listing, pending, template_cache, workflow
from ...services.returns import periods as period_service
from ...services.returns.markup import marked_copy
from ...services.returns.template_xlsx import template_for
from ...services.returns.validate import validate_upload
from ...services.xlsx import ODS_MIMETYPE, XLSX_MIMETYPE
from .blueprint import bp
from .forms import UploadForm
from .queries import return_page_queries


def _return_or_404(return_id: int) -> Return:
    return found_or_404(listing.visible_return, current_user, return_id)


@bp.route("/")
@login_required
def index():
    returns = listing.visible_returns(current_user, own_country=True)
    returns.sort(key=lambda r: (r.period.start_date, r.country.name_en), reverse=True)
    full = {r.id for r in returns if access.can_see_history(current_user, r)}
    return render_template(
        "returns/index.html",
        returns=returns,
        periods=period_service.list_periods(),
        countries=reference.countries(),
        full=full,
    )


@bp.route("/template.xlsx")
@login_required
def download_template():
    code = request.args.get("country") or (current_user.country.iso2 if current_user.country else "")
    data, name = template_for(
        current_user, code, request.args.get("period", ""), request.args.get("lang") or current_language()
    )
    return send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


def _upload_page(form, status=200, error=None):
    return render_template("returns/upload.html", form=form, error=error), status


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload():
    if current_user.role == "delegate":
        abort(403)
    form = UploadForm()
    if request.method == "GET":
        return _upload_page(form)
    if not form.validate_on_submit():
        return _upload_page(form, 400)
    data = form.file.data.read()
    filename = form.file.data.filename or "return.xlsx"
    form.file.data.close()
    mode = request.form.get("mode", "check")
    return _process(data, filename, mode)


def _process(data: bytes, filename: str, mode: str, token: str | None = None):
    try:
        report, ident, version = workflow.process_upload(
            data, filename, current_user, save=(mode == "save"), submit=(mode == "submit")
        )
    except ServiceError as error:
        db.session.rollback()
        return _upload_page(UploadForm(formdata=None), error.status, error=error.message)
    if version is not None:
        if token and not pending.discard(token):  # the same checked upload, saved by a concurrent request
            db.session.rollback()
            return _upload_page(
                UploadForm(formdata=None),
                409,
                error=_("This checked upload was saved already; its version is on the return's page."),
            )
        db.session.commit()
        if mode == "submit":
            flash(_("Version %(n)d saved and submitted to the secretariat.", n=version.number), "success")
        else:
            flash(_("Version %(n)d saved as a draft. Submit it when it is ready.", n=version.number), "success")
        return redirect(url_for("returns.detail", return_id=version.return_id))
    if not token:
        token = pending.keep(data, filename, current_user.id)
        db.session.commit()
    status = 200 if report.ok else 422
    return render_template(
        "returns/report.html", report=report, ident=ident, token=token, filename=filename, confirm_form=ConfirmForm()
    ), status


@bp.route("/pending/<token>/marked-up.xlsx")
@login_required
def marked_up(token: str):
    data, filename = found_or_404(pending.load, token, current_user.id)
    report, ident = found_or_404(validate_upload, data, current_user)
    out, name = marked_copy(data, filename, report, ident, current_language())  # an .ods comes back as .xlsx
    return send_file(BytesIO(out), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


@bp.route("/pending/<token>", methods=["POST"])
@login_required
def save_pending(token: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    data, filename = found_or_404(pending.load, token, current_user.id)
    mode = request.form.get("mode", "save")
    if mode not in ("save", "submit"):
        abort(400)
    return _process(data, filename, mode, token=token)


@bp.route("/<int:return_id>")
@login_required
def detail(return_id: int):
    ret = _return_or_404(return_id)
    full = access.can_see_history(current_user, ret)
    version = ret.latest_version if full else ret.accepted_version
    asked = request.args.get("version", type=int)
    if asked and full:
        version = next((v for v in ret.versions if v.number == asked), None) or abort(404)
    shown = disclosure.visible_values(version, audience_for(current_user)) if version else None
    values = shown.values if shown else {}
    notes = {code: shown.note(v) for (code, _col), v in values.items() if shown.note(v)} if shown else {}
    return render_template(
        "returns/detail.html",
        ret=ret,
        version=version,
        template=template_cache.of(version.template) if version else None,  # read once per process
        full=full,
        values=values,
        notes=notes,
        hidden=shown.hidden if shown else set(),
        display=workflow.display,
        can_submit=access.can_submit(current_user, ret),
        can_review=access.can_review(current_user),
        confirm_form=ConfirmForm(),
        **return_page_queries(current_user, ret),  # the review helper's: open queries, highlighted cells
    )


@bp.route("/<int:return_id>/submit", methods=["POST"])
@login_required
def submit(return_id: int):
    ret = _return_or_404(return_id)
    if not access.can_submit(current_user, ret):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    version = workflow.submit_return(ret, current_user)
    db.session.commit()
    flash(_("Version %(n)d submitted to the secretariat.", n=version.number), "success")
    return redirect(url_for("returns.detail", return_id=ret.id))


@bp.route("/<int:return_id>/diff")
@login_required
def diff(return_id: int):
    ret = _return_or_404(return_id)
    if not access.can_see_history(current_user, ret):
        abort(403)
    numbers = {v.number: v for v in ret.versions}
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a not in numbers or b not in numbers:
        abort_with(400, _("Choose two versions of this return to compare."))
    changes = workflow.diff_versions(numbers[a], numbers[b])
    return render_template("returns/diff.html", ret=ret, a=numbers[a], b=numbers[b], changes=changes)


@bp.route("/<int:return_id>/versions/<int:number>/file")
@login_required
def version_file(return_id: int, number: int):
    ret = _return_or_404(return_id)
    version = listing.version_of(ret, number)
    # The original workbook holds every CONF figure: the secretariat and the country's own focal
    # points only (can_see_history), never delegates or other countries.
    if version is None or not access.can_see_history(current_user, ret):
        abort(404)
    data, media_type = files.fetch(version.stored_path)
    kind = "ods" if media_type == ODS_MIMETYPE else "xlsx"  # as uploaded
    return send_file(
        BytesIO(data),
        mimetype=media_type,
        as_attachment=True,
        download_name=f"PRR-return_{ret.country.iso2}_{ret.period.label}_version{number}.{kind}",
    )
