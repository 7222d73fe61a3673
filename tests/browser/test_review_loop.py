"""The review as a conversation, end to end in Chromium (issue 13): the focal point submits a
revision of Kyrgyzstan's accepted 2025 return from the web form; the secretariat opens the review
grid, queries REP01 Girls and returns the return; the focal point sees the highlighted cell and the
query on the dashboard, corrects the value in the web form, answers and submits; the secretariat
sees the change and the answer, resolves and accepts; the comparison shows the new value."""

import re

import pytest
from playwright.sync_api import expect

from .test_returns_flow import _login

pytestmark = pytest.mark.browser


def _kg_return_id(page, base) -> int:
    token = page.request.post(
        f"{base}/api/v1/auth/token", data={"email": "focal.kg@prr.example", "password": "demo-focal"}
    ).json()["token"]
    listed = page.request.get(
        f"{base}/api/v1/returns?country=KG&period=2025", headers={"Authorization": f"Bearer {token}"}
    ).json()
    (item,) = listed["returns"]
    return item["id"]


def _correct(page, base, return_id, girls: str) -> None:
    page.goto(f"{base}/returns/{return_id}/edit")
    for label, value in (("REP01 Girls", girls), ("REP01 Total", girls), ("REP01O Total", girls)):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_text("saved as a draft. Submit it when it is ready.")).to_be_visible()


def test_query_correct_answer_accept(browser, page, live_server):
    base = live_server
    _login(page, base, "focal.kg@prr.example", "demo-focal")
    return_id = _kg_return_id(page, base)
    _correct(page, base, return_id, "5")  # a revision of the accepted return
    page.get_by_role("button", name=re.compile(r"Submit version \d+")).click()
    expect(page.get_by_text("submitted to the secretariat")).to_be_visible()

    staff = browser.new_context(locale="en-GB").new_page()
    _login(staff, base, "secretariat@prr.example", "demo-secretariat")
    staff.goto(f"{base}/review/")
    staff.locator(f'a[href="/review/{return_id}"]').first.click()
    staff.get_by_role("link", name=re.compile(r"REP01 Girls")).first.click()
    staff.get_by_label("Question to the focal point").fill("Are 5 girls right? The camp lists named 7.")
    staff.get_by_label("Suggested value (optional)").fill("7")
    staff.get_by_role("button", name="Send the query").click()
    expect(staff.get_by_text("Are 5 girls right? The camp lists named 7.")).to_be_visible()
    staff.goto(f"{base}/review/{return_id}")
    expect(staff.get_by_test_id("send-back-queries")).to_contain_text("REP01")
    staff.get_by_test_id("send-back").click()
    expect(staff.get_by_test_id("send-back")).to_have_count(0)

    page.goto(f"{base}/")
    todo = page.locator('[data-testid="todo-period"][data-period="2025"]')
    expect(todo.get_by_test_id("open-queries")).to_contain_text("1 open query")
    expect(todo.get_by_test_id("next-action")).to_have_text("Answer the queries")
    todo.get_by_test_id("next-action").click()
    cell = page.locator("#cell-REP01-Girls")
    expect(cell).to_have_attribute("data-queried", "open")
    expect(cell).to_contain_text("query")
    expect(page.get_by_test_id("open-queries")).to_contain_text("The camp lists named 7.")

    _correct(page, base, return_id, "7")
    page.get_by_label("Your answer on REP01 Girls").fill("Corrected to 7 after checking the camp lists.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator("#cell-REP01-Girls")).to_have_attribute("data-queried", "answered")
    page.get_by_role("button", name=re.compile(r"Submit version \d+")).click()
    expect(page.get_by_text("submitted to the secretariat")).to_be_visible()

    staff.goto(f"{base}/review/{return_id}?queried=1")
    girls = staff.get_by_role("link", name=re.compile(r"REP01 Girls"))
    expect(girls).to_contain_text("7")
    expect(staff.get_by_test_id("answer").first).to_contain_text("Corrected to 7")
    girls.first.click()
    staff.get_by_role("button", name="Resolve the query").click()
    expect(staff.locator('[data-query-state="resolved"]').first).to_be_visible()
    staff.goto(f"{base}/review/{return_id}")
    staff.get_by_test_id("accept").click()
    expect(staff.get_by_text("accepted.")).to_be_visible()

    staff.goto(f"{base}/compare/?indicator=REP01&period=2025&country=KG")
    expect(staff.locator('[data-cell="KG-2025-Girls"]').first).to_have_text("7")
    staff.context.close()
