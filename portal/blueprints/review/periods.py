"""Reporting periods, managed by the secretariat."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...forms import apply_service_error
from ...models import ReportingPeriod
from ...services.returns import periods as period_service
from ...services.errors import ServiceError
from .blueprint import bp
from .forms import PeriodForm




@bp.route("/periods", methods=["GET", "POST"])
def periods():
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            period = period_service.create_period(
                label=form.label.data.strip(), start_date=form.start_date.data, end_date=form.end_date.data,
                opens_on=form.opens_on.data, due_date=form.due_date.data, closes_on=form.closes_on.data,
                template_version=form.template_version.data, is_open=form.is_open.data, actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Period %(label)s created.", label=period.label), "success")
            return redirect(url_for("review.periods"))
    status = 400 if request.method == "POST" else 200
    return render_template("review/periods.html", periods=period_service.list_periods(), form=form), status


@bp.route("/periods/<int:period_id>", methods=["GET", "POST"])
def edit_period(period_id: int):
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    form = PeriodForm(obj=period) if request.method == "GET" else PeriodForm()
    form.label.data = period.label  # the label and template version never change
    form.template_version.data = period.template.version
    if form.validate_on_submit():
        try:
            changes = period_service.update_period(
                period, start_date=form.start_date.data, end_date=form.end_date.data,
                opens_on=form.opens_on.data, due_date=form.due_date.data, closes_on=form.closes_on.data,
                is_open=form.is_open.data, actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return render_template("review/period_form.html", form=form, period=period), error.status
        else:
            db.session.commit()
            flash(_("Period %(label)s updated.", label=period.label) if changes else _("Nothing changed."), "success")
            return redirect(url_for("review.periods"))
    status = 400 if request.method == "POST" else 200
    return render_template("review/period_form.html", form=form, period=period), status
