"""Every HTML page of the portal, with who may open it, for the browser tests that visit them
all (tests/browser/test_every_page.py: layout, accessibility, language).

Kept beside the access matrix (tests/test_access_matrix.py), which checks that every HTML
route there is either listed here or named in NOT_VISITED with the reason. URLs take their
ids from the demo data (`ids`), so the pages show real content.
"""

from __future__ import annotations

from sqlalchemy import func, select

ROLES = ("anonymous", "delegate", "focal_kg", "secretariat", "admin")
USERS = {
    "delegate": ("delegate@prr.example", "demo-delegate"),
    "focal_kg": ("focal.kg@prr.example", "demo-focal"),
    "secretariat": ("secretariat@prr.example", "demo-secretariat"),
    "admin": ("admin@prr.example", "demo-admin"),
}
SIGNED_IN = ROLES[1:]
STAFF = ("secretariat", "admin")
ANYONE = ROLES

# route rule -> (URL with {placeholders} from `ids`, roles that open it)
PAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "/": ("/", SIGNED_IN),
    "/auth/login": ("/auth/login", ("anonymous",)),
    "/auth/forgot": ("/auth/forgot", ("anonymous",)),
    "/auth/account": ("/auth/account", SIGNED_IN),
    "/notifications": ("/notifications", SIGNED_IN),
    "/compare/": ("/compare/?indicator=REP01&indicator=REP02&period={last_period}", SIGNED_IN),
    "/library/": ("/library/", ANYONE),
    "/library/?q": ("/library/?q=reintegration", ANYONE),
    "/library/case-studies/<int:item_id>": ("/library/case-studies/{case_study_id}", ANYONE),
    "/library/case-studies/<int:item_id>/edit": ("/library/case-studies/{case_study_id}/edit", STAFF),
    "/library/case-studies/new": ("/library/case-studies/new", ("focal_kg", "secretariat", "admin")),
    "/library/plans/": ("/library/plans/", ANYONE),
    "/library/plans/<int:plan_id>": ("/library/plans/{plan_id}", ANYONE),
    "/library/plans/<int:plan_id>/edit": ("/library/plans/{plan_id}/edit", STAFF),
    "/library/plans/coverage": ("/library/plans/coverage", ANYONE),
    "/library/plans/new": ("/library/plans/new", ("focal_kg", "secretariat", "admin")),
    "/meetings/": ("/meetings/", SIGNED_IN),
    "/meetings/<int:meeting_id>": ("/meetings/{meeting_id}", SIGNED_IN),
    "/meetings/<int:meeting_id>/edit": ("/meetings/{meeting_id}/edit", STAFF),
    "/meetings/<int:meeting_id>/briefs/new": ("/meetings/{meeting_id}/briefs/new", STAFF),
    "/meetings/new": ("/meetings/new", STAFF),
    "/meetings/briefs/<int:brief_id>": ("/meetings/briefs/{brief_id}", SIGNED_IN),
    "/meetings/briefs/<int:brief_id>/edit": ("/meetings/briefs/{brief_id}/edit", STAFF),
    "/meetings/briefs/<int:brief_id>/diff": ("/meetings/briefs/{brief_id}/diff?a=1&b=1", SIGNED_IN),
    "/meetings/briefs/<int:brief_id>/print": ("/meetings/briefs/{brief_id}/print", SIGNED_IN),
    "/returns/": ("/returns/", SIGNED_IN),
    "/returns/<int:return_id>": ("/returns/{kg_return_id}", ("focal_kg", "secretariat", "admin")),
    "/returns/<int:return_id>/edit": ("/returns/{kg_return_id}/edit", ("focal_kg", "secretariat", "admin")),
    "/returns/<int:return_id>/diff": ("/returns/{kg_return_id}/diff?a=1&b=1", ("focal_kg", "secretariat", "admin")),
    "/returns/upload": ("/returns/upload", ("focal_kg", "secretariat", "admin")),
    "/review/": ("/review/", STAFF),
    "/review/<int:return_id>": ("/review/{kg_return_id}", STAFF),
    "/review/<int:return_id>/queries/new": (
        "/review/{kg_return_id}/queries/new?indicator=REP01&breakdown=Total",
        STAFF,
    ),
    "/review/matrix": ("/review/matrix", STAFF),
    "/review/periods": ("/review/periods", STAFF),
    "/review/periods/<int:period_id>": ("/review/periods/{period_id}", STAFF),
    "/admin/users": ("/admin/users", ("admin",)),
    "/admin/users/<int:user_id>": ("/admin/users/{delegate_id}", ("admin",)),
    "/admin/users/new": ("/admin/users/new", ("admin",)),
    "/admin/audit": ("/admin/audit", ("admin",)),
    "/admin/jobs": ("/admin/jobs", ("admin",)),
}

# HTML routes of the access matrix that the page visits leave out, and why.
NOT_VISITED = {
    "/auth/reset/<token>": "needs a fresh e-mailed token (tests/test_password_reset.py)",
    "/returns/<int:return_id>/queries/<int:query_id>": "the demo data has no query (tests/test_query_pages.py)",
}
DOWNLOADS = (".csv", ".xlsx", ".pdf", "/file", "chart.<", "/files/", "/documents/", "/static/")


def ids(session) -> dict[str, object]:
    """Real ids from the demo data for the URLs above."""
    from portal.models import ActionPlan, Brief, CaseStudy, Country, Meeting, ReportingPeriod, Return, User

    newest_period = select(ReportingPeriod).order_by(ReportingPeriod.start_date.desc()).limit(1)
    kg_return = select(func.max(Return.id)).join(Country, Country.id == Return.country_id).where(Country.iso2 == "KG")
    return {
        "last_period": session.scalars(newest_period).one().label,
        "period_id": session.scalars(newest_period).one().id,
        "case_study_id": session.scalar(
            select(func.min(CaseStudy.id)).where(CaseStudy.state == "published", CaseStudy.visibility == "public")
        ),
        "plan_id": session.scalar(
            select(func.min(ActionPlan.id)).where(ActionPlan.state == "published", ActionPlan.visibility == "public")
        ),
        "meeting_id": session.scalar(select(func.min(Meeting.id))),
        "brief_id": session.scalar(select(func.min(Brief.id))),
        "kg_return_id": session.scalar(kg_return),
        "delegate_id": session.scalar(select(User.id).where(User.email == USERS["delegate"][0])),
    }


def visits() -> list[tuple[str, str]]:
    """(role, route rule) for every page each role may open."""
    return [(role, rule) for rule, (_url, roles) in PAGES.items() for role in roles]
