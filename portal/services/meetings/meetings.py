"""Council meetings: create and edit, agenda items, documents (checked by content)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import MEETING_FORMATS, AgendaItem, Country, Meeting, MeetingDocument, User
from .. import audit, files
from ..errors import ServiceError


def list_meetings() -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).order_by(Meeting.start_date.desc())))


def _country(code: str | None) -> Country | None:
    if not code:
        return None
    country = db.session.scalar(select(Country).where(Country.iso2 == code.upper()))
    if country is None:
        raise ServiceError(_l("Unknown country code: %(code)s.", code=code), field="host")
    return country


def save_meeting(
    meeting: Meeting | None,
    *,
    title: str,
    title_ru: str | None,
    start_date: date,
    end_date: date,
    place: str,
    host: str | None,
    format: str,
    description: str,
    source: str = "",
    actor: User | None = None,
) -> Meeting:
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise ServiceError(_l("Give a title of at most 300 characters."), field="title")
    if end_date < start_date:
        raise ServiceError(_l("The meeting ends before it starts."), field="end_date")
    if format not in MEETING_FORMATS:
        raise ServiceError(_l("Unknown meeting format."), field="format")
    if len(description or "") > 20000:
        raise ServiceError(_l("The description is too long (at most 20000 characters)."), field="description")
    creating = meeting is None
    meeting = meeting or Meeting()
    meeting.title, meeting.title_ru = title, (title_ru or "").strip() or None
    meeting.start_date, meeting.end_date, meeting.place = start_date, end_date, (place or "").strip()[:200]
    meeting.host_country, meeting.format = _country(host), format
    meeting.description, meeting.source = description or "", source or meeting.source or ""
    db.session.add(meeting)
    audit.record("meeting.create" if creating else "meeting.update", actor=actor, obj=meeting, title=title)
    return meeting


def save_meeting_and_agenda(meeting: Meeting | None, *, agenda: str, actor: User | None = None, **fields) -> Meeting:
    """The meeting form's one call: its fields (see save_meeting), then its agenda from the
    form's text (one item per line)."""
    saved = save_meeting(meeting, actor=actor, **fields)
    db.session.flush()
    set_agenda(saved, parse_agenda(agenda), actor=actor)
    return saved


def parse_agenda(text: str) -> list[tuple[str, str | None]]:
    """One item a line; "KG: National practice" names Kyrgyzstan as the presenter."""
    items: list[tuple[str, str | None]] = []
    for line in (text or "").splitlines():
        code, sep, rest = line.partition(":")
        if sep and len(code.strip()) == 2 and code.strip().isalpha():
            items.append((rest.strip(), code.strip().upper()))
        elif line.strip():
            items.append((line.strip(), None))
    return items


def agenda_text(meeting: Meeting) -> str:
    """The agenda in the form parse_agenda reads."""
    return "\n".join(
        f"{a.presenter_country.iso2}: {a.title}" if a.presenter_country else a.title for a in meeting.agenda
    )


def set_agenda(meeting: Meeting, items: list[tuple[str, str | None]], actor: User | None = None) -> None:
    meeting.agenda.clear()
    db.session.flush()
    for position, (title, presenter) in enumerate(items):
        title = (title or "").strip()
        if title:
            meeting.agenda.append(
                AgendaItem(position=position, title=title[:300], presenter_country=_country(presenter))
            )
    audit.record("meeting.agenda", actor=actor, obj=meeting, items=len(meeting.agenda))


def add_document(meeting: Meeting, data: bytes, filename: str, title: str, actor: User | None) -> MeetingDocument:
    stored = files.store(data, filename)
    title = (title or "").strip() or Path(stored["original_filename"]).stem
    doc = MeetingDocument(meeting=meeting, title=title[:300], uploaded_by=actor, **stored)
    db.session.add(doc)
    audit.record(
        "meeting.document", actor=actor, obj=doc, meeting=meeting.id, kind=stored["kind"], sha256=stored["sha256"]
    )
    return doc


def document_bytes(doc: MeetingDocument) -> bytes:
    return files.read(doc.stored_path)


def load_meetings(entries: list[dict]) -> int:
    """Seed: create the meetings that do not exist yet (same title and start date)."""
    created = 0
    for m in entries:
        exists = db.session.scalar(
            select(Meeting).where(Meeting.title == m["title"], Meeting.start_date == m["start_date"])
        )
        if exists:
            continue
        meeting = save_meeting(
            None,
            title=m["title"],
            title_ru=m.get("title_ru"),
            start_date=m["start_date"],
            end_date=m["end_date"],
            place=m.get("place", ""),
            host=m.get("host"),
            format=m.get("format", "in_person"),
            description=m.get("description", ""),
            source=m.get("source", ""),
        )
        db.session.flush()
        items = [(a, None) if isinstance(a, str) else (a["title"], a.get("presenter")) for a in m.get("agenda", [])]
        set_agenda(meeting, items)
        created += 1
    return created
