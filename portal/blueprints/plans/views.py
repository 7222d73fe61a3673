"""National action plans: list, plan pages with progress, coverage across countries, editing."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import abort_with, found_or_404
from ...extensions import db
from ...forms import choices
from ...i18n import current_language
from ...models import ActionPlan, PlanMeasure
from ...services import bilingual, reference, rich_text
from ...services.library import access, items, plans
from ..library.actions import save_item, upload_file, workflow_action
from ..library.forms import FileForm, ReviewForm
from .blueprint import bp
from .forms import PlanForm, UpdateForm


def _plan(plan_id: int) -> ActionPlan:
    return found_or_404(items.get, ActionPlan, plan_id, current_user)


@bp.route("/")
def index():
    country = request.args.get("country", "").upper() or None
    return render_template(
        "plans/index.html",
        plans=plans.plans(current_user, country),
        country=country,
        countries=reference.countries(),
        progress=plans.progress,
    )


@bp.route("/coverage")
def coverage():
    return render_template("plans/coverage.html", coverage=plans.coverage(current_user))


@bp.route("/<int:plan_id>")
def plan(plan_id: int):
    item = _plan(plan_id)
    return render_template(
        "plans/plan.html",
        item=item,
        progress=plans.progress(item),
        objectives=bilingual.field(item, "objectives", current_language()).map(rich_text.render),
        can_edit=access.can_edit(current_user, item),
        can_report=access.is_editor(current_user, item),
        can_review=access.can_review(current_user),
        can_submit=access.can_submit(current_user, item),
        history=items.history(item) if access.is_editor(current_user, item) else [],
        update_form=UpdateForm(formdata=None),
        file_form=FileForm(formdata=None),
        review_form=ReviewForm(formdata=None),
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit(plan_id: int | None = None):
    item = _plan(plan_id) if plan_id else None
    if (item is not None and not access.can_edit(current_user, item)) or (
        item is None and not access.may_add(current_user)
    ):
        abort(403)
    form = PlanForm(obj=item) if item is not None and request.method == "GET" else PlanForm()
    form.country.choices = choices(
        [(c.iso2, c.name(current_language())) for c in items.creatable_countries(current_user)]
    )
    if item is not None and request.method == "GET":
        form.country.data = item.country.iso2
        form.measures.data = plans.measures_text(item, "en")
        form.measures_ru.data = plans.measures_text(item, "ru")
        form.sources.data = items.sources_text(item.sources)
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "measures_ru")}
        data["measures"] = plans.parse_measures_text(form.measures.data, form.measures_ru.data)
        saved = save_item(form, lambda: plans.save_plan(item, data, current_user))
        if saved is not None:
            return redirect(url_for("plans.plan", plan_id=saved.id))
    return render_template("plans/form.html", form=form, item=item), 400 if form.errors else 200


@bp.route("/<int:plan_id>/<any(submit, publish, return):action>", methods=["POST"])
@login_required
def action(plan_id: int, action: str):
    item = _plan(plan_id)
    workflow_action(item, action)
    return redirect(url_for("plans.plan", plan_id=item.id), 303)


@bp.route("/<int:plan_id>/files", methods=["POST"])
@login_required
def upload(plan_id: int):
    return upload_file(_plan(plan_id), "plans.plan", plan_id=plan_id)


@bp.route("/measures/<int:measure_id>/updates", methods=["POST"])
@login_required
def measure_update(measure_id: int):
    measure = db.get_or_404(PlanMeasure, measure_id)
    _plan(measure.plan_id)
    form = UpdateForm()
    if not form.validate_on_submit():
        abort_with(400, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    plans.add_update(
        measure,
        on_date=form.on_date.data,
        status=form.status.data,
        text=form.text.data,
        text_ru=form.text_ru.data,
        actor=current_user,
    )
    db.session.commit()
    flash(_("Progress recorded."), "success")
    return redirect(url_for("plans.plan", plan_id=measure.plan_id) + f"#measure-{measure.id}", 303)
