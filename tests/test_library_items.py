"""Case studies and action plans through the pages and the API: who may do what, the review
workflow with notices, history, sanitised Markdown, attachments and plan progress."""

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

from sqlalchemy import func, select

from portal.models import ActionPlan, CaseStudy, LibraryFile, LibraryRevision, Notification
from portal.services import files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "title": "Mentoring returnees in Shymkent",
    "country": "KZ",
    "language": "en",
    "year_from": "2024",
    "summary": "Volunteer mentors support returned women.",
    "body": "Mentors meet weekly.",
    "visibility": "council",
    "themes": ["women", "community_reintegration"],
    "target_groups": ["women"],
    "actors": ["civil_society"],
    "sources": "Project report | https://example.org/report",
    "translation_of_id": "",
}


def _new(client, **changes):
    return client.post("/library/case-studies/new", data={**FORM, **changes})


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_focal_point_drafts_and_the_secretariat_publishes(client, db, library, login_as, auth, create_user):
    focal = login_as("focal_point", country="KZ")
    response = _new(client)
    assert response.status_code == 302
    item = db.session.scalar(select(CaseStudy).where(CaseStudy.title == FORM["title"]))
    assert (item.state, item.created_by_id, item.sources) == (
        "draft",
        focal.id,
        [{"title": "Project report", "url": "https://example.org/report"}],
    )
    edit = client.post(f"/library/case-studies/{item.id}/edit", data={**FORM, "summary": "Mentors support women."})
    assert edit.status_code == 302
    assert client.post(f"/library/case-studies/{item.id}/submit").status_code == 303
    assert client.post(f"/library/case-studies/{item.id}/publish").status_code == 403
    assert client.post(f"/library/case-studies/{item.id}/edit", data=FORM).status_code == 403  # in review: locked
    auth.logout()
    secretariat = create_user("secretariat")
    auth.login(secretariat.email)
    client.post(f"/library/case-studies/{item.id}/return", data={"comment": ""})
    db.session.refresh(item)
    assert item.state == "in_review"  # no comment, no change
    client.post(f"/library/case-studies/{item.id}/return", data={"comment": "Add the number of mentors."})
    db.session.refresh(item)
    assert (item.state, item.review_comment) == ("draft", "Add the number of mentors.")
    client.post(f"/library/case-studies/{item.id}/publish")
    db.session.refresh(item)
    assert item.state == "published" and item.published_at is not None
    notices = [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == focal.id))]
    assert notices == ["library.returned", "library.published"]
    history = [
        (r.action, sorted(r.changes))
        for r in db.session.scalars(
            select(LibraryRevision)
            .where(LibraryRevision.item_id == item.id, LibraryRevision.item_kind == "case_study")
            .order_by(LibraryRevision.id)
        )
    ]
    assert history == [("created", []), ("edited", ["summary"]), ("submitted", []), ("returned", []), ("published", [])]
    page = client.get(f"/library/case-studies/{item.id}").get_data(as_text=True)
    assert "Add the number of mentors." in page and 'data-testid="history"' in page


def test_other_countries_delegates_and_bad_input_are_refused(client, db, library, login_as, auth):
    login_as("focal_point", country="KZ")
    before = _count(db, CaseStudy)
    assert _new(client, country="KG").status_code == 400  # not a choice for a KZ focal point
    assert _new(client, year_from="1800").status_code == 400
    assert _new(client, sources="Evil | javascript:alert(1)").status_code == 400
    assert _count(db, CaseStudy) == before
    kg = db.session.scalar(
        select(CaseStudy).join(CaseStudy.country).where(CaseStudy.language == "en", CaseStudy.title.like("Community%"))
    )
    assert client.post(f"/library/case-studies/{kg.id}/edit", data={**FORM, "country": "KG"}).status_code == 403
    kz_published = db.session.scalar(select(CaseStudy).where(CaseStudy.title.like("Zhusan%")))
    assert (
        client.get(f"/library/case-studies/{kz_published.id}/edit").status_code == 403
    )  # published: secretariat edits
    auth.logout()
    login_as("delegate")
    assert client.get("/library/case-studies/new").status_code == 403
    assert client.post(f"/library/case-studies/{kg.id}/publish").status_code == 403
    assert _count(db, CaseStudy) == before


