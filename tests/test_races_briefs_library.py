"""Brief compile and library publish / send back are compare-and-set: of two people acting
at the same moment exactly one wins, the other gets 409 with a plain message and nothing of
theirs is written (one edition, one revision, one audit row, one notice)."""

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Brief, BriefEdition, CaseStudy, LibraryRevision, Meeting, Notification, User
from portal.services.library import items
from portal.services.meetings import briefs as brief_service
from portal.services.returns import workflow
from portal.services.returns.validate import validate_upload

from .conftest import AuthActions
from .races import in_threads, meet_after_loading, race

TRIALS = 5
COMPILING = "Someone else compiled this brief at the same moment; reload the page to see the new edition."


@pytest.fixture
def brief_id(app, db, return_setup, filled, create_user):
    staff = create_user("secretariat")
    data = filled({("REP01", "Women"): 20, ("REP01", "Total"): 20, ("REP01O", "Total"): 20})
    meeting = db.session.scalar(select(Meeting).where(Meeting.place == "Astana"))
    with app.test_request_context():
        report, ident = validate_upload(data, None)
        version = workflow.store_version(report, ident, data, "kz.xlsx", None, submit=True)
        workflow.accept_return(version.return_, staff)
        brief = brief_service.save_brief(
            None,
            meeting,
            title="T",
            period="2025",
            indicators=["REP01"],
            countries=[],
            charts=["bar"],
            sections=[],
            actor=staff,
        )
    db.session.commit()
    return brief.id


def _compiles(db, brief_id: int) -> tuple[list, list]:
    db.session.expire_all()
    editions = list(
        db.session.scalars(
            select(BriefEdition.number).where(BriefEdition.brief_id == brief_id).order_by(BriefEdition.number)
        )
    )
    audits = [
        a.details["edition"]
        for a in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "brief.compile").order_by(AuditEvent.id)
        )
    ]
    return editions, audits


@pytest.mark.committing
def test_two_compiles_at_once_make_one_edition(app, db, brief_id):
    for trial in range(TRIALS):

        def prepare(_i):
            brief = db.session.get(Brief, brief_id)
            assert len(brief.editions) == trial
            return brief

        outcomes = race(app, prepare, lambda brief, _i: brief_service.compile_brief(brief, None))
        assert sorted(outcomes, key=str) == [(409, COMPILING), "ok"], outcomes
        assert _compiles(db, brief_id) == (list(range(1, trial + 2)), list(range(1, trial + 2)))


@pytest.mark.committing
def test_two_compiles_through_the_form_make_one_edition(app, db, brief_id, create_user):
    clients = [app.test_client(), app.test_client()]
    for c in clients:
        assert AuthActions(c).login(create_user("secretariat").email).status_code == 302
    with meet_after_loading(Brief, 2):
        responses = in_threads([lambda c=c: c.post(f"/meetings/briefs/{brief_id}/compile") for c in clients])
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], codes
    assert COMPILING in next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert _compiles(db, brief_id) == ([1], [1])


@pytest.fixture
def in_review(app, db, reference_data, create_user):
    """A KZ case study in review, one KZ focal point (its author) and two secretariat users."""
    focal = create_user("focal_point", country="KZ")
    staff = [create_user("secretariat").id, create_user("secretariat").id]
    with app.test_request_context():
        item = items.save_case_study(
            None,
            {"title": "Mentors", "country": "KZ", "year_from": 2025, "summary": "Mentors support returnees."},
            focal,
        )
        items.submit(item, focal)
    db.session.commit()
    return item.id, staff, focal.id


LOST = {
    "publish": "This item was already published by someone else.",
    "send_back": "This item was already sent back to its author by someone else.",
}
DONE = {
    "publish": ("published", "published", "library.published"),
    "send_back": ("draft", "returned", "library.returned"),
}


def _act(action, item, user):
    if action == "publish":
        items.publish(item, user)
    else:
        items.send_back(item, user, "Add the number of mentors.")


@pytest.mark.parametrize(
    "actions", [("publish", "publish"), ("publish", "send_back"), ("send_back", "send_back")], ids="-vs-".join
)
@pytest.mark.committing
def test_two_reviewers_of_a_library_item_at_once_exactly_one_wins(app, db, in_review, actions):
    item_id, staff, focal_id = in_review
    for _trial in range(TRIALS):
        db.session.expire_all()
        item = db.session.get(CaseStudy, item_id)
        if item.state != "in_review":  # back to review for the next trial
            if item.state == "published":
                item.state = "draft"
            items.submit(item, db.session.get(User, focal_id))
            db.session.commit()
        before = {
            "revisions": _count(db, LibraryRevision),
            "audits": _count(db, AuditEvent),
            "notices": _count(db, Notification),
        }

        def prepare(i):
            item = db.session.get(CaseStudy, item_id)
            assert item.state == "in_review"
            return item, db.session.get(User, staff[i])

        outcomes = race(app, prepare, lambda state, i: _act(actions[i], *state))
        winners = [i for i, o in enumerate(outcomes) if o == "ok"]
        assert len(winners) == 1, outcomes
        winner = actions[winners[0]]
        assert outcomes[1 - winners[0]] == (409, LOST[winner]), outcomes
        state, revision, notice = DONE[winner]
        db.session.expire_all()
        assert db.session.get(CaseStudy, item_id).state == state
        last = db.session.scalar(select(LibraryRevision).order_by(LibraryRevision.id.desc()))
        assert last.action == revision
        assert {
            "revisions": _count(db, LibraryRevision),
            "audits": _count(db, AuditEvent),
            "notices": _count(db, Notification),
        } == {k: v + 1 for k, v in before.items()}
        assert db.session.scalar(select(Notification).order_by(Notification.id.desc())).kind == notice


def _count(db, model) -> int:
    return len(db.session.scalars(select(model.id)).all())
