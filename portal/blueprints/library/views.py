"""The library: search (anyone; only what they may see), case studies, files, review."""

from io import BytesIO

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import found_or_404
from ...forms import choices
from ...i18n import current_language
from ...models import CaseStudy
from ...services import reference, rich_text
from ...services.files import MIME
from ...services.library import access, attachments, items, plans, search
from .actions import save_item, upload_file, workflow_action
from .blueprint import bp
from .forms import CaseStudyForm, FileForm, ReviewForm


@bp.route("/")
def index():
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    results = search.search(
        current_user,
        request.args.get("q", "")[:200],
        search.filters_from(request.args),
        request.args.get("sort", "relevance"),
        page,
    )
    names = {c.iso2: c for c in reference.countries()}
    plan_ids = [hit.doc.item_id for hit in results.hits if hit.doc.item_kind == "action_plan"]
    regions = {r.code: r for r in reference.regions()}
    return render_template(
        "library/index.html",
        results=results,
        names=names,
        regions=regions,
        by_id={c.id: c for c in names.values()},
        item_url=_item_url,
        plan_titles=plans.titles(plan_ids, results.query, current_language()),
        args=request.args,
    )


def _item_url(doc) -> str:
    if doc.item_kind == "case_study":
        return url_for("library.case_study", item_id=doc.item_id)
    return url_for("plans.plan", plan_id=doc.item_id)


def _case(item_id: int) -> CaseStudy:
    return found_or_404(items.get, CaseStudy, item_id, current_user)


@bp.route("/case-studies/<int:item_id>")
def case_study(item_id: int):
    item = _case(item_id)
    texts = {name: rich_text.render(getattr(item, name)) for name in ("body", "results", "lessons")}
    return render_template(
        "library/case_study.html",
        item=item,
        texts=texts,
        can_edit=access.can_edit(current_user, item),
        can_review=access.can_review(current_user),
        can_submit=access.can_submit(current_user, item),
        history=items.history(item) if access.is_editor(current_user, item) else [],
        translations=[t for t in items.translations(item) if access.can_view(current_user, t)],
        file_form=FileForm(formdata=None),
        review_form=ReviewForm(formdata=None),
    )


def _form(item=None) -> CaseStudyForm:
    form = CaseStudyForm(obj=item) if item is not None and request.method == "GET" else CaseStudyForm()
    form.country.choices = choices(
        [(c.iso2, c.name(current_language())) for c in items.creatable_countries(current_user)]
    )
    form.translation_of_id.choices = choices(
        [("", _("— none —"))] + [(str(c.id), c.title[:90]) for c in items.translation_candidates(current_user, item)]
    )
    if item is not None and request.method == "GET":
        form.country.data = item.country.iso2
        form.translation_of_id.data = str(item.translation_of_id or "")
        form.sources.data = items.sources_text(item.sources)
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
    if item is None and not access.may_add(current_user):
        abort(403)
    form = _form(item)
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        saved = save_item(form, lambda: items.save_case_study(item, data, current_user))
        if saved is not None:
            return redirect(url_for("library.case_study", item_id=saved.id))
    return render_template("library/case_study_form.html", form=form, item=item), 400 if form.errors else 200


@bp.route("/case-studies/<int:item_id>/<any(submit, publish, return):action>", methods=["POST"])
@login_required
def case_study_action(item_id: int, action: str):
    item = _case(item_id)
    workflow_action(item, action)
    return redirect(url_for("library.case_study", item_id=item.id), 303)


@bp.route("/case-studies/<int:item_id>/files", methods=["POST"])
@login_required
def case_study_file(item_id: int):
    return upload_file(_case(item_id), "library.case_study", item_id=item_id)


@bp.route("/files/<int:file_id>")
def download(file_id: int):
    record, data = found_or_404(attachments.get_file, file_id, current_user)
    return send_file(
        BytesIO(data), mimetype=MIME[record.kind], as_attachment=True, download_name=record.original_filename
    )