def test_hostile_markdown_is_sanitised(client, db, library, login_as):
    login_as("focal_point", country="KZ")
    hostile = (
        '<script>alert(1)</script> <b onmouseover="x()">raw</b> [link](javascript:alert(1)) '
        '<img src=x onerror=alert(1)> ![huge](https://example.org/huge.png) <iframe src="//evil"></iframe>'
    )
    _new(client, body=hostile, lessons="<svg onload=alert(1)>")
    item = db.session.scalar(select(CaseStudy).where(CaseStudy.title == FORM["title"]))
    page = client.get(f"/library/case-studies/{item.id}").get_data(as_text=True)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    for bad in ("<script", "<b onmouseover", 'href="javascript', "<img", "<iframe", "<svg"):
        assert bad not in main, bad
    assert "&lt;script&gt;" in main


def test_attachments_are_checked_by_content_and_served_as_downloads(client, db, library, login_as, auth, app):
    login_as("focal_point", country="KZ")
    _new(client)
    item = db.session.scalar(select(CaseStudy).where(CaseStudy.title == FORM["title"]))
    url = f"/library/case-studies/{item.id}/files"
    exe = client.post(url, data={"file": (BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "report.pdf")})
    assert exe.status_code == 400 and "does not match" in exe.get_data(as_text=True)
    script = client.post(url, data={"file": (BytesIO(b"#!/bin/sh\nrm -rf /"), "run.sh")})
    assert script.status_code == 400
    big = client.post(url, data={"file": (BytesIO(b"%PDF-" + b"0" * (11 * 1024 * 1024)), "big.pdf")})
    assert big.status_code == 413
    assert _count(db, LibraryFile) == 0
    ok = client.post(url, data={"title": "Report", "file": (BytesIO(PDF), "../../../etc/evil.pdf")})
    assert ok.status_code == 303
    record = db.session.scalar(select(LibraryFile))
    assert record.original_filename == "evil.pdf" and files.read(record.stored_path) == PDF
    assert not any(Path(app.config["UPLOAD_FOLDER"]).glob("**/*.pdf"))  # the bytes are in the database
    download = client.get(f"/library/files/{record.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    auth.logout()
    assert client.get(f"/library/files/{record.id}").status_code == 404  # a draft's file: not for others
    assert client.get(f"/library/case-studies/{item.id}").status_code == 404


def test_plan_page_progress_updates_and_coverage(client, db, library, login_as, auth):
    plan = db.session.scalar(select(ActionPlan).join(ActionPlan.country).where(ActionPlan.start_year == 2025))
    page = client.get(f"/library/plans/{plan.id}").get_data(as_text=True)  # public: no sign-in
    assert "stigma" in page and 'data-testid="measures"' in page and "not published" in page
    measure = plan.measures[0]
    login_as("focal_point", country="KZ")
    assert (
        client.post(
            f"/library/plans/measures/{measure.id}/updates", data={"on_date": "2025-06-01", "status": "in_progress"}
        ).status_code
        == 403
    )
    auth.logout()
    login_as("focal_point", country="KG")
    future = (date.today() + timedelta(days=3)).isoformat()
    assert (
        client.post(
            f"/library/plans/measures/{measure.id}/updates", data={"on_date": future, "status": "done"}
        ).status_code
        == 400
    )
    response = client.post(
        f"/library/plans/measures/{measure.id}/updates",
        data={"on_date": "2025-06-01", "status": "in_progress", "text": "Pilot in Osh"},
    )
    assert response.status_code == 303
    db.session.refresh(measure)
    assert measure.status == "in_progress" and [u.text for u in measure.updates] == ["Pilot in Osh"]
    data = client.get(f"/api/v1/action-plans/{plan.id}").json
    assert data["instrument"] is None and len(data["measures"]) == 5
    assert {s["status"]: s["count"] for s in data["progress"]["by_status"]} == {
        "not_started": 4,
        "in_progress": 1,
        "done": 0,
        "delayed": 0,
        "cancelled": 0,
    }
    assert data["measures"][0]["updates"] == [
        {"date": "2025-06-01", "status": "in_progress", "text": "Pilot in Osh", "text_ru": ""}
    ]
    coverage = client.get("/library/plans/coverage").get_data(as_text=True)
    assert 'data-testid="coverage"' in coverage and "Kyrgyzstan" in coverage


def test_api_shows_each_caller_only_what_they_may_see(client, db, library, create_user):
    council_only = db.session.scalar(select(CaseStudy).where(CaseStudy.title.like("The Akniyet%")))
    anon = client.get("/api/v1/case-studies?page=1").json
    assert council_only.id not in [i["id"] for i in anon["items"]] and anon["total"] == 7
    assert client.get(f"/api/v1/case-studies/{council_only.id}").status_code == 404
    assert [p["country"] for p in client.get("/api/v1/action-plans").json["items"]] == ["KZ", "KG"]
    user = create_user("delegate")
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": "correct-horse-battery"}).json[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/case-studies", headers=headers).json["total"] == 8
    assert client.get(f"/api/v1/case-studies/{council_only.id}", headers=headers).json["visibility"] == "council"
    found = client.get("/api/v1/case-studies?q=stigma&country=KG&language=en", headers=headers).json
    assert [i["country"] for i in found["items"]] == ["KG"] and "<mark>" in found["items"][0]["snippet"]
    assert client.get("/api/v1/case-studies?page=abc").status_code == 400
    both = client.get("/api/v1/case-studies?country=KG,UZ", headers=headers).json  # comma-separated values
    assert {i["country"] for i in both["items"]} == {"KG", "UZ"} and both["total"] == 3
    assert client.get("/api/v1/action-plans/99999").status_code == 404


