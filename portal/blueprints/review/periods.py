"""Reporting periods, managed by the secretariat."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...forms import save_form
from ...models import ReportingPeriod
from ...services.returns import periods as period_service
from .blueprint import bp
from .forms import PeriodForm


@bp.route("/periods", methods=["GET", "POST"])
def periods():
    form = PeriodForm()
    if form.validate_on_submit() and save_form(
        form,
        lambda: period_service.create_period(
            label=form.label.data.strip(),
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            opens_on=form.opens_on.data,
            due_date=form.due_date.data,
            closes_on=form.closes_on.data,
            template_version=form.template_version.data,
            is_open=form.is_open.data,
            actor=current_user,
        ),
        lambda period: _("Period %(label)s created.", label=period.label),
    ):
        return redirect(url_for("review.periods"))
    status = 400 if request.method == "POST" else 200
    return render_template("review/periods.html", periods=period_service.list_periods(), form=form), status


@bp.route("/periods/<int:period_id>", methods=["GET", "POST"])
def edit_period(period_id: int):
    period = db.get_or_404(ReportingPeriod, period_id)
    form = PeriodForm(obj=period) if request.method == "GET" else PeriodForm()
    form.label.data = period.label  # the label and template version never change
    form.template_version.data = period.template.version
    if form.validate_on_submit():
        changes = save_form(
            form,
            lambda: period_service.update_period(
                period,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                opens_on=form.opens_on.data,
                due_date=form.due_date.data,
                closes_on=form.closes_on.data,
                is_open=form.is_open.data,
                actor=current_user,
            ),
            lambda changes: _("Period %(label)s updated.", label=period.label) if changes else _("Nothing changed."),
        )
        if changes is not None:
            return redirect(url_for("review.periods"))
    # A refused save answers with the refusal's status (409: someone else opened or closed it).
    refused = getattr(form, "service_error", None)
    status = refused.status if refused else 400 if request.method == "POST" else 200
    return render_template("review/period_form.html", form=form, period=period), status
