"""Council meetings: create and edit, agenda items, documents (checked by content)."""

from __future__ import annotations

from datetime import date
from itertools import zip_longest
from pathlib import Path
from typing import NamedTuple

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


# The meeting's texts in both languages, with their limits (the columns' lengths).
LIMITS = {"place": 200, "description": 20000, "source": 2000}
TEXT_FIELDS = tuple(f"{name}{suffix}" for name in LIMITS for suffix in ("", "_ru"))


def _text(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ServiceError(_l("%(f)s is too long (at most %(n)d characters).", f=field, n=limit), field=field)
    return value


def save_meeting(
    meeting: Meeting | None,
    *,
    title: str,
    title_ru: str | None,
    start_date: date,
    end_date: date,
    host: str | None,
    format: str,
    actor: User | None = None,
    **texts: str | None,
) -> Meeting:
    """`texts`: place, description, source and their Russian counterparts place_ru, …; a source
    not given keeps the one stored."""
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise ServiceError(_l("Give a title of at most 300 characters."), field="title")
    title_ru = _text(title_ru, "title_ru", 300)
    if end_date < start_date:
        raise ServiceError(_l("The meeting ends before it starts."), field="end_date")
    if format not in MEETING_FORMATS:
        raise ServiceError(_l("Unknown meeting format."), field="format")
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"save_meeting: unknown fields {sorted(unknown)}")
    values = {
        name: _text(texts.get(name), name, LIMITS[name.removesuffix("_ru")])
        for name in texts
        if texts.get(name) is not None or not name.startswith("source")
    }
    creating = meeting is None
    meeting = meeting or Meeting()
    meeting.title, meeting.title_ru = title, title_ru or None
    meeting.start_date, meeting.end_date = start_date, end_date
    meeting.host_country, meeting.format = _country(host), format
    for name, value in values.items():
        setattr(meeting, name, value)
    db.session.add(meeting)
    audit.record("meeting.create" if creating else "meeting.update", actor=actor, obj=meeting, title=title)
    return meeting


def save_meeting_and_agenda(
    meeting: Meeting | None, *, agenda: str, agenda_ru: str = "", actor: User | None = None, **fields
) -> Meeting:
    """The meeting form's one call: its fields (see save_meeting), then its agenda from the
    form's two texts (one item per line, the Russian lines beside the English ones)."""
    items = parse_agenda(agenda, agenda_ru)
    saved = save_meeting(meeting, actor=actor, **fields)
    db.session.flush()
    set_agenda(saved, items, actor=actor)
    return saved


class AgendaLine(NamedTuple):
    title: str
    title_ru: str
    presenter: str | None  # a country code


def _line(line: str) -> tuple[str, str | None]:
    code, sep, rest = line.partition(":")
    if sep and len(code.strip()) == 2 and code.strip().isalpha():
        return rest.strip(), code.strip().upper()
    return line.strip(), None


def parse_agenda(text: str, text_ru: str = "") -> list[AgendaLine]:
    """One item a line; "KG: National practice" names Kyrgyzstan as the presenter. The Russian
    text's lines go with the English ones of the same number; a line left empty on one side is
    an item in the other language only. An item over 300 characters is refused (naming it)."""
    english, russian = (text or "").rstrip().splitlines(), (text_ru or "").rstrip().splitlines()
    items: list[AgendaLine] = []
    for number, (en_line, ru_line) in enumerate(zip_longest(english, russian, fillvalue=""), start=1):
        (title, presenter), (title_ru, presenter_ru) = _line(en_line), _line(ru_line)
        for name, value in (("agenda", title), ("agenda_ru", title_ru)):
            if len(value) > 300:
                raise ServiceError(
                    _l("%(f)s, line %(n)d: an item has at most 300 characters.", f=name, n=number), field=name
                )
        if title or title_ru:
            items.append(AgendaLine(title, title_ru, presenter or presenter_ru))
    return items


def agenda_text(meeting: Meeting, language: str = "en") -> str:
    """The agenda in the form parse_agenda reads: the English text, or the Russian one."""

    def line(a: AgendaItem) -> str:
        title = a.title_ru if language == "ru" else a.title
        if not title:
            return ""
        return f"{a.presenter_country.iso2}: {title}" if a.presenter_country else title

    return "\n".join(line(a) for a in meeting.agenda).rstrip()


def set_agenda(meeting: Meeting, items: list[AgendaLine], actor: User | None = None) -> None:
    meeting.agenda.clear()
    db.session.flush()
    for position, item in enumerate(items):
        title, title_ru = (item.title or "").strip(), (item.title_ru or "").strip()
        if title or title_ru:
            meeting.agenda.append(
                AgendaItem(
                    position=position,
                    title=title[:300],
                    title_ru=title_ru[:300],
                    presenter_country=_country(item.presenter),
                )
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


def _seed_item(entry: str | dict) -> AgendaLine:
    if isinstance(entry, str):
        return AgendaLine(entry, "", None)
    return AgendaLine(entry.get("title", ""), entry.get("title_ru", ""), entry.get("presenter"))


def _add_russian(meeting: Meeting, entry: dict) -> None:
    """A meeting seeded before its Russian text existed: the seed's Russian fills what is empty
    (text someone wrote since is kept)."""
    for name in TEXT_FIELDS:
        if name.endswith("_ru") and not getattr(meeting, name) and entry.get(name):
            setattr(meeting, name, entry[name])
    if not meeting.title_ru and entry.get("title_ru"):
        meeting.title_ru = entry["title_ru"]
    seeded = [_seed_item(a) for a in entry.get("agenda", [])]
    for item in meeting.agenda:
        match = next((s for s in seeded if s.title and s.title == item.title), None)
        if match and not item.title_ru:
            item.title_ru = match.title_ru


def load_meetings(entries: list[dict]) -> int:
    """Seed: create the meetings that do not exist yet (same title and start date)."""
    created = 0
    for m in entries:
        exists = db.session.scalar(
            select(Meeting).where(Meeting.title == m["title"], Meeting.start_date == m["start_date"])
        )
        if exists:
            _add_russian(exists, m)
            continue
        meeting = save_meeting(
            None,
            title=m["title"],
            title_ru=m.get("title_ru"),
            start_date=m["start_date"],
            end_date=m["end_date"],
            host=m.get("host"),
            format=m.get("format", "in_person"),
            **{name: m.get(name, "") for name in TEXT_FIELDS},
        )
        db.session.flush()
        set_agenda(meeting, [_seed_item(a) for a in m.get("agenda", [])])
        created += 1
    return created
