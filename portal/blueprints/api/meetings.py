"""JSON API: meetings and compiled briefs."""

from io import BytesIO

from flask import abort, jsonify, request, send_file
from flask_login import current_user, login_required

from ...config import LOCALES
from ...extensions import db
from ...models import STAFF_ROLES, Brief, Meeting
from ...schemas import output
from ...services.meetings import brief_output
from ...services.meetings import briefs as brief_service
from ...services.meetings import meetings as meeting_service
from ...services.xlsx import XLSX_MIMETYPE
from .blueprint import bp


@bp.route("/meetings")
@login_required
def meetings():
    return jsonify(meetings=output.MeetingSchema(many=True).dump(meeting_service.list_meetings()))


@bp.route("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    return jsonify(output.MeetingFullSchema().dump(db.get_or_404(Meeting, meeting_id)))


def _compiled(brief_id: int):
    brief = db.get_or_404(Brief, brief_id)
    if not brief.editions:
        abort(404)
    number = request.args.get("edition", type=int)
    edition = brief.latest if number is None else next((e for e in brief.editions if e.number == number), None)
    if edition is None:
        abort(404)
    brief_service.check_readable([edition], current_user.role in STAFF_ROLES)
    return brief, edition


@bp.route("/briefs/<int:brief_id>")
@login_required
def brief(brief_id: int):
    brief, edition = _compiled(brief_id)
    snapshot = {k: v for k, v in edition.snapshot.items()}
    snapshot["indicators"] = [{k: v for k, v in ind.items() if k != "charts"} for ind in snapshot["indicators"]]
    # The brief's title now (both languages); the edition's own is in snapshot["title"]:
    # {"en", "ru"}, or one string in an edition compiled before briefs were bilingual.
    return jsonify(
        {
            **output.BriefSchema().dump(brief),
            "meeting_id": brief.meeting_id,
            "edition": edition.number,
            "editions": [e.number for e in brief.editions],
            "compiled_at": edition.compiled_at.isoformat(),
            "snapshot": snapshot,
        }
    )


@bp.route("/briefs/<int:brief_id>.xlsx")
@login_required
def brief_xlsx(brief_id: int):
    brief, edition = _compiled(brief_id)
    lang = request.args.get("lang", "en")
    return send_file(
        BytesIO(brief_output.to_xlsx(edition.snapshot, lang if lang in LOCALES else "en")),
        as_attachment=True,
        download_name=f"PRR-brief-{brief.id}-edition-{edition.number}.xlsx",
        mimetype=XLSX_MIMETYPE,
    )


@bp.route("/briefs/<int:brief_id>.pdf")
@login_required
def brief_pdf(brief_id: int):
    brief, edition = _compiled(brief_id)
    lang = request.args.get("lang", "en")
    lang = lang if lang in LOCALES else "en"
    return send_file(
        BytesIO(brief_output.edition_pdf(brief, edition, lang)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"PRR-brief-{brief.id}-edition-{edition.number}-{lang}.pdf",
    )
