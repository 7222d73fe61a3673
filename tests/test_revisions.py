"""What "accepted" means after a revision (issue 13, item 5), and the secretariat's notices of
submissions (item 6).

A return accepted at version 1 with REP01 Total 10 gets version 2 (Total 20): a revision. Until
version 2 is accepted, the return shows "accepted (version 1) · revision version 2 in …", and
delegates, comparisons, briefs and the accepted-data API keep using version 1's figures."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Brief, BriefEdition, Meeting, Notification, OutboxMessage
from portal.services.returns import states, workflow

from .conftest import use_token

V1 = {("REP01", "Women"): 4, ("REP01", "Total"): 10}
V2 = {("REP01", "Women"): 4, ("REP01", "Total"): 20}
REVISION_STATES = ["draft", "submitted", "returned"]
LABELS = {
    "draft": "revision version 2 in draft",
    "submitted": "revision version 2 submitted",
    "returned": "revision version 2 returned for correction",
}


@pytest.fixture
def revised(create_return, create_user):
    """revised(state) -> the return: KZ 2025 accepted at version 1, version 2 in `state`."""
    reviewer = create_user("secretariat", email="reviewer2@prr.example")

    def make(state: str):
        first = create_return("KZ", "2025", V1, status="accepted", reviewer=reviewer)
        second = create_return("KZ", "2025", V2, status=state, reviewer=reviewer)
        assert second.return_ is first.return_ and second.number == 2
        return second.return_

    return make


@pytest.mark.parametrize("state", REVISION_STATES)
def test_a_revision_keeps_the_accepted_version(revised, state):
    ret = revised(state)
    assert ret.status == state  # the latest version's state
    assert ret.accepted_version.number == 1
    assert states.revision_of(ret).number == 2
    assert states.revision_label(ret) == LABELS[state]
    assert states.state_json(ret) == {"accepted_version": 1, "revision": {"version": 2, "status": state}}


def test_an_accepted_revision_is_no_longer_one(revised):
    ret = revised("accepted")
    assert ret.accepted_version.number == 2
    assert states.revision_of(ret) is None and states.revision_label(ret) is None
    assert states.state_json(ret) == {"accepted_version": 2, "revision": None}


def test_a_first_version_is_not_a_revision(create_return):
    ret = create_return("KZ", "2025", V1, status="draft").return_
    assert states.revision_of(ret) is None
    assert states.state_json(ret) == {"accepted_version": None, "revision": None}


@pytest.mark.parametrize("page", ["/returns/{id}", "/returns/"])
@pytest.mark.parametrize("state", REVISION_STATES)
def test_pages_show_the_revision_to_staff_and_the_country(client, login_as, revised, state, page):
    ret = revised(state)
    for role, country in (("secretariat", None), ("focal_point", "KZ")):
        login_as(role, country)
        html = client.get(page.format(id=ret.id)).get_data(as_text=True)
        assert "accepted (version 1)" in html, role
        assert LABELS[state] in html, role
        assert f'data-revision="{state}"' in html, role
        client.post("/auth/logout")


@pytest.mark.parametrize("page", ["/returns/{id}", "/returns/"])
@pytest.mark.parametrize("state", REVISION_STATES)
def test_delegates_see_the_accepted_return_only(client, login_as, revised, state, page):
    ret = revised(state)
    login_as("delegate")
    html = client.get(page.format(id=ret.id)).get_data(as_text=True)
    assert 'data-status="accepted"' in html
    assert "revision" not in html and "data-revision" not in html


def _total(values: list[dict]) -> float | None:
    return next((v["value"] for v in values if (v["indicator"], v["breakdown"]) == ("REP01", "Total")), None)


EXPECTED_TOTAL = {"draft": 10, "submitted": 10, "returned": 10, "accepted": 20}


@pytest.mark.parametrize("state", [*REVISION_STATES, "accepted"])
def test_delegates_and_the_comparison_use_the_accepted_version(client, create_user, revised, state):
    ret = revised(state)
    use_token(client, create_user("delegate"))
    detail = client.get(f"/api/v1/returns/{ret.id}").json
    assert detail["status"] == "accepted" and "revision" not in detail
    assert detail["accepted_version"] == (2 if state == "accepted" else 1)
    assert _total(detail["values"]) == EXPECTED_TOTAL[state]
    rows = client.get("/api/v1/comparison?indicator=REP01&period=2025&countries=KZ").json["rows"]
    kz = [r for r in rows if r["country"] == "KZ" and r["breakdown"] == "Total"]
    assert [r["value"] for r in kz] == [EXPECTED_TOTAL[state]]
    listed = [r for r in client.get("/api/v1/returns?country=KZ").json["returns"]]
    assert listed == [
        {
            "id": ret.id,
            "country": "KZ",
            "period": "2025",
            "status": "accepted",
            "accepted_version": 2 if state == "accepted" else 1,
        }
    ]


@pytest.mark.parametrize("state", [*REVISION_STATES, "accepted"])
def test_the_delegate_page_shows_the_accepted_figures(client, login_as, revised, state):
    ret = revised(state)
    login_as("delegate")
    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    shown, other = (20, 10) if state == "accepted" else (10, 20)
    assert f">{shown}<" in html and f">{other}<" not in html


@pytest.mark.parametrize("state", [*REVISION_STATES, "accepted"])
def test_the_country_and_the_secretariat_see_both_fields_in_the_api(client, create_user, revised, state):
    ret = revised(state)
    use_token(client, create_user("focal_point", "KZ"))
    detail = client.get(f"/api/v1/returns/{ret.id}").json
    assert detail["status"] == state and detail["version"] == 2
    assert _total(detail["values"]) == 20  # the latest version: theirs to see
    assert detail["accepted_version"] == (2 if state == "accepted" else 1)
    assert detail["revision"] == (None if state == "accepted" else {"version": 2, "status": state})


@pytest.mark.parametrize("state", [*REVISION_STATES, "accepted"])
def test_a_brief_uses_the_accepted_version(client, db, login_as, revised, state):
    ret = revised(state)
    versions = {v.number: v.id for v in ret.versions}
    meeting = db.session.scalar(select(Meeting).where(Meeting.place == "Astana"))
    login_as("secretariat")
    form = {"title": "Revisions", "period": "2025", "indicators": ["REP01"], "heading_1": "S", "body_1": "Text."}
    assert client.post(f"/meetings/{meeting.id}/briefs/new", data=form).status_code == 302
    brief = db.session.scalar(select(Brief).where(Brief.title == "Revisions"))
    assert client.post(f"/meetings/briefs/{brief.id}/compile").status_code == 302
    edition = db.session.scalar(select(BriefEdition).where(BriefEdition.brief_id == brief.id))
    assert edition.snapshot["versions_used"] == [versions[2 if state == "accepted" else 1]]


# The review queue ----------------------------------------------------------------------------


@pytest.fixture
def queue(create_return, create_user):
    """KZ new, KG resubmitted after correction, TJ a revision of an accepted return."""
    reviewer = create_user("secretariat", email="queue@prr.example")
    kz = create_return("KZ", "2025", V1, status="submitted").return_
    kg = create_return("KG", "2025", V1, status="returned", reviewer=reviewer).return_
    create_return("KG", "2025", V2, status="submitted")
    tj = create_return("TJ", "2025", V1, status="accepted", reviewer=reviewer).return_
    create_return("TJ", "2025", V2, status="submitted")
    return {"new": kz, "resubmitted": kg, "revision": tj}


def test_review_kinds(queue):
    assert {kind: states.review_kind(ret) for kind, ret in queue.items()} == {k: k for k in queue}


QUEUE_LABELS = {
    "new": "new",
    "resubmitted": "resubmitted after correction",
    "revision": "revision of an accepted return",
}


@pytest.mark.parametrize("kind", list(QUEUE_LABELS))
def test_the_review_queue_marks_each_kind(client, login_as, queue, kind):
    login_as("secretariat")
    html = client.get("/review/").get_data(as_text=True)
    ret = queue[kind]
    row = html[html.index(f'/review/{ret.id}"') :].split("</tr>")[0]  # the queue links each return to its grid
    assert f'data-review-kind="{kind}"' in row
    assert f">{QUEUE_LABELS[kind]}<" in row


# The secretariat's notices of submissions ---------------------------------------------------


@pytest.fixture
def secretariat(create_user):
    return {
        "en": create_user("secretariat", email="sec.en@prr.example", language="en"),
        "ru": create_user("secretariat", email="sec.ru@prr.example", language="ru"),
        "quiet": create_user("secretariat", email="sec.quiet@prr.example", email_notices=False),
        "gone": create_user("secretariat", email="sec.gone@prr.example", active=False),
    }


def _submit(kind, create_return, reviewer):
    if kind == "submitted":
        return create_return("KZ", "2025", V1, status="submitted")
    if kind == "resubmitted":
        create_return("KZ", "2025", V1, status="returned", reviewer=reviewer)
    else:
        create_return("KZ", "2025", V1, status="accepted", reviewer=reviewer)
    return create_return("KZ", "2025", V2, status="submitted")


KIND_TEXTS = {
    "submitted": "KZ submitted its return for 2025 (version {n}) for review.",
    "resubmitted": "KZ resubmitted its return for 2025 (version {n}) after correction.",
    "revision": "KZ submitted a revision of its accepted return for 2025 (version {n}).",
}


@pytest.mark.parametrize("kind", list(KIND_TEXTS))
def test_the_secretariat_is_told_of_each_submission(db, create_return, create_user, secretariat, kind):
    reviewer = create_user("admin", email="reviewer.admin@prr.example")
    version = _submit(kind, create_return, reviewer)
    notice_kind = f"return.{kind}"
    notices = {
        n.user_id: n
        for n in db.session.scalars(select(Notification).where(Notification.kind == notice_kind))
        if n.params["version"] == version.number
    }
    active = {secretariat[k].id for k in ("en", "ru", "quiet")}
    assert set(notices) == active  # each active secretariat user once; not the inactive one, not admins
    assert all(n.link == f"/review/{version.return_id}" for n in notices.values())
    mails = {
        m.user_id: m
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.like(f"{notice_kind}:%")))
    }
    assert set(mails) == {secretariat["en"].id, secretariat["ru"].id}  # e-mail turned off: none
    english = KIND_TEXTS[kind].format(n=version.number)
    assert english in mails[secretariat["en"].id].body_text
    russian = mails[secretariat["ru"].id].body_text
    assert english not in russian and "KZ" in russian and "2025" in russian
    assert any("а" <= ch <= "я" for ch in russian.lower()), russian


def test_one_notice_per_version_and_user(db, create_return, secretariat):
    version = create_return("KZ", "2025", V1, status="submitted")
    ret = version.return_
    with pytest.raises(workflow.Conflict):
        workflow.submit_return(ret, None)  # the same version again: refused, nothing more written
    notices = db.session.scalars(select(Notification).where(Notification.kind == "return.submitted")).all()
    assert sorted(n.user_id for n in notices) == sorted(secretariat[k].id for k in ("en", "ru", "quiet"))


def test_a_submission_through_the_page_notifies(client, db, login_as, create_return, secretariat):
    ret = create_return("KZ", "2025", V1, status="draft").return_
    assert db.session.scalar(select(Notification).where(Notification.kind == "return.submitted")) is None
    login_as("focal_point", "KZ")
    assert client.post(f"/returns/{ret.id}/submit").status_code == 302
    notices = db.session.scalars(select(Notification).where(Notification.kind == "return.submitted")).all()
    assert sorted(n.user_id for n in notices) == sorted(secretariat[k].id for k in ("en", "ru", "quiet"))


def test_the_revision_in_russian(client, login_as, revised):
    ret = revised("draft")
    login_as("focal_point", "KZ", language="ru")
    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "accepted (version 1)" not in html and "revision version" not in html
    assert 'data-status="accepted" data-version="1"' in html
    assert 'data-revision="draft" data-version="2"' in html
    label = html.split('data-revision="draft" data-version="2">')[1].split("<")[0]
    assert "2" in label and any("а" <= ch <= "я" for ch in label.lower()), label
