"""E-mail through the outbox against a real SMTP server (aiosmtpd on 127.0.0.1): delivered
once; with the server down or refusing, kept and retried, then delivered once. And backups:
backup → wipe → restore gives the same data and files back, on each database."""

import asyncio
import contextlib
import json
import shutil
import socket
import tarfile
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, message_from_string
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text

from portal.models import CaseStudy, LibraryFile, LibraryRevision, OutboxMessage, Return, SearchDoc, StoredFile, User
from portal.services.jobs import backup
from portal.services.library import attachments
from portal.services.notices import notifications, outbox

from .conftest import upload

aiosmtpd = pytest.importorskip("aiosmtpd", reason="aiosmtpd is installed by make install-test")

from aiosmtpd.controller import Controller  # noqa: E402


class Inbox:
    """refuse: the answer to DATA instead of 250 (e.g. "451 try later", "550 rejected");
    refuse_rcpt: {address: answer} for RCPT TO."""

    def __init__(self, refuse: str = "", delay: float = 0, refuse_rcpt: dict | None = None):
        self.messages, self.refuse, self.delay, self.refuse_rcpt = [], refuse, delay, refuse_rcpt or {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return self.refuse
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

    def start(refuse="", delay=0, refuse_rcpt=None):
        inbox = Inbox(refuse, delay, refuse_rcpt)
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return inbox, controller

    yield start
    for controller in servers:
        with contextlib.suppress(AssertionError, RuntimeError):
            controller.stop()


def test_delivered_once_in_the_recipients_language(db, smtp, create_user):
    inbox, _server = smtp()
    en = create_user("focal_point", country="KZ")
    ru = create_user("focal_point", country="KG", language="ru")
    for user in (en, ru):
        notifications.notify(
            user,
            "return.returned",
            {"period": "2025", "version": 2, "reason": "REP01 total"},
            dedupe_key=f"t:{user.id}",
        )
    db.session.commit()
    assert outbox.send_pending() == {"sent": 2, "failed": 0, "rejected": 0, "waiting": 0}
    assert outbox.send_pending() == {"sent": 0, "failed": 0, "rejected": 0, "waiting": 0}
    assert sorted(to[0] for to, _body in inbox.messages) == sorted([en.email, ru.email])
    mails = {to[0]: message_from_string(body, policy=default) for to, body in inbox.messages}
    for address, expected in (
        (en.email, "was returned for correction: REP01 total"),
        (ru.email, "возвращён на доработку: REP01 total"),
    ):
        mail = mails[address]
        assert expected in mail.get_body(("plain",)).get_content()
        assert expected in mail.get_body(("html",)).get_content()
        assert expected in str(mail["Subject"])


def test_server_down_or_refusing_keeps_and_retries(db, smtp, create_user):
    user = create_user("focal_point", country="KZ")
    notifications.notify(user, "return.returned", {"period": "2025", "version": 1, "reason": "x"}, dedupe_key="down")
    db.session.commit()
    now = datetime.now(UTC)
    result = outbox.send_pending(now)  # nothing listens on the port
    assert result["failed"] == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert message.next_attempt_at > now
    inbox, server = smtp(refuse="451 4.3.0 try again later")
    assert outbox.send_pending(now + timedelta(minutes=3))["failed"] == 1  # refused for now: 451
    db.session.refresh(message)
    assert message.attempts == 2 and "451" in message.last_error and message.failed_at is None
    server.stop()
    inbox, _server = smtp()
    assert outbox.send_pending(now + timedelta(minutes=1))["sent"] == 0  # not due yet (back-off)
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
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))) == 1
    )


# --- One message never blocks the others: header values, permanent and temporary refusals ---

REASON = "REP01 looks low.\nCheck stage 5.\r\n\tThanks, — the secretariat"
HEADERS = {"from", "to", "subject", "message-id", "mime-version", "content-type", "content-transfer-encoding"}


def _mail(inbox, address):
    (body,) = [body for to, body in inbox.messages if to == [address]]
    head = body.replace("\r\n", "\n").split("\n\n", 1)[0]
    return message_from_bytes(body.encode("utf-8"), policy=default), head  # as a mail client reads it


def _message(db, address):
    db.session.expire_all()
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == address))


