"""The failed-sign-in throttle holds exactly under concurrency (threads and separate
processes, both databases), and a deactivated account is throttled and answered exactly
like a wrong password. Password checks are counted by their audit rows
(`auth.login_failed` is written only after a password was checked)."""

import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.models import AuditEvent, LoginThrottle
from portal.services.accounts import auth as auth_service

from .conftest import PASSWORD, base_config, run_concurrently

ROOT = Path(__file__).resolve().parent.parent
ATTEMPTS = 20
PROCESSES = 12  # fewer than threads: each process imports the portal (a few seconds on 2 cores)


def _count(db, action: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _assert_exactly_the_limit_was_checked(app, db, attempts=ATTEMPTS):
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert _count(db, "auth.login_failed") == limit
    assert _count(db, "auth.login_locked") == attempts - limit


@pytest.mark.committing
def test_concurrent_wrong_passwords_get_exactly_the_limit_of_checks(app, db, create_user):
    email = create_user("delegate").email
    barrier = threading.Barrier(ATTEMPTS)

    def attempt(session):
        barrier.wait(30)
        with pytest.raises(auth_service.LoginRefused):
            auth_service.authenticate(email, "wrong-password", "10.0.0.1")

    assert run_concurrently(app, attempt, ATTEMPTS) == []
    _assert_exactly_the_limit_was_checked(app, db)
    assert db.session.get(LoginThrottle, f"email:{email}").locked_until is not None


@pytest.mark.committing
def test_concurrent_wrong_passwords_through_the_sign_in_form(app, db, create_user):
    email = create_user("delegate").email
    barrier = threading.Barrier(ATTEMPTS)
    statuses: list[int] = []

    def attempt():
        client = app.test_client()
        barrier.wait(30)
        statuses.append(client.post("/auth/login", data={"email": email, "password": "wrong-password"}).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert sorted(statuses) == [401] * limit + [429] * (ATTEMPTS - limit)
    _assert_exactly_the_limit_was_checked(app, db)


WORKER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from portal import create_app
    from portal.extensions import db
    from portal.services.accounts import auth
    config, email, go = json.loads(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    app = create_app(config)
    with app.app_context(), app.test_request_context():
        db.session.execute(db.text("SELECT 1"))        # connected before the start signal
        Path(sys.argv[5]).touch()
        while not go.exists():
            time.sleep(0.005)
        try:
            auth.authenticate(email, "wrong-password", "10.0.0.2")
        except auth.LoginRefused as refused:
            db.session.commit()
            print(refused.status)
""")


@pytest.mark.committing
def test_separate_processes_get_exactly_the_limit_of_checks(app, db, database_url, tmp_path, create_user):
    """As gunicorn workers would: each attempt in a process of its own."""
    user = create_user("delegate")
    config = base_config(database_url, tmp_path)
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(ROOT),
                json.dumps(config),
                user.email,
                str(go),
                str(tmp_path / f"ready{n}"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    deadline = time.monotonic() + 240
    while sum((tmp_path / f"ready{n}").exists() for n in range(PROCESSES)) < PROCESSES:
        assert time.monotonic() < deadline, "workers did not start"
        assert all(p.poll() is None for p in processes), [p.communicate() for p in processes if p.poll() is not None]
        time.sleep(0.05)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err[-600:] for _out, err in outputs if err]
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert sorted(out.strip() for out, _err in outputs) == ["401"] * limit + ["429"] * (PROCESSES - limit)
    _assert_exactly_the_limit_was_checked(app, db, PROCESSES)


@pytest.mark.parametrize("account", ["inactive, right password", "inactive, wrong password"])
def test_a_deactivated_account_is_throttled_like_a_wrong_password(app, client, db, create_user, account):
    create_user("delegate", email="active@prr.example")
    inactive = create_user("delegate", email="gone@prr.example", active=False)
    password = PASSWORD if account.endswith("right password") else "wrong-password"
    runs = {}
    for email, pw in (("active@prr.example", "wrong-password"), (inactive.email, password)):
        answers = [client.post("/auth/login", data={"email": email, "password": pw}) for _ in range(6)]
        runs[email] = [(r.status_code, _message(r)) for r in answers]
    assert runs[inactive.email] == runs["active@prr.example"]
    assert [status for status, _ in runs[inactive.email]] == [401] * 5 + [429]


def _message(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index('data-testid="login-error">')
    return page[start : page.index("</div>", start)]


def test_successful_sign_ins_do_not_use_up_the_client_address(app, db, create_user):
    """Each attempt takes a place before the check; a success gives the address's back."""
    limit = app.config["LOGIN_MAX_FAILURES"] * auth_service.IP_FACTOR
    users = [create_user("delegate") for _ in range(limit + 2)]
    for user in users:
        assert auth_service.authenticate(user.email, PASSWORD, "10.0.0.9") == user
        db.session.commit()
    assert db.session.get(LoginThrottle, "ip:10.0.0.9").failures == 0
