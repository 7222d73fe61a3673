"""E-mail through an outbox: a message is written in the same transaction as the event it
tells of, then the scheduler sends it over SMTP with retries and back-off. Without an SMTP
server configured, messages wait in the outbox, visible to administrators; nothing is lost.
Two senders never send one message twice: each claims a message before sending it.

One message never holds up the others: header values are made single-line (and cut) before
they are stored and again when sent, the standard library's e-mail policy encodes and folds
them; a message that cannot be built, or that the server refuses for good (5xx), is marked
failed with its error; only temporary trouble (no connection, timeout, 4xx) is retried."""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import OutboxMessage, User
from ...models.types import utcnow
from ..transitions import rowcount

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)  # a claimed message is retried after this if its sender died
MAX_BACKOFF = timedelta(hours=6)
SUBJECT_LIMIT = 200  # characters; a longer subject is cut at a word, with "…"
NAME_LIMIT = 120
WHITESPACE = re.compile(r"\s+")  # Unicode whitespace: CR, LF, tab, U+2028, NBSP, …
CONTROL = re.compile("[\x00-\x1f\x7f]")


def header_text(value: str, limit: int = SUBJECT_LIMIT) -> str:
    """A header value on one line: runs of whitespace (line feeds included) become one space,
    other control characters go, and a value longer than `limit` is cut at the last word
    boundary (if one is near) with an ellipsis. Folding long lines is the e-mail policy's job."""
    text = CONTROL.sub("", WHITESPACE.sub(" ", value or "")).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def render_html(name: str, **context) -> str:
    """The HTML part of a message from its template under templates/email/ (autoescaped, so a
    quoted title or reason stays text); rendered without the page context processors, which
    need a request and a signed-in reader."""
    return current_app.jinja_env.get_template(f"email/{name}").render(**context)


def enqueue(key: str, user: User, subject: str, text: str, html: str) -> OutboxMessage | None:
    """Queue one message; the same key twice queues it once. Returns None (logged) if the user
    has no e-mail address."""
    if not (user.email or "").strip():
        log.info("outbox: %s skipped, user %s has no e-mail address", key, user.id)
        return None
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing
    message = OutboxMessage(
        key=key,
        user_id=user.id,
        to_address=user.email,
        to_name=header_text(user.name or "", NAME_LIMIT),
        subject=header_text(subject),
        body_text=text,
        body_html=html,
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # a concurrent writer queued it first
        return db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    return message


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(attempts, 12)), MAX_BACKOFF)


def _pending():
    return (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))


def _claim(message_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, *_pending(), OutboxMessage.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE)
    )
    db.session.commit()
    return rowcount(claimed) == 1


def _smtp():
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_TLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def permanent(error: Exception) -> bool:
    """Refused for good, for this message (trying again gives the same answer): every
    recipient or the content refused with 5xx, or an SMTPUTF8 address the server cannot take.
    Everything else (no connection, timeouts, 4xx, a refused sign-in or sender address, which
    are the portal's own settings) is temporary."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(500 <= code < 600 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return isinstance(error, smtplib.SMTPNotSupportedError)


def _error(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def send_pending(now: datetime | None = None, limit: int = 100) -> dict:
    """Send what is due. SMTP down, slow or refusing for now (4xx): the message stays queued
    with its error and is tried again later (2, 4, 8 … minutes, at most 6 hours apart).
    Refused for good (5xx) or impossible to build: marked failed with its error ("rejected")."""
    now = now or utcnow()
    if not current_app.config.get("MAIL_SERVER"):
        waiting = db.session.scalar(select(db.func.count()).select_from(OutboxMessage).where(*_pending()))
        return {"sent": 0, "failed": 0, "waiting": waiting, "reason": "no SMTP server configured"}
    due = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(*_pending(), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    sent = failed = rejected = 0
    smtp = None
    for message_id in due:
        if not _claim(message_id, now):
            continue  # another sender has it
        message = db.session.get_one(OutboxMessage, message_id)  # claimed above, so it exists
        message.attempts += 1
        try:
            email = _email(message)
        except Exception as error:  # noqa: BLE001 - whatever stops this one message being built
            log.warning("outbox: message %s cannot be built: %s", message.id, error)
            message.failed_at, message.last_error = utcnow(), _error(error)
            rejected += 1
            db.session.commit()
            continue
        try:
            smtp = smtp or _smtp()
            smtp.send_message(email)
        except (TimeoutError, OSError, smtplib.SMTPException) as error:
            message.last_error = _error(error)
            if permanent(error):  # the connection is still good (smtplib sent RSET)
                message.failed_at = utcnow()
                rejected += 1
            else:
                message.next_attempt_at = now + backoff(message.attempts)
                failed += 1
                if smtp is not None:
                    smtp.close()  # a refused or broken connection is not reused
                smtp = None
        else:
            message.sent_at, message.last_error = utcnow(), ""
            sent += 1
        db.session.commit()
    if smtp is not None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return {"sent": sent, "failed": failed, "rejected": rejected, "waiting": len(due) - sent - rejected}


def _email(message: OutboxMessage) -> EmailMessage:
    """Headers through the SMTP policy: non-ASCII encoded (RFC 2047), long lines folded, CRLF.
    Subject and name are made single-line again here, for messages queued before that was done
    on enqueue; an address that is not one raises (the message is then failed)."""
    email = EmailMessage(policy=SMTP)
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = Address(display_name=header_text(message.to_name or "", NAME_LIMIT), addr_spec=message.to_address)
    email["Subject"] = header_text(message.subject)
    email["Message-ID"] = f"<outbox-{message.id}@prr-portal>"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def recent(limit: int = 50) -> list[OutboxMessage]:
    """The newest messages, those still waiting first (the administrators' outbox page)."""
    return list(
        db.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.sent_at.is_not(None), OutboxMessage.id.desc()).limit(limit)
        )
    )
