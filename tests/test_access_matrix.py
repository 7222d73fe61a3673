"""The access matrix: every GET route of `app.url_map` × anonymous, delegate, two focal points,
secretariat, administrator × a session cookie and a bearer token, each with its expected
status. A route without a row here fails `test_every_get_route_has_a_row`.

One dataset for the module (the demo seed plus a draft, a submitted return, a pending upload,
a meeting document and library files), so each of the ~1,500 cases is a single request.

How the two ways of signing in relate (issue 11): HTML pages know only the session cookie (a
bearer token there is an anonymous visit), and under /api/ only the bearer token counts (a
session cookie there is an anonymous call). So each route has one row of outcomes per role,
and the other way of signing in must give the anonymous outcome.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import create_app
from portal.extensions import db as _db

from .conftest import IsolatedClient, _empty_all_tables, base_config, restore_baseline

ROLES = ["anonymous", "delegate", "focal_kz", "focal_kg", "secretariat", "admin"]
USERS = {
    "delegate": ("delegate@prr.example", "demo-delegate"),
    "focal_kz": ("focal.kz@prr.example", "demo-focal"),
    "focal_kg": ("focal.kg@prr.example", "demo-focal"),
    "secretariat": ("secretariat@prr.example", "demo-secretariat"),
    "admin": ("admin@prr.example", "demo-admin"),
}
L = "to the sign-in page"  # a 302 there
R, OK, NO, GONE, BAD, UNAUTH = 302, 200, 403, 404, 400, 401

# rule -> (URL with {placeholders} from the dataset, outcome per role in ROLES order)
MATRIX = {
    "/": ("/", (L, OK, OK, OK, OK, OK)),
    "/admin/audit": ("/admin/audit", (L, NO, NO, NO, NO, OK)),
    "/admin/jobs": ("/admin/jobs", (L, NO, NO, NO, NO, OK)),
    "/admin/users": ("/admin/users", (L, NO, NO, NO, NO, OK)),
    "/admin/users/<int:user_id>": ("/admin/users/{delegate_id}", (L, NO, NO, NO, NO, OK)),
    "/admin/users/new": ("/admin/users/new", (L, NO, NO, NO, NO, OK)),
    "/api/v1/action-plans": ("/api/v1/action-plans", (OK, OK, OK, OK, OK, OK)),
    "/api/v1/action-plans/<int:plan_id>": ("/api/v1/action-plans/{plan_id}", (OK, OK, OK, OK, OK, OK)),
    "/api/v1/briefs/<int:brief_id>": ("/api/v1/briefs/{brief_id}", (UNAUTH, OK, OK, OK, OK, OK)),
    "/api/v1/briefs/<int:brief_id>.pdf": ("/api/v1/briefs/{brief_id}.pdf", (UNAUTH, OK, OK, OK, OK, OK)),
    "/api/v1/briefs/<int:brief_id>.xlsx": ("/api/v1/briefs/{brief_id}.xlsx", (UNAUTH, OK, OK, OK, OK, OK)),
    "/api/v1/case-studies": ("/api/v1/case-studies", (OK, OK, OK, OK, OK, OK)),
    "/api/v1/case-studies/<int:item_id>": ("/api/v1/case-studies/{draft_id}", (GONE, GONE, OK, GONE, OK, OK)),
    "/api/v1/comparison": ("/api/v1/comparison?indicator=REP01&period=2024", (UNAUTH, OK, OK, OK, OK, OK)),
    "/api/v1/countries": ("/api/v1/countries", (OK, OK, OK, OK, OK, OK)),
    "/api/v1/me": ("/api/v1/me", (UNAUTH, OK, OK, OK, OK, OK)),
    "/api/v1/meetings": ("/api/v1/meetings", (UNAUTH, OK, OK, OK, OK, OK)),
    "/api/v1/meetings/<int:meeting_id>": ("/api/v1/meetings/{meeting_id}", (UNAUTH, OK, OK, OK, OK, OK)),
    "/api/v1/notifications": ("/api/v1/notifications", (UNAUTH, OK, OK, OK, OK, OK)),
    "/api/v1/periods": ("/api/v1/periods", (UNAUTH, OK, OK, OK, OK, OK)),
    "/api/v1/returns": ("/api/v1/returns", (UNAUTH, OK, OK, OK, OK, OK)),
    "/api/v1/returns/<int:return_id>": ("/api/v1/returns/{submitted_id}", (UNAUTH, GONE, OK, GONE, OK, OK)),
    # An accepted return everyone may see; its queries only its country's focal points and staff.
    "/api/v1/returns/<int:return_id>/queries": (
        "/api/v1/returns/{accepted_id}/queries",
        (UNAUTH, GONE, GONE, OK, OK, OK),
    ),
    "/api/v1/returns/<int:return_id>/versions/<int:number>.xlsx": (
        "/api/v1/returns/{accepted_id}/versions/1.xlsx",
        (UNAUTH, GONE, GONE, OK, OK, OK),
    ),
    "/api/v1/template.xlsx": ("/api/v1/template.xlsx?country=KZ&period=2025", (UNAUTH, NO, OK, NO, OK, OK)),
    "/auth/account": ("/auth/account", (L, OK, OK, OK, OK, OK)),
    "/auth/forgot": ("/auth/forgot", (OK, OK, OK, OK, OK, OK)),
    "/auth/login": ("/auth/login", (OK, R, R, R, R, R)),
    "/auth/reset/<token>": ("/auth/reset/not-a-valid-token", (BAD, BAD, BAD, BAD, BAD, BAD)),
    "/compare/": ("/compare/?indicator=REP01&period=2024", (L, OK, OK, OK, OK, OK)),
    "/compare/chart.<any(svg, png):fmt>": (
        "/compare/chart.svg?indicator=REP01&period=2024&period=2025&code=REP01&kind=line",
        (L, OK, OK, OK, OK, OK),
    ),
    "/compare/export.csv": ("/compare/export.csv?indicator=REP01&period=2024", (L, OK, OK, OK, OK, OK)),
    "/compare/export.xlsx": ("/compare/export.xlsx?indicator=REP01&period=2024", (L, OK, OK, OK, OK, OK)),
    "/library/": ("/library/", (OK, OK, OK, OK, OK, OK)),
    "/library/case-studies/<int:item_id>": ("/library/case-studies/{draft_id}", (GONE, GONE, OK, GONE, OK, OK)),
    "/library/case-studies/<int:item_id>/edit": ("/library/case-studies/{draft_id}/edit", (L, GONE, OK, GONE, OK, OK)),
    "/library/case-studies/new": ("/library/case-studies/new", (L, NO, OK, OK, OK, OK)),
    "/library/files/<int:file_id>": ("/library/files/{draft_file_id}", (GONE, GONE, OK, GONE, OK, OK)),
    "/library/plans/": ("/library/plans/", (OK, OK, OK, OK, OK, OK)),
    "/library/plans/<int:plan_id>": ("/library/plans/{plan_id}", (OK, OK, OK, OK, OK, OK)),
    "/library/plans/<int:plan_id>/edit": ("/library/plans/{plan_id}/edit", (L, NO, NO, NO, OK, OK)),
    "/library/plans/coverage": ("/library/plans/coverage", (OK, OK, OK, OK, OK, OK)),
    "/library/plans/new": ("/library/plans/new", (L, NO, OK, OK, OK, OK)),
    "/meetings/": ("/meetings/", (L, OK, OK, OK, OK, OK)),
    "/meetings/<int:meeting_id>": ("/meetings/{meeting_id}", (L, OK, OK, OK, OK, OK)),
    "/meetings/<int:meeting_id>/briefs/new": ("/meetings/{meeting_id}/briefs/new", (L, NO, NO, NO, OK, OK)),
    "/meetings/<int:meeting_id>/edit": ("/meetings/{meeting_id}/edit", (L, NO, NO, NO, OK, OK)),
    "/meetings/briefs/<int:brief_id>": ("/meetings/briefs/{brief_id}", (L, OK, OK, OK, OK, OK)),
    "/meetings/briefs/<int:brief_id>.pdf": ("/meetings/briefs/{brief_id}.pdf", (L, OK, OK, OK, OK, OK)),
    "/meetings/briefs/<int:brief_id>.xlsx": ("/meetings/briefs/{brief_id}.xlsx", (L, OK, OK, OK, OK, OK)),
    "/meetings/briefs/<int:brief_id>/chart.<any(svg, png):fmt>": (
        "/meetings/briefs/{brief_id}/chart.png?code=REP01&kind=bar",
        (L, OK, OK, OK, OK, OK),
    ),
    "/meetings/briefs/<int:brief_id>/diff": ("/meetings/briefs/{brief_id}/diff?a=1&b=1", (L, OK, OK, OK, OK, OK)),
    "/meetings/briefs/<int:brief_id>/edit": ("/meetings/briefs/{brief_id}/edit", (L, NO, NO, NO, OK, OK)),
    "/meetings/briefs/<int:brief_id>/print": ("/meetings/briefs/{brief_id}/print", (L, OK, OK, OK, OK, OK)),
    "/meetings/documents/<int:doc_id>": ("/meetings/documents/{doc_id}", (L, OK, OK, OK, OK, OK)),
    "/meetings/new": ("/meetings/new", (L, NO, NO, NO, OK, OK)),
    "/notifications": ("/notifications", (L, OK, OK, OK, OK, OK)),
    "/returns/": ("/returns/", (L, OK, OK, OK, OK, OK)),
    "/returns/<int:return_id>": ("/returns/{submitted_id}", (L, GONE, OK, GONE, OK, OK)),
    "/returns/<int:return_id>/diff": ("/returns/{accepted_id}/diff?a=1&b=1", (L, NO, NO, OK, OK, OK)),
    # A query on the submitted KZ return: the secretariat and KZ's focal points (others: 404).
    "/returns/<int:return_id>/queries/<int:query_id>": (
        "/returns/{submitted_id}/queries/{query_id}",
        (L, GONE, OK, GONE, OK, OK),
    ),
    "/returns/<int:return_id>/edit": ("/returns/{submitted_id}/edit", (L, GONE, OK, GONE, OK, OK)),
    "/returns/<int:return_id>/versions/<int:number>.xlsx": (
        "/returns/{accepted_id}/versions/1.xlsx",
        (L, GONE, GONE, OK, OK, OK),
    ),
    "/returns/<int:return_id>/versions/<int:number>/file": (
        "/returns/{accepted_id}/versions/1/file",
        (L, GONE, GONE, OK, OK, OK),
    ),
    "/returns/pending/<token>/marked-up.xlsx": (
        "/returns/pending/{pending}/marked-up.xlsx",
        (L, GONE, OK, GONE, GONE, GONE),
    ),
    "/returns/template.xlsx": ("/returns/template.xlsx?country=KZ&period=2025", (L, NO, OK, NO, OK, OK)),
    "/returns/upload": ("/returns/upload", (L, NO, OK, OK, OK, OK)),
    "/review/": ("/review/", (L, NO, NO, NO, OK, OK)),
    "/review/<int:return_id>": ("/review/{submitted_id}", (L, NO, NO, NO, OK, OK)),
    "/review/<int:return_id>/queries/new": (
        "/review/{submitted_id}/queries/new?indicator=REP01&breakdown=Girls",
        (L, NO, NO, NO, OK, OK),
    ),
    "/review/matrix": ("/review/matrix", (L, NO, NO, NO, OK, OK)),
    "/review/matrix.xlsx": ("/review/matrix.xlsx", (L, NO, NO, NO, OK, OK)),
    "/review/periods": ("/review/periods", (L, NO, NO, NO, OK, OK)),
    "/review/periods/<int:period_id>": ("/review/periods/{period_id}", (L, NO, NO, NO, OK, OK)),
    "/static/<path:filename>": ("/static/vendor/bootstrap/bootstrap.bundle.min.js", (OK, OK, OK, OK, OK, OK)),
}


def _get_rules() -> set[str]:
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "access-matrix-" + "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    return {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods}


def test_every_get_route_has_a_row():
    rules = _get_rules()
    assert sorted(rules - set(MATRIX)) == [], "GET routes without a row in the access matrix"
    assert sorted(set(MATRIX) - rules) == [], "rows for routes that no longer exist"


def test_every_html_page_is_visited_in_the_browser():
    """tests/pages.py lists the pages the browser visits as each role (layout, axe-core): every
    HTML route here is there or named, with the reason, in its NOT_VISITED."""
    from .pages import DOWNLOADS, NOT_VISITED, PAGES

    html = {r for r in MATRIX if not r.startswith("/api/") and not any(d in r for d in DOWNLOADS)}
    assert sorted(html - set(PAGES) - set(NOT_VISITED)) == [], "HTML routes the browser never visits"
    listed = {rule.split("?")[0] for rule in PAGES}
    assert sorted(listed - set(MATRIX)) == [], "pages.py lists routes that do not exist"


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory):
    """The demo seed, plus what the routes need that it lacks; a signed-in client and a token
    per role."""
    from portal.models import Brief, CaseStudy, Country, Meeting, ReportingPeriod, Return, User
    from portal.services import seed as seed_service
    from portal.services.library import attachments, items
    from portal.services.meetings.meetings import add_document
    from portal.services.returns import pending, queries, workflow
    from portal.services.returns.fill import fill_template
    from portal.services.returns.template_xlsx import build_template
    from portal.services.returns.validate import validate_upload

    app = create_app(base_config(database_url, tmp_path_factory.mktemp("matrix")))
    app.test_client_class = IsolatedClient
    with app.app_context():
        _empty_all_tables()  # its own committed world, not the leg's seed baseline
        seed_service.seed(demo=True)
        _db.session.commit()
        user = lambda email: _db.session.scalar(select(User).where(User.email == email))  # noqa: E731
        kz = _db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
        period = _db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.is_open.is_(True)))
        with app.test_request_context():
            workbook = fill_template(
                build_template(period.template, kz, period, "en"),
                {("REP01", "Total"): "CONF 9", ("REP01O", "Total"): 9},
            )
            report, ident = validate_upload(workbook, None)
            version = workflow.store_version(
                report, ident, workbook, "kz.xlsx", user("focal.kz@prr.example"), submit=True
            )
            token = pending.keep(workbook, "kz.xlsx", user("focal.kz@prr.example").id)
            query = queries.open_query(
                version.return_, user("secretariat@prr.example"), "REP01O", "Syria", "From Syria?"
            )
            draft = items.save_case_study(
                None,
                {"title": "KZ draft", "country": "KZ", "summary": "Draft.", "language": "en", "year_from": "2024"},
                user("focal.kz@prr.example"),
            )
            _db.session.flush()
            pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
            draft_file = attachments.attach(draft, pdf, "note.pdf", "Note", user("focal.kz@prr.example"))
            meeting = _db.session.scalar(select(Meeting).join(Brief, Brief.meeting_id == Meeting.id))
            doc = add_document(meeting, pdf, "agenda.pdf", "Agenda", user("secretariat@prr.example"))
        _db.session.commit()
        kg_accepted = _db.session.scalar(
            select(Return).join(Country).where(Country.iso2 == "KG", Return.status == "accepted")
        )
        from portal.models import ActionPlan

        ids = {
            "delegate_id": user("delegate@prr.example").id,
            "submitted_id": version.return_id,
            "accepted_id": kg_accepted.id,
            "pending": token,
            "query_id": query.id,
            "draft_id": draft.id,
            "draft_file_id": draft_file.id,
            "plan_id": _db.session.scalar(select(ActionPlan.id).where(ActionPlan.state == "published")),
            "brief_id": _db.session.scalar(select(Brief.id)),
            "meeting_id": meeting.id,
            "doc_id": doc.id,
            "period_id": period.id,
        }
        assert _db.session.scalar(select(CaseStudy.state).where(CaseStudy.id == draft.id)) == "draft"
        sessions, tokens = {"anonymous": app.test_client()}, {"anonymous": {}}
        for role, (email, password) in USERS.items():
            client = app.test_client()
            assert client.post("/auth/login", data={"email": email, "password": password}).status_code == 302
            sessions[role] = client
            issued = app.test_client().post("/api/v1/auth/token", json={"email": email, "password": password})
            assert issued.status_code == 201, issued.json
            tokens[role] = {"Authorization": f"Bearer {issued.json['token']}"}
        yield app, ids, sessions, tokens
        restore_baseline()
        _db.engine.dispose()


CASES = [
    (rule, role, via)
    for rule in sorted(MATRIX)
    for role in ROLES
    for via in ("session", "token")
    if not (role == "anonymous" and via == "token")
]


@pytest.mark.parametrize("rule, role, via", CASES)
def test_access(world, rule, role, via):
    app, ids, sessions, tokens = world
    url, outcomes = MATRIX[rule]
    api = rule.startswith("/api/")
    # the way of signing in that a route does not know is an anonymous visit
    counts = (via == "token") == api or role == "anonymous"
    expected = outcomes[ROLES.index(role)] if counts else outcomes[0]
    with app.app_context():
        if via == "session":
            response = sessions[role].get(url.format(**ids))
        else:
            response = app.test_client().get(url.format(**ids), headers=tokens[role])
        response.get_data()
        response.close()
    if expected == L:
        assert (response.status_code, "/auth/login" in response.headers.get("Location", "")) == (302, True), url
    else:
        assert response.status_code == expected, (url.format(**ids), response.get_data(as_text=True)[:300])
