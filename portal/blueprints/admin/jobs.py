"""Administrators: recent job runs, run a job now, the e-mail outbox."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...forms import ConfirmForm
from ...services.jobs import outcomes, runner
from ...services.jobs.registry import JOBS
from ...services.notices import outbox
from .blueprint import bp


@bp.route("/jobs")
def jobs():
    return render_template(
        "admin/jobs.html", jobs=JOBS, runs=runner.recent(50), outbox=outbox.recent(50), form=ConfirmForm(formdata=None)
    )


@bp.route("/jobs/<name>/run", methods=["POST"])
def run_job(name: str):
    if name not in JOBS or not ConfirmForm().validate_on_submit():
        abort(400)
    run = runner.run(JOBS[name])
    if run is None:
        flash(_("This job has already run for its current time slot."), "info")
    elif run.outcome == "ok":
        flash(_("Job %(name)s done: %(detail)s", name=name, detail=outcomes.describe(run.detail)), "success")
    else:
        flash(_("Job %(name)s failed: %(error)s", name=name, error=run.error), "danger")
    return redirect(url_for("admin.jobs"), 303)
