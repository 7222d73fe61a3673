"""End to end in Chromium: template download → upload with an error → fix → submit →
the secretariat returns it with a reason → the focal point sees the reason."""

import pytest

from portal.services.returns.fill import fill_template

pytestmark = pytest.mark.browser


def _login(page, base, email, password):
    page.goto(f"{base}/auth/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_return_cycle(browser, page, live_server, tmp_path):
    _login(page, live_server, "focal.kz@prr.example", "demo-focal")
    page.get_by_role("link", name="Returns", exact=True).click()
    page.get_by_label("Reporting period").select_option("2025")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download template").click()
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    assert info.value.suggested_filename == "PRR-return_KZ_2025_v1_en.xlsx"

    wrong = tmp_path / "wrong.xlsx"
    wrong.write_bytes(fill_template(template.read_bytes(), {("REP01", "Men"): 5, ("REP01", "Total"): 3}))
    page.get_by_role("link", name="Upload a return").click()
    page.get_by_label("Completed return (.xlsx or .ods)").set_input_files(str(wrong))
    page.get_by_role("button", name="Check and save as draft").click()
    errors = page.get_by_test_id("errors")
    errors.wait_for()
    assert "'A Repatriation'!M5" in errors.inner_text()
    assert "The parts add up to 5, more than the Total 3." in errors.inner_text()

    fixed = tmp_path / "fixed.xlsx"
    fixed.write_bytes(
        fill_template(template.read_bytes(), {("REP01", "Men"): 3, ("REP01", "Total"): 3, ("REP01O", "Total"): 3})
    )
    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("Completed return (.xlsx or .ods)").set_input_files(str(fixed))
    page.get_by_role("button", name="Check, save and submit").click()
    page.get_by_text("Version 1 saved and submitted to the secretariat.").wait_for()
    return_url = page.url
    assert "/returns/" in return_url

    staff = browser.new_context(locale="en-GB").new_page()
    _login(staff, live_server, "secretariat@prr.example", "demo-secretariat")
    staff.get_by_role("link", name="Review", exact=True).click()
    staff.get_by_role("link", name="Kazakhstan").click()
    staff.get_by_label("General reason (the focal point sees it)").fill("REP01: please give the origin breakdown.")
    staff.get_by_role("button", name="Return for correction").click()
    staff.get_by_text("The return was sent back to the focal point with your reason.").wait_for()
    staff.context.close()

    page.goto(return_url)
    reason = page.get_by_test_id("return-reason").inner_text()
    assert "REP01: please give the origin breakdown." in reason
