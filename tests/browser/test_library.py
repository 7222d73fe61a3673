"""End to end in Chromium: a delegate searches the library, filters by Kyrgyzstan and opens
the 2025–2030 plan; a focal point drafts a case study and the secretariat publishes it."""

import pytest

from .test_returns_flow import _login

pytestmark = pytest.mark.browser


def test_delegate_finds_the_kyrgyz_plan(page, live_server):
    _login(page, live_server, "delegate@prr.example", "demo-delegate")
    page.get_by_role("button", name="English").click()  # the demo delegate prefers Russian
    page.get_by_role("link", name="Library", exact=True).click()
    page.get_by_label("Search").fill("stigma")
    page.get_by_role("button", name="Search").click()
    page.locator('[data-facet="country"] a[data-value="KG"]').click()
    assert "country=KG" in page.url and "q=stigma" in page.url
    assert page.get_by_test_id("result-count").inner_text() == "2 results"
    assert page.locator(".search-hit mark").first.inner_text().lower() == "stigma"
    page.get_by_role("link", name="Programme on the rehabilitation and reintegration of returnees, 2025–2030").click()
    measures = page.get_by_test_id("measures")
    measures.wait_for()
    assert measures.locator("tbody tr").count() == 5
    assert "Counter stigma" in measures.inner_text()
    assert page.get_by_test_id("instrument").inner_text() == "not published"
    assert page.locator("svg[role=img] rect").count() >= 1  # the progress chart


def test_focal_point_drafts_and_secretariat_publishes(browser, page, live_server):
    _login(page, live_server, "focal.kg@prr.example", "demo-focal")
    page.goto(f"{live_server}/library/")
    page.get_by_role("link", name="New case study").click()
    page.get_by_label("Title", exact=True).fill("Youth mentoring in Osh")
    page.get_by_label("First year").fill("2025")
    themes = page.get_by_role("group", name="PRR themes")
    themes.locator("input[value=community_reintegration]").check()
    themes.locator("input[value=children]").check()
    page.get_by_label("Summary").fill("Volunteer mentors help returned teenagers back into school.")
    page.get_by_label("Description (Markdown)").fill("Mentors meet **weekly** with each young person.")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_test_id("state").inner_text() == "Draft"
    page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_test_id("state").inner_text() == "In review"
    item_url = page.url

    staff = browser.new_context(locale="en-GB").new_page()
    _login(staff, live_server, "secretariat@prr.example", "demo-secretariat")
    staff.goto(item_url)
    staff.get_by_role("button", name="Publish").click()
    assert staff.get_by_test_id("state").inner_text() == "Published"
    staff.goto(f"{live_server}/library/?q=mentoring")
    assert staff.get_by_role("link", name="Youth mentoring in Osh").count() == 1
    staff.context.close()

    page.goto(f"{live_server}/notifications")
    assert "“Youth mentoring in Osh” was published in the library." in page.content()