def test_plan_form_refuses_bad_measures_and_years(client, db, library, login_as):
    login_as("secretariat")
    form = {
        "title": "Plan for testing",
        "country": "TJ",
        "language": "en",
        "start_year": "2025",
        "end_year": "2030",
        "status": "draft",
        "visibility": "council",
        "measures": "reintegration | in_progress | Mentoring | MoJ | 2026",
    }
    before = _count(db, ActionPlan)
    bad_phase = client.post("/library/plans/new", data={**form, "measures": form["measures"] + "\nbogus | done | X"})
    assert bad_phase.status_code == 400 and "measures[2]: unknown phase bogus." in bad_phase.get_data(as_text=True)
    bad_status = client.post("/library/plans/new", data={**form, "measures": "prevention | finished | X"})
    assert bad_status.status_code == 400 and "measures[1]: unknown status finished." in bad_status.get_data(
        as_text=True
    )
    assert client.post("/library/plans/new", data={**form, "end_year": "2020"}).status_code == 400
    assert _count(db, ActionPlan) == before
    assert client.post("/library/plans/new", data=form).status_code == 302
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.title == "Plan for testing"))
    assert [(m.phase, m.status, m.text, m.agencies, m.timeline) for m in plan.measures] == [
        ("reintegration", "in_progress", "Mentoring", "MoJ", "2026")
    ]


def test_a_translation_link_that_is_not_a_number_is_a_refusal_not_a_crash(db, library):
    from portal.services.errors import ServiceError
    from portal.services.library import items

    before = _count(db, CaseStudy)
    try:
        items.save_case_study(None, {**FORM, "translation_of_id": "twelve"}, None)
    except ServiceError as error:
        assert error.field == "translation_of_id"
    else:
        raise AssertionError("a translation link 'twelve' was accepted")
    assert _count(db, CaseStudy) == before