def test_a_multi_line_return_reason_is_sent_on_one_line_and_the_next_message_too(
    db, client, smtp, login_as, auth, filled, create_user
):
    inbox, _server = smtp()
    focal = login_as("focal_point", country="KZ")
    assert upload(client, filled({("REP01", "Total"): 10, ("REP01O", "Total"): 10}), "submit").status_code == 302
    auth.logout()
    login_as("secretariat")
    ret = db.session.scalar(select(Return))
    assert client.post(f"/review/{ret.id}/return", data={"reason": REASON}).status_code == 302
    later = create_user("focal_point", country="KG")
    notifications.notify(
        later, "reminder.overdue", {"period": "2025", "country": "KG", "due": "2026-01-31"}, dedupe_key="queued-after"
    )
    db.session.commit()
    assert outbox.send_pending() == {"sent": 2, "failed": 0, "rejected": 0, "waiting": 0}
    mail, head = _mail(inbox, focal.email)
    assert str(mail["Subject"]) == (
        "PRR Council Portal: Your return for 2025 (version 1) was returned for "
        "correction: REP01 looks low. Check stage 5. Thanks, — the secretariat"
    )
    assert {name.lower() for name in mail} <= HEADERS  # nothing injected by the line feeds
    assert all(line[:1] in " \t" or ":" in line for line in head.split("\n"))
    plain = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "REP01 looks low.\nCheck stage 5.\n\tThanks, — the secretariat" in plain  # the body keeps them
    later_mail, _head = _mail(inbox, later.email)
    assert "Overdue" in str(later_mail["Subject"])


@pytest.mark.parametrize(
    "subject",
    [
        " ".join(["Quarterly"] * 600)[:5000],
        " ".join(["Доклад"] * 800)[:5000],
        "x" * 5000,
        "Строка\n" * 700,
    ],
    ids=["ascii-words", "cyrillic-words", "one-long-word", "cyrillic-lines"],
)
def test_a_5000_character_subject_is_cut_and_folded(db, smtp, create_user, subject):
    inbox, _server = smtp()
    user = create_user("focal_point", country="KZ", name="Айгерим Нурланова")
    message = outbox.enqueue("long", user, subject, "text", "<p>text</p>")
    db.session.commit()
    assert len(message.subject) <= outbox.SUBJECT_LIMIT and message.subject.endswith("…")
    assert "\n" not in message.subject and "  " not in message.subject
    assert outbox.send_pending()["sent"] == 1
    mail, head = _mail(inbox, user.email)
    assert str(mail["Subject"]) == message.subject
    assert head.isascii() and max(len(line) for line in head.split("\n")) <= 78  # encoded and folded


@pytest.mark.parametrize(
    "name, shown",
    [
        ("Айгерим Нурланова", "Айгерим Нурланова"),
        ("Eve\r\nBcc: spy@evil.example", "Eve Bcc: spy@evil.example"),
        ("Ольга «Оля» Иванова, PhD", "Ольга «Оля» Иванова, PhD"),
    ],
    ids=["cyrillic", "line-feed", "quotes-and-comma"],
)
def test_display_names_are_encoded_and_on_one_line(db, smtp, create_user, name, shown):
    inbox, _server = smtp()
    user = create_user("focal_point", country="KZ", language="ru")
    user.name = name  # as stored, whatever the user form would allow today
    notifications.notify(
        user, "return.returned", {"period": "2025", "version": 1, "reason": "Проверьте\nREP01"}, dedupe_key="n"
    )
    db.session.commit()
    assert outbox.send_pending()["sent"] == 1
    assert [to for to, _body in inbox.messages] == [[user.email]]
    mail, head = _mail(inbox, user.email)
    (address,) = mail["To"].addresses
    assert (address.display_name, address.addr_spec) == (shown, user.email)
    assert "Bcc" not in mail and head.isascii()
    assert str(mail["Subject"]).endswith("возвращён на доработку: Проверьте REP01")


@pytest.mark.parametrize(
    "answer, permanent",
    [
        ("550 5.1.1 no such mailbox", True),
        ("553 5.1.3 mailbox name not allowed", True),
        ("450 4.2.1 mailbox busy, try later", False),
        ("452 4.3.1 insufficient storage", False),
    ],
)
def test_a_refused_recipient_is_failed_or_retried_and_the_next_message_is_sent(
    db, smtp, create_user, answer, permanent
):
    first, second = create_user("focal_point", country="KZ"), create_user("focal_point", country="KG")
    inbox, _server = smtp(refuse_rcpt={first.email: answer})
    for user in (first, second):
        notifications.notify(user, "reminder.overdue", {"period": "2025"}, dedupe_key=f"r{user.id}")
    db.session.commit()
    now = datetime.now(UTC)
    result = outbox.send_pending(now)
    assert result["sent"] == 1 and [to for to, _body in inbox.messages] == [[second.email]]
    assert (result["rejected"], result["failed"]) == ((1, 0) if permanent else (0, 1))
    message = _message(db, first.email)
    assert answer[:3] in message.last_error and message.sent_at is None and message.attempts == 1
    assert (message.failed_at is not None) is permanent
    inbox.refuse_rcpt.clear()  # the mailbox is fine again
    assert outbox.send_pending(now + timedelta(days=1))["sent"] == (0 if permanent else 1)
    assert len(inbox.messages) == (1 if permanent else 2)


