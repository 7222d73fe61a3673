"""Council meetings: everyone signed in reads; the secretariat manages."""

from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import abort_with
from ...extensions import db
from ...forms import choices, save_form
from ...i18n import current_language
from ...models import STAFF_ROLES, Meeting, MeetingDocument
from ...security import roles_required
from ...services import bilingual, reference, rich_text
from ...services.files import MIME
from ...services.meetings import meetings as meeting_service
from .blueprint import bp
from .forms import DocumentForm, MeetingForm

STAFF = STAFF_ROLES


@bp.route("/")
@login_required
def index():
    return render_template("meetings/index.html", meetings=meeting_service.list_meetings())


@bp.route("/<int:meeting_id>")
@login_required
def detail(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return render_template(
        "meetings/detail.html",
        meeting=meeting,
        description=bilingual.field(meeting, "description", current_language()).map(rich_text.render),
        document_form=DocumentForm(formdata=None),
        staff=current_user.role in STAFF,
    )


def _meeting_form(meeting=None):
    form = MeetingForm(obj=meeting) if meeting is not None and request.method == "GET" else MeetingForm()
    form.host.choices = choices(
        [("", _("— none —"))] + [(c.iso2, c.name(current_language())) for c in reference.countries()]
    )
    if meeting is not None and request.method == "GET":
        form.host.data = meeting.host_country.iso2 if meeting.host_country else ""
        form.agenda.data = meeting_service.agenda_text(meeting, "en")
        form.agenda_ru.data = meeting_service.agenda_text(meeting, "ru")
    return form


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(meeting_id: int | None = None):
    meeting = db.get_or_404(Meeting, meeting_id) if meeting_id else None
    form = _meeting_form(meeting)
    if form.validate_on_submit():
        saved = save_form(
            form,
            lambda: meeting_service.save_meeting_and_agenda(
                meeting,
                title=form.title.data,
                title_ru=form.title_ru.data,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                host=form.host.data or None,
                format=form.format.data,
                agenda=form.agenda.data,
                agenda_ru=form.agenda_ru.data,
                **{name: getattr(form, name).data for name in meeting_service.TEXT_FIELDS},
                actor=current_user,
            ),
            _("Meeting saved."),
        )
        if saved is not None:
            return redirect(url_for("meetings.detail", meeting_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/form.html", form=form, meeting=meeting), status


@bp.route("/<int:meeting_id>/documents", methods=["POST"])
@roles_required(*STAFF)
def upload_document(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = DocumentForm()
    if not form.validate_on_submit():
        abort_with(400, " ".join(e for errors in form.errors.values() for e in errors))
    data = form.file.data.read()
    form.file.data.close()
    meeting_service.add_document(meeting, data, form.file.data.filename or "", form.title.data, current_user)
    db.session.commit()
    flash(_("Document attached."), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/documents/<int:doc_id>")
@login_required
def document(doc_id: int):
    doc = db.get_or_404(MeetingDocument, doc_id)
    return send_file(
        BytesIO(meeting_service.document_bytes(doc)),
        mimetype=MIME[doc.kind],
        as_attachment=True,
        download_name=doc.original_filename,
    )
