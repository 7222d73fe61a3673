"""Form handling the case-study and action-plan pages share: save, review actions, files."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...forms import save_form
from ...services.errors import ServiceError
from ...services.library import attachments, items
from .forms import FileForm, ReviewForm


def save_item(form, save):
    """Run a case study's or plan's save (forms.save_form); a 403 refusal is the page's answer.
    Returns the saved item, or None."""
    return save_form(form, save, _("Saved."), abort_forbidden=True)


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


def upload_file(item, endpoint: str, **values):
    form = FileForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for e in errors:
                flash(str(e), "danger")
        return redirect(url_for(endpoint, **values), 303)
    upload = form.file.data
    attachments.attach(item, upload.read(), upload.filename or "", form.title.data, current_user)
    db.session.commit()
    flash(_("File attached."), "success")
    return redirect(url_for(endpoint, **values), 303)
