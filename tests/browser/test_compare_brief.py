"""End to end in Chromium: the secretariat builds a comparison, exports it, composes and
compiles a brief; a delegate opens it."""

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .test_returns_flow import _login

pytestmark = pytest.mark.browser


def test_comparison_export_brief(browser, page, live_server, tmp_path):
    from playwright.sync_api import expect

    _login(page, live_server, "secretariat@prr.example", "demo-secretariat")
    page.get_by_role("link", name="Comparisons", exact=True).click()
    page.get_by_role("group", name="Indicators").locator("input[value=REP01]").check()
    page.get_by_label("2024").check()
    page.get_by_role("button", name="Compare").click()
    table = page.get_by_test_id("table-REP01")
    table.wait_for()
    assert "indicator=REP01" in page.url and "period=2024" in page.url  # the URL holds the selection
    assert page.locator('[data-cell="KG-2024-Total"]').inner_text().strip() == "121"
    assert page.locator('[data-total="central_asia-2024-Total"]').inner_text().strip().startswith("168")
    assert page.locator("figure.chart img").count() >= 1
    with page.expect_download() as info:
        page.get_by_role("link", name="Export to Excel").click()
    wb = load_workbook(BytesIO(Path(info.value.path()).read_bytes()))
    rows = {r[0]: r for r in wb["REP01"].iter_rows(min_row=4, values_only=True)}
    header = [c.value for c in wb["REP01"][3]]
    assert rows["Kyrgyzstan"][header.index("2024 Total")] == 121

    page.get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("link", name="Third meeting of the council (demo)").click()
    page.get_by_role("link", name="Compose a brief").click()
    page.get_by_label("Title in English", exact=True).fill("Repatriation by country, 2024")
    page.get_by_label("Reporting period").select_option("2024")
    page.get_by_role("group", name="Indicators to compare").locator("input[value=REP01]").check()
    page.get_by_label("Section 1 heading in English").fill("Key points")
    page.get_by_label("Section 1 text in English (Markdown)").fill("Kyrgyzstan and Tajikistan **reported** returns.")
    page.get_by_label("Section 1 heading in Russian").fill("Главное")
    page.get_by_role("button", name="Save brief").click()
    page.get_by_text("Brief saved. Compile it to freeze an edition.").wait_for()
    page.get_by_role("button", name="Compile edition 1").click()
    page.get_by_text("Edition 1 compiled.").wait_for()
    brief_url = page.url.split("?")[0]

    delegate = browser.new_context(locale="en-GB").new_page()
    _login(delegate, live_server, "delegate@prr.example", "demo-delegate")
    delegate.get_by_role("button", name="English").click()  # the demo delegate prefers Russian
    delegate.goto(brief_url)
    expect(delegate.get_by_role("heading", name="Repatriation by country, 2024")).to_be_visible()
    assert delegate.locator('[data-testid="brief-REP01"] [data-cell="TJ-Total"]').inner_text().strip() == "47"
    assert "Key points" in delegate.content()
    delegate.context.close()
