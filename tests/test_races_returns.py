"""Submit, accept and return for correction are compare-and-set transitions: of two people
acting on one version at the same moment exactly one wins, the other gets 409 with a plain
message, and exactly one event, one audit row and one notice exist (threads on both
databases; separate processes on PostgreSQL; the API and the HTML forms)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Notification, Return, ReturnEvent, ReturnVersion, User
from portal.services.returns import workflow
from portal.services.returns.validate import validate_upload

from .conftest import PASSWORD, AuthActions
from .races import in_threads, meet_after_loading, race

TRIALS = 5
REASON = "REP01 looks low; check stage 5."
LOST = {
    "accept": "This return was already accepted by someone else.",
    "return": "This return was already returned for correction by someone else.",
    "submit": "This return was already submitted by someone else.",
}
RESULT = {
    "accept": ("accepted", "return.accept", "return.accepted"),
    "return": ("returned", "return.return", "return.returned"),
    "submit": ("submitted", "return.submit", None),
}


@pytest.fixture
def people(return_setup, create_user):
    """Two secretariat users and the one KZ focal point (so each decision sends one notice)."""
    return {
        "sec": [create_user("secretariat").id, create_user("secretariat").id],
        "focal": create_user("focal_point", country="KZ").id,
    }


def _new_version(app, db, filled, focal_id: int, n: int, submit: bool = True) -> tuple[int, int]:
    data = filled({("REP01", "Total"): n, ("REP01O", "Total"): n})
    with app.test_request_context():
        me = db.session.get(User, focal_id)
        report, ident = validate_upload(data, me)
        version = workflow.store_version(report, ident, data, "kz.xlsx", me, submit=submit)
        db.session.commit()
        return version.return_id, version.number


def _act(action: str, ret: Return, user: User):
    if action == "accept":
        return workflow.accept_return(ret, user)
    if action == "return":
        return workflow.send_back(ret, user, REASON)
    return workflow.submit_return(ret, user)


def _written(db, ret_id: int, number: int) -> dict:
    """What the decisions on version `number` wrote: events, audit rows, notices, final state."""
    db.session.expire_all()
    version = db.session.scalar(
        select(ReturnVersion).where(ReturnVersion.return_id == ret_id, ReturnVersion.number == number)
    )
    events = [
        e.action
        for e in db.session.scalars(
            select(ReturnEvent)
            .where(ReturnEvent.version_id == version.id, ReturnEvent.action != "upload")
            .order_by(ReturnEvent.id)
        )
    ]
    audits = [
        a.action
        for a in db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action.in_(["return.submit", "return.accept", "return.return"]),
                AuditEvent.object_id == str(ret_id),
            )
            .order_by(AuditEvent.id)
        )
        if a.details.get("version") == number
    ]
    notices = [
        n.kind
        for n in db.session.scalars(
            select(Notification).where(Notification.kind.in_(["return.accepted", "return.returned"]))
        )
        if n.params.get("version") == number
    ]
    ret = db.session.get(Return, ret_id)
    return {
        "events": events,
        "audits": audits,
        "notices": notices,
        "status": ret.status,
        "accepted": version.accepted_at is not None,
        "submitted": version.submitted_at is not None,
    }


def _expect_one_winner(outcomes: list, actions: tuple, written: dict, before: list[str] | None = None):
    """Exactly one "ok", the other a 409 naming what the winner did; what was written is the
    winner's and only the winner's."""
    winners = [i for i, o in enumerate(outcomes) if o == "ok"]
    assert len(winners) == 1, outcomes
    winner = actions[winners[0]]
    loser = outcomes[1 - winners[0]]
    assert loser == (409, LOST[winner]), outcomes
    status, audit_action, notice = RESULT[winner]
    prior = before or []
    assert written["events"] == prior + [winner], written
    assert written["audits"] == [f"return.{a}" for a in prior] + [audit_action], written
    assert written["notices"] == ([notice] if notice else []), written
    assert written["status"] == status and written["accepted"] == (winner == "accept"), written


PAIRS = [("accept", "return"), ("accept", "accept"), ("return", "return"), ("return", "accept")]


@pytest.mark.committing
@pytest.mark.parametrize("actions", PAIRS, ids="-vs-".join)
def test_two_reviewers_at_once_exactly_one_wins(app, db, filled, people, actions):
    for trial in range(TRIALS):
        ret_id, number = _new_version(app, db, filled, people["focal"], trial + 1)

        def prepare(i):
            ret = db.session.get(Return, ret_id)
            assert ret.status == "submitted" and ret.latest_version.number == number
            return ret, db.session.get(User, people["sec"][i])

        outcomes = race(app, prepare, lambda state, i: _act(actions[i], *state))
        _expect_one_winner(outcomes, actions, _written(db, ret_id, number), before=["submit"])


@pytest.mark.committing
def test_two_submits_at_once_exactly_one_wins(app, db, filled, people):
    for trial in range(TRIALS):
        ret_id, number = _new_version(app, db, filled, people["focal"], trial + 1, submit=False)

        def prepare(_i):
            ret = db.session.get(Return, ret_id)
            assert ret.status == "draft" and ret.latest_version.number == number
            return ret, db.session.get(User, people["focal"])

        outcomes = race(app, prepare, lambda state, i: _act("submit", *state))
        _expect_one_winner(outcomes, ("submit", "submit"), _written(db, ret_id, number))


def _token(client, user_id: int, db) -> dict:
    email = db.session.get(User, user_id).email
    response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code in (200, 201), response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.mark.committing
@pytest.mark.parametrize("actions", [("accept", "return"), ("accept", "accept")], ids="-vs-".join)
def test_through_the_api_exactly_one_wins(app, db, filled, people, actions):
    clients = [app.test_client(), app.test_client()]
    headers = [_token(c, people["sec"][i], db) for i, c in enumerate(clients)]
    for trial in range(TRIALS):
        ret_id, number = _new_version(app, db, filled, people["focal"], trial + 1)

        def call(i):
            url = f"/api/v1/returns/{ret_id}/{actions[i]}"
            body = {"reason": REASON} if actions[i] == "return" else None
            return lambda: clients[i].post(url, json=body, headers=headers[i])

        with meet_after_loading(Return, 2):
            responses = in_threads([call(0), call(1)])
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 409], [r.get_json() for r in responses]
        winner = actions[[r.status_code for r in responses].index(200)]
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.json["error"]["message"] == LOST[winner]
        written = _written(db, ret_id, number)
        assert written["events"] == ["submit", winner] and len(written["notices"]) == 1, written


@pytest.mark.committing
def test_through_the_html_forms_exactly_one_wins(app, db, filled, people):
    clients = [app.test_client(), app.test_client()]
    for i, c in enumerate(clients):
        assert AuthActions(c).login(db.session.get(User, people["sec"][i]).email).status_code == 302
    for trial in range(TRIALS):
        ret_id, number = _new_version(app, db, filled, people["focal"], trial + 1)
        posts = [
            lambda: clients[0].post(f"/review/{ret_id}/accept"),
            lambda: clients[1].post(f"/review/{ret_id}/return", data={"reason": REASON}),
        ]
        with meet_after_loading(Return, 2):
            responses = in_threads(posts)
        codes = [r.status_code for r in responses]
        assert sorted(codes) == [302, 409], codes
        winner = ("accept", "return")[codes.index(302)]
        page = responses[codes.index(409)].get_data(as_text=True)
        assert LOST[winner] in page
        _expect_one_winner(
            ["ok" if c == 302 else (409, LOST[winner]) for c in codes],
            ("accept", "return"),
            _written(db, ret_id, number),
            before=["submit"],
        )


WORKER = Path(__file__).with_name("race_worker.py")


@pytest.mark.committing
@pytest.mark.parametrize("actions", [("accept", "return"), ("accept", "accept")], ids="-vs-".join)
def test_separate_processes_exactly_one_wins(app, db, database_url, filled, people, tmp_path, actions):
    if not database_url.startswith("postgresql"):
        pytest.skip("separate processes: PostgreSQL only (the SQLite leg is covered by threads)")
    for trial in range(3):
        ret_id, number = _new_version(app, db, filled, people["focal"], trial + 1)
        go = tmp_path / f"go-{trial}"
        procs, ready = [], []
        for i in range(2):
            ready.append(tmp_path / f"ready-{trial}-{i}")
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        str(WORKER),
                        database_url,
                        str(tmp_path / "uploads"),
                        str(ret_id),
                        str(people["sec"][i]),
                        actions[i],
                        str(ready[i]),
                        str(go),
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=str(WORKER.parent.parent),
                    env={**os.environ, "PYTHONPATH": str(WORKER.parent.parent)},
                )
            )
        deadline = time.monotonic() + 120
        while not all(r.exists() for r in ready):
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), [
                p.communicate() for p in procs if p.poll() is not None
            ]
            time.sleep(0.05)
        go.touch()
        outputs = [p.communicate(timeout=120) for p in procs]
        results = [out.strip().splitlines()[-1] if out.strip() else err for out, err in outputs]
        outcomes = ["ok" if r == "ok" else (int(r[:3]), r[4:]) if r[:3].isdigit() else r for r in results]
        _expect_one_winner(outcomes, actions, _written(db, ret_id, number), before=["submit"])
