"""A new version answers the queries whose cell it changed: workflow.store_version calls
`on_new_version`, which writes a CHANGE message in each such thread and marks the query answered.

A CHANGE message stores what changed as data (JSON in its text: the old and new figure —
number, text, status — and the old and new note when the note changed), and `message_text`
renders it in the reader's language and number format, so a Russian and an English reader each
read it in their own ("1,234,567" / "1 234 567")."""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import (
    AWAITING_COUNTRY,
    MessageKind,
    QueryMessage,
    QueryState,
    Return,
    ReturnValue,
    ReturnVersion,
    User,
    ValueQuery,
)
from ...models.types import utcnow
from .. import formatting
from ..transitions import compare_and_set
from . import queries


def previous_version(version: ReturnVersion) -> ReturnVersion | None:
    """The return's version numbered just before `version`."""
    return db.session.scalar(
        select(ReturnVersion).where(
            ReturnVersion.return_id == version.return_id, ReturnVersion.number == version.number - 1
        )
    )


def _cells(version: ReturnVersion | None, indicators: set[str]) -> tuple[dict, dict]:
    """(value by cell, note by indicator) of `version` for `indicators`."""
    if version is None:
        return {}, {}
    rows = db.session.scalars(
        select(ReturnValue).where(ReturnValue.version_id == version.id, ReturnValue.indicator.in_(indicators))
    )
    values, notes = {}, {}
    for row in rows:
        values[(row.indicator, row.breakdown)] = row
        if row.note:
            notes[row.indicator] = row.note
    return values, notes


def _figure(value: ReturnValue | None) -> dict | None:
    """A cell's figure as stored in a CHANGE message (None: blank)."""
    if value is None:
        return None
    return {"number": value.number, "text": value.text, "status": value.status}


def figure_text(figure: object) -> str:
    """A stored figure as the reader writes it, its number in the reader's locale: N/A, EST 120,
    CONF 12, 1,234,567 (1 234 567 in Russian); "" when blank. A string (as messages stored
    before figures were) is shown as it is."""
    if isinstance(figure, str) or figure is None:
        return figure or ""
    if not isinstance(figure, dict):
        return ""
    number, text, status = figure.get("number"), figure.get("text"), figure.get("status")
    if text is not None:
        return str(text)
    shown = formatting.number(number, digits=3) if isinstance(number, int | float) else ""
    return " ".join(part for part in (status, shown) if part)


def change_text(change: dict) -> str:
    """The change in a notice, in the reader's number format: "10 → 12", and the new note."""
    parts = []
    if "new" in change:
        parts.append(f"{figure_text(change.get('old')) or '—'} → {figure_text(change.get('new')) or '—'}")
    if "new_note" in change:
        parts.append(f"“{change['new_note'] or '—'}”")
    return "; ".join(parts)


def on_new_version(ret: Return, previous: ReturnVersion | None, version: ReturnVersion, user: User | None) -> None:
    """For each query waiting for the country whose cell's value or note differs between
    `previous` and `version`: a CHANGE message, the state answered, an audit row, and a notice
    to the secretariat. Queries whose cell did not change stay as they are."""
    waiting = queries.list_queries(ret, AWAITING_COUNTRY)
    if not waiting:
        return
    indicators = {q.indicator for q in waiting}
    old_values, old_notes = _cells(previous, indicators)
    new_values, new_notes = _cells(version, indicators)
    for query in waiting:
        key = (query.indicator, query.breakdown)
        old, new = old_values.get(key), new_values.get(key)
        old_note, new_note = old_notes.get(query.indicator), new_notes.get(query.indicator)
        change: dict = {}
        if _figure(old) != _figure(new):
            change.update(old=_figure(old), new=_figure(new))
        if old_note != new_note:
            change.update(old_note=old_note, new_note=new_note)
        if not change:
            continue
        if not compare_and_set(
            ValueQuery,
            query.id,
            [ValueQuery.state.in_([str(s) for s in AWAITING_COUNTRY])],
            state=QueryState.ANSWERED,
            updated_at=utcnow(),
        ):
            continue  # resolved meanwhile: nothing to answer
        message = QueryMessage(
            value_query=query,
            kind=MessageKind.CHANGE,
            author=user,
            text=json.dumps(change, ensure_ascii=False),
            version_number=version.number,
        )
        db.session.add(message)
        db.session.flush()
        queries.record_step("query.change", query, user, message, version=version.number)
        queries.notify_secretariat(query, message, "", change=change)


def message_text(message: QueryMessage) -> str:
    """A message's text as the reader reads it: a CHANGE message rendered in the current
    language ("Changed from 10 to 12 in version 2."), any other as written."""
    if message.kind != MessageKind.CHANGE:
        return message.text
    try:
        change = json.loads(message.text)
    except ValueError:
        return message.text
    if not isinstance(change, dict):
        return message.text
    n = message.version_number
    blank = _("blank")
    sentences = []
    if "new" in change:
        sentences.append(
            _(
                "Changed from %(old)s to %(new)s in version %(n)s.",
                old=figure_text(change.get("old")) or blank,
                new=figure_text(change.get("new")) or blank,
                n=n,
            )
        )
    if "new_note" in change:
        if change.get("new_note"):
            sentences.append(_("The note changed in version %(n)s: %(note)s", n=n, note=change["new_note"]))
        else:
            sentences.append(_("The note was removed in version %(n)s.", n=n))
    return " ".join(sentences)
