"""The web form in Chromium: values checked as one types (the server's dry run), arrow keys
moving through the grid like a spreadsheet, and a save that makes a new version."""

import pytest

from portal.services.returns.fill import fill_template

from .test_returns_flow import _login

pytestmark = pytest.mark.browser


def test_correct_in_the_browser(page, live_server, tmp_path):
    _login(page, live_server, "focal.tj@prr.example", "demo-focal")
    template = page.request.get(f"{live_server}/returns/template.xlsx?country=TJ&period=2025&lang=en").body()
    first = tmp_path / "tj.xlsx"
    first.write_bytes(fill_template(template, {("REP01", "Total"): 3, ("REP01O", "Total"): 3}))
    page.goto(f"{live_server}/returns/upload")
    page.get_by_label("Completed return (.xlsx or .ods)").set_input_files(str(first))
    page.get_by_role("button", name="Check and save as draft").click()
    page.get_by_text("saved as a draft").wait_for()
    page.get_by_role("link", name="Correct in the browser").click()

    men = page.get_by_label("REP01 Men", exact=True)
    men.fill("9")
    total_error = page.locator("#err-v-REP01-Total")
    total_error.get_by_text("The parts add up to 9, more than the Total 3.").wait_for()
    assert page.get_by_label("REP01 Total", exact=True).get_attribute("aria-invalid") == "true"

    men.press("ArrowDown")  # REP01O has no Men column: the next row that has one
    assert page.evaluate("document.activeElement.id") == "v-REP02-Men"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "v-REP02-Women"
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "v-REP01-Women"

    men.fill("2")
    total_error.get_by_text("The parts add up").wait_for(state="detached")
    page.get_by_label("Note on REP01", exact=True).fill("corrected in the browser")
    page.get_by_role("button", name="Save as new version").click()
    page.get_by_text("saved as a draft. Submit it when it is ready.").wait_for()
    assert "corrected in the browser" in page.content()