def test_a_message_refused_at_data_is_failed_for_good(db, smtp, create_user):
    inbox, _server = smtp(refuse="554 5.6.0 message content rejected")
    user = create_user("focal_point", country="KZ")
    notifications.notify(user, "reminder.overdue", {"period": "2025"}, dedupe_key="data")
    db.session.commit()
    now = datetime.now(UTC)
    assert outbox.send_pending(now) == {"sent": 0, "failed": 0, "rejected": 1, "waiting": 0}
    message = _message(db, user.email)
    assert message.failed_at is not None and "554" in message.last_error
    inbox.refuse = ""
    assert outbox.send_pending(now + timedelta(days=1))["sent"] == 0 and inbox.messages == []


def test_a_message_that_cannot_be_built_is_failed_and_the_others_are_sent(db, client, smtp, create_user, login_as):
    inbox, _server = smtp()
    user = create_user("focal_point", country="KZ")
    db.session.add_all(
        [  # as rows queued before headers were cleaned could be
            OutboxMessage(
                key="bad-address", to_address="broken\n@prr.example", subject="x", body_text="x", body_html="x"
            ),
            OutboxMessage(
                key="old-subject",
                user_id=user.id,
                to_address=user.email,
                subject="Queued before:\nline two",
                body_text="x",
                body_html="<p>x</p>",
            ),
        ]
    )
    db.session.commit()
    assert outbox.send_pending() == {"sent": 1, "failed": 0, "rejected": 1, "waiting": 0}
    bad = _message(db, "broken\n@prr.example")
    assert bad.failed_at is not None and bad.sent_at is None and bad.last_error.startswith("ValueError")
    mail, _head = _mail(inbox, user.email)
    assert str(mail["Subject"]) == "Queued before: line two"
    assert outbox.send_pending() == {"sent": 0, "failed": 0, "rejected": 0, "waiting": 0}
    login_as("admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "failed" in page and bad.last_error[:30] in page


def _snapshot(db):
    tables = {}
    for model in (User, CaseStudy, LibraryFile, StoredFile, LibraryRevision, SearchDoc):
        rows = db.session.execute(select(model.__table__)).all()
        tables[model.__tablename__] = sorted(tuple(str(v) for v in r) for r in rows)
    return tables


@pytest.mark.committing
def test_backup_wipe_restore_gives_the_same_data_back(app, db, library, create_user, tmp_path):
    if db.engine.dialect.name == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("PostgreSQL backup: pg_dump/pg_restore not installed (the backup job reports the same)")
    app.config.update(BACKUP_FOLDER=str(tmp_path / "backups"), BACKUP_KEEP=2)
    user = create_user("secretariat")
    item = db.session.scalar(select(CaseStudy))
    record = attachments.attach(item, b"%PDF-1.4 test", "a.pdf", "A", user)  # its bytes: in the database
    db.session.commit()
    file_id, user_id = record.id, user.id
    before = _snapshot(db)
    folder = Path(backup.backup(datetime(2026, 11, 29, 2, 0, tzinfo=UTC)))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", json.loads((folder / "manifest.json").read_text())["database"]]
    )
    db.session.execute(delete(LibraryFile))
    db.session.execute(delete(StoredFile))
    db.session.execute(delete(LibraryRevision))
    db.session.execute(delete(SearchDoc))
    db.session.commit()
    assert _snapshot(db) != before
    backup.restore(folder)
    assert _snapshot(db) == before
    assert (
        attachments.get_file(file_id, db.session.get(User, user_id))[1] == b"%PDF-1.4 test"
    )  # the file came back with its row
    # the search index (postings) came back with its table
    assert db.session.execute(text("SELECT count(*) FROM search_term WHERE term = 'stigma'")).scalar() >= 1
    for stamp in ("20261130T020000Z", "20261201T020000Z"):  # retention: the newest two are kept
        backup.backup(datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC))
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == ["20261130T020000Z", "20261201T020000Z"]
    # A backup made before migration 0014 also held the upload folder: it comes back for the
    # migration (`flask db upgrade`, run next) to move into the database.
    old, then = tmp_path / "backups" / "20261201T020000Z", tmp_path / "then" / "uploads"
    (then / "library").mkdir(parents=True)
    (then / "library" / "a.pdf").write_bytes(b"%PDF-1.4 then")
    with tarfile.open(old / "uploads.tar.gz", "w:gz") as tar:
        tar.add(then, arcname="uploads")
    manifest = json.loads((old / "manifest.json").read_text())
    (old / "manifest.json").write_text(json.dumps({**manifest, "uploads": "uploads.tar.gz"}))
    backup.restore(old)
    assert (Path(app.config["UPLOAD_FOLDER"]) / "library" / "a.pdf").read_bytes() == b"%PDF-1.4 then"
