"""E-mail through an outbox: a message is written in the same transaction as the event it
tells of, then the scheduler sends it over SMTP with retries and back-off. Without an SMTP
server configured, messages wait in the outbox, visible to administrators; nothing is lost.
Two senders never send one message twice: each claims a message before sending it."""
from __future__ import annotations

import logging
import smtplib
import socket
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import OutboxMessage, User
from ..models.types import utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)            # a claimed message is retried after this if its sender died
MAX_BACKOFF = timedelta(hours=6)


def enqueue(key: str, user: User, subject: str, text: str, html: str) -> OutboxMessage | None:
    """Queue one message; the same key twice queues it once. Returns None (logged) if the user
    has no e-mail address."""
    if not (user.email or "").strip():
        log.info("outbox: %s skipped, user %s has no e-mail address", key, user.id)
        return None
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing
    message = OutboxMessage(key=key, user_id=user.id, to_address=user.email, subject=subject[:300],
                            body_text=text, body_html=html)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:            # a concurrent writer queued it first
        return db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    return message


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(attempts, 12)), MAX_BACKOFF)


def _claim(message_id: int, now: datetime) -> bool:
    claimed = db.session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE))
    db.session.commit()
    return claimed.rowcount == 1


def _smtp():
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_TLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def send_pending(now: datetime | None = None, limit: int = 100) -> dict:
    """Send what is due. SMTP down, refusing or slow: the message stays queued with its error
    and is tried again later (2, 4, 8 … minutes, at most 6 hours apart)."""
    now = now or utcnow()
    if not current_app.config.get("MAIL_SERVER"):
        waiting = db.session.scalar(select(db.func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.sent_at.is_(None)))
        return {"sent": 0, "failed": 0, "waiting": waiting, "reason": "no SMTP server configured"}
    due = list(db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)))
    sent = failed = 0
    smtp = None
    for message_id in due:
        if not _claim(message_id, now):
            continue                               # another sender has it
        message = db.session.get(OutboxMessage, message_id)
        try:
            smtp = smtp or _smtp()
            smtp.send_message(_email(message))
        except (OSError, smtplib.SMTPException, socket.timeout) as error:
            message.attempts += 1
            message.next_attempt_at = now + backoff(message.attempts)
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            failed += 1
            if smtp is not None:
                smtp.close()              # a refused or broken connection is not reused
            smtp = None
        else:
            message.attempts += 1
            message.sent_at, message.last_error = utcnow(), ""
            sent += 1
        db.session.commit()
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return {"sent": sent, "failed": failed, "waiting": len(due) - sent}


def _email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}@prr-portal>"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email
