"""The library: search (anyone; only what they may see), case studies, files, review."""
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ...errors import abort_with
from ...extensions import db
from ...forms import apply_service_error, choices
from ...i18n import current_language
from ...models import CaseStudy, Country, Region
from ...services import markdown
from ...services.errors import ServiceError
from ...services.files import MIME
from ...services.library import access, attachments, items, search
from . import bp
from .forms import CaseStudyForm, FileForm, ReviewForm


def filters_from(args) -> dict:
    return {facet: args.getlist(facet) for facet in search.FACETS}


@bp.route("/")
def index():
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    results = search.search(current_user, request.args.get("q", "")[:200], filters_from(request.args),
                            request.args.get("sort", "relevance"), page)
    names = {c.iso2: c for c in db.session.scalars(select(Country))}
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    return render_template("library/index.html", results=results, names=names, regions=regions,
                           by_id={c.id: c for c in names.values()},
                           item_url=_item_url, args=request.args)


def _item_url(doc) -> str:
    if doc.item_kind == "case_study":
        return url_for("library.case_study", item_id=doc.item_id)
    return url_for("plans.plan", plan_id=doc.item_id)


def _case(item_id: int) -> CaseStudy:
    try:
        return items.get(CaseStudy, item_id, current_user)
    except ServiceError:
        abort(404)


@bp.route("/case-studies/<int:item_id>")
def case_study(item_id: int):
    item = _case(item_id)
    texts = {name: markdown.render(getattr(item, name)) for name in ("body", "results", "lessons")}
    return render_template("library/case_study.html", item=item, texts=texts,
                           can_edit=access.can_edit(current_user, item), can_review=access.can_review(current_user),
                           can_submit=item.state == "draft" and (access.is_staff(current_user)
                                                                 or access.own_country(current_user, item.country_id)),
                           history=items.history(item) if access.can_edit(current_user, item) or access.is_staff(current_user) else [],
                           translations=[t for t in items.translations(item) if access.can_view(current_user, t)],
                           file_form=FileForm(formdata=None), review_form=ReviewForm(formdata=None))


def _form(item=None) -> CaseStudyForm:
    form = CaseStudyForm(obj=item) if item is not None and request.method == "GET" else CaseStudyForm()
    countries = [c for c in db.session.scalars(select(Country).order_by(Country.name_en))
                 if access.can_create(current_user, c.id)]
    form.country.choices = choices([(c.iso2, c.name(current_language())) for c in countries])
    others = db.session.scalars(select(CaseStudy).where(access.visible(CaseStudy, current_user))
                                .order_by(CaseStudy.title))
    form.translation_of_id.choices = choices([("", _("— none —"))] + [(str(c.id), c.title[:90]) for c in others
                                                                      if item is None or c.id != item.id])
    if item is not None and request.method == "GET":
        form.country.data = item.country.iso2
        form.translation_of_id.data = str(item.translation_of_id or "")
        form.sources.data = "\n".join(f"{s['title']} | {s['url']}" if s.get("url") else s["title"] for s in item.sources)
    elif item is None and request.method == "GET" and current_user.country:
        form.country.data = current_user.country.iso2
    return form


@bp.route("/case-studies/new", methods=["GET", "POST"])
@bp.route("/case-studies/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_case_study(item_id: int | None = None):
    item = _case(item_id) if item_id else None
    if item is not None and not access.can_edit(current_user, item):
        abort(403)
    if item is None and not (access.is_staff(current_user) or current_user.country_id):
        abort(403)
    form = _form(item)
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        saved = save_form(form, lambda: items.save_case_study(item, data, current_user))
        if saved is not None:
            return redirect(url_for("library.case_study", item_id=saved.id))
    return render_template("library/case_study_form.html", form=form, item=item), 400 if form.errors else 200


def save_form(form, save):
    """Run a service's save, commit and say so; its refusal goes under the field it names
    (403: the page's answer). Returns the saved item, or None."""
    try:
        item = save()
    except ServiceError as error:
        db.session.rollback()
        if error.status == 403:
            abort(403)
        apply_service_error(form, error)
        return None
    db.session.commit()
    flash(_("Saved."), "success")
    return item


def workflow_action(item, action: str):
    """Submit, publish or send back a case study or plan (shared with the plans pages)."""
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if action == "submit":
            items.submit(item, current_user)
            message = _("Submitted for review.")
        elif action == "publish":
            items.publish(item, current_user)
            message = _("Published.")
        else:
            items.send_back(item, current_user, form.comment.data or "")
            message = _("Sent back to the author.")
        db.session.commit()
        flash(message, "success")
    except ServiceError as error:
        db.session.rollback()
        if error.status == 403:
            abort(403)
        flash(error.message, "danger")


@bp.route("/case-studies/<int:item_id>/<any(submit, publish, return):action>", methods=["POST"])
@login_required
def case_study_action(item_id: int, action: str):
    item = _case(item_id)
    workflow_action(item, action)
    return redirect(url_for("library.case_study", item_id=item.id), 303)


def upload_file(item, endpoint: str, **values):
    form = FileForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for e in errors:
                flash(str(e), "danger")
        return redirect(url_for(endpoint, **values), 303)
    try:
        upload = form.file.data
        attachments.attach(item, upload.read(), upload.filename or "", form.title.data, current_user)
        db.session.commit()
        flash(_("File attached."), "success")
        return redirect(url_for(endpoint, **values), 303)
    except ServiceError as error:
        abort_with(error.status, error.message)


@bp.route("/case-studies/<int:item_id>/files", methods=["POST"])
@login_required
def case_study_file(item_id: int):
    return upload_file(_case(item_id), "library.case_study", item_id=item_id)


@bp.route("/files/<int:file_id>")
def download(file_id: int):
    try:
        record, data = attachments.get_file(file_id, current_user)
    except ServiceError:
        abort(404)
    return send_file(BytesIO(data), mimetype=MIME[record.kind], as_attachment=True,
                     download_name=record.original_filename)
