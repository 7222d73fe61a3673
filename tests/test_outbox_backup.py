"""E-mail through the outbox against a real SMTP server (aiosmtpd on 127.0.0.1): delivered
once; with the server down or refusing, kept and retried, then delivered once. And backups:
backup → wipe → restore gives the same data and files back, on each database."""
import asyncio
from email import message_from_string
from email.policy import default
import shutil
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text

from portal.models import CaseStudy, LibraryRevision, OutboxMessage, SearchDoc, User
from portal.services import notifications, outbox
from portal.services.jobs import backup

aiosmtpd = pytest.importorskip("aiosmtpd", reason="aiosmtpd is installed by make install-test")
from aiosmtpd.controller import Controller  # noqa: E402


class Inbox:
    def __init__(self, refuse: bool = False, delay: float = 0):
        self.messages, self.refuse, self.delay = [], refuse, delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return "550 mailbox unavailable"
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    port = _free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_TIMEOUT=5)
    servers = []

    def start(refuse=False, delay=0):
        inbox = Inbox(refuse, delay)
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return inbox, controller

    yield start
    for controller in servers:
        try:
            controller.stop()
        except (AssertionError, RuntimeError):
            pass


def test_delivered_once_in_the_recipients_language(db, smtp, create_user):
    inbox, _server = smtp()
    en = create_user("focal_point", country="KZ")
    ru = create_user("focal_point", country="KG", language="ru")
    for user in (en, ru):
        notifications.notify(user, "return.returned", {"period": "2025", "version": 2, "reason": "REP01 total"},
                             dedupe_key=f"t:{user.id}")
    db.session.commit()
    assert outbox.send_pending() == {"sent": 2, "failed": 0, "waiting": 0}
    assert outbox.send_pending() == {"sent": 0, "failed": 0, "waiting": 0}
    assert sorted(to[0] for to, _body in inbox.messages) == sorted([en.email, ru.email])
    mails = {to[0]: message_from_string(body, policy=default) for to, body in inbox.messages}
    for address, expected in ((en.email, "was returned for correction: REP01 total"),
                              (ru.email, "возвращён на доработку: REP01 total")):
        mail = mails[address]
        assert expected in mail.get_body(("plain",)).get_content()
        assert expected in mail.get_body(("html",)).get_content()
        assert expected in str(mail["Subject"])


def test_server_down_or_refusing_keeps_and_retries(db, smtp, create_user):
    user = create_user("focal_point", country="KZ")
    notifications.notify(user, "return.returned", {"period": "2025", "version": 1, "reason": "x"}, dedupe_key="down")
    db.session.commit()
    now = datetime.now(timezone.utc)
    result = outbox.send_pending(now)                            # nothing listens on the port
    assert result["failed"] == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert message.next_attempt_at > now
    inbox, server = smtp(refuse=True)
    assert outbox.send_pending(now + timedelta(minutes=3))["failed"] == 1   # refused: 550
    db.session.refresh(message)
    assert message.attempts == 2 and "550" in message.last_error
    server.stop()
    inbox, _server = smtp()
    assert outbox.send_pending(now + timedelta(minutes=1))["sent"] == 0    # not due yet (back-off)
    assert outbox.send_pending(now + timedelta(hours=1))["sent"] == 1
    assert outbox.send_pending(now + timedelta(hours=2))["sent"] == 0
    assert len(inbox.messages) == 1


def test_a_server_that_times_out_keeps_the_message_queued(db, app, smtp, create_user):
    app.config["MAIL_TIMEOUT"] = 1
    inbox, _server = smtp(delay=3)
    user = create_user("focal_point", country="KZ")
    notifications.notify(user, "reminder.overdue", {"period": "2025"}, dedupe_key="slow")
    db.session.commit()
    assert outbox.send_pending()["failed"] == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None and "timed out" in message.last_error.lower()


def test_no_smtp_server_configured_keeps_messages_queued(db, app, create_user):
    app.config["MAIL_SERVER"] = ""
    user = create_user("focal_point", country="KZ")
    notifications.notify(user, "reminder.overdue", {"period": "2025"}, dedupe_key="q")
    db.session.commit()
    assert outbox.send_pending()["reason"] == "no SMTP server configured"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))) == 1


def _snapshot(db):
    tables = {}
    for model in (User, CaseStudy, LibraryRevision, SearchDoc):
        rows = db.session.execute(select(model.__table__)).all()
        tables[model.__tablename__] = sorted(tuple(str(v) for v in r) for r in rows)
    return tables


def test_backup_wipe_restore_gives_the_same_data_back(app, db, library, create_user, tmp_path):
    if db.engine.dialect.name == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("PostgreSQL backup: pg_dump/pg_restore not installed (the backup job reports the same)")
    app.config.update(BACKUP_FOLDER=str(tmp_path / "backups"), BACKUP_KEEP=2)
    create_user("secretariat")
    uploads = Path(app.config["UPLOAD_FOLDER"])
    (uploads / "library").mkdir(parents=True, exist_ok=True)
    (uploads / "library" / "a.pdf").write_bytes(b"%PDF-1.4 test")
    before = _snapshot(db)
    folder = Path(backup.backup(datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)))
    db.session.execute(delete(LibraryRevision))
    db.session.execute(delete(SearchDoc))
    db.session.commit()
    (uploads / "library" / "a.pdf").unlink()
    assert _snapshot(db) != before
    backup.restore(folder)
    assert _snapshot(db) == before
    assert (uploads / "library" / "a.pdf").read_bytes() == b"%PDF-1.4 test"
    if db.engine.dialect.name == "sqlite":      # the FTS index came back with its table
        assert db.session.execute(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'stigma'")).scalar() >= 1
    for stamp in ("20261130T020000Z", "20261201T020000Z"):   # retention: the newest two are kept
        backup.backup(datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc))
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == ["20261130T020000Z", "20261201T020000Z"]
