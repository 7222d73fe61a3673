"""JSON API: meetings and compiled briefs."""
from io import BytesIO

from flask import abort, jsonify, request, send_file
from flask_login import current_user, login_required

from ...extensions import db
from ...models import STAFF_ROLES, Brief, Meeting
from ...services.meetings import brief_output
from ...services.meetings import briefs as brief_service
from ...services.meetings import meetings as meeting_service
from .blueprint import bp


def _meeting_json(m, full=False) -> dict:
    data = {"id": m.id, "title": m.title, "title_ru": m.title_ru, "start_date": m.start_date.isoformat(),
            "end_date": m.end_date.isoformat(), "place": m.place, "format": m.format,
            "host_country": m.host_country.iso2 if m.host_country else None}
    if full:
        data.update(
            description=m.description, source=m.source,
            agenda=[{"position": a.position, "title": a.title,
                     "presenter_country": a.presenter_country.iso2 if a.presenter_country else None} for a in m.agenda],
            documents=[{"id": d.id, "title": d.title, "kind": d.kind, "size": d.size, "sha256": d.sha256} for d in m.documents],
            briefs=[{"id": b.id, "title": b.title, "editions": len(b.editions)} for b in m.briefs if b.editions])
    return data


@bp.route("/meetings")
@login_required
def meetings():
    return jsonify(meetings=[_meeting_json(m) for m in meeting_service.list_meetings()])


@bp.route("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    return jsonify(_meeting_json(db.get_or_404(Meeting, meeting_id), full=True))


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
    return jsonify(id=brief.id, title=brief.title, meeting_id=brief.meeting_id, edition=edition.number,
                   editions=[e.number for e in brief.editions], compiled_at=edition.compiled_at.isoformat(),
                   snapshot=snapshot)


@bp.route("/briefs/<int:brief_id>.xlsx")
@login_required
def brief_xlsx(brief_id: int):
    brief, edition = _compiled(brief_id)
    lang = request.args.get("lang", "en")
    return send_file(BytesIO(brief_output.to_xlsx(edition.snapshot, lang if lang in ("en", "ru") else "en")),
                     as_attachment=True, download_name=f"PRR-brief-{brief.id}-edition-{edition.number}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/briefs/<int:brief_id>.pdf")
@login_required
def brief_pdf(brief_id: int):
    brief, edition = _compiled(brief_id)
    lang = request.args.get("lang", "en")
    lang = lang if lang in ("en", "ru") else "en"
    return send_file(BytesIO(brief_output.edition_pdf(brief, edition, lang)), mimetype="application/pdf",
                     as_attachment=True, download_name=f"PRR-brief-{brief.id}-edition-{edition.number}-{lang}.pdf")
