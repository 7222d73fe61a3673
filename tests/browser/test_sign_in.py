"""End to end in Chromium: the real login form, the dashboard, the language switcher."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_anonymous_visitor_is_sent_to_the_login_page(page, live_server):
    from playwright.sync_api import expect

    page.goto(f"{live_server}/")
    assert re.search(r"/auth/login\?next=/$", page.url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Sign in to see this page.")).to_be_visible()


def test_focal_point_signs_in_sees_country_and_switches_to_russian(page, live_server):
    from playwright.sync_api import expect

    page.goto(f"{live_server}/auth/login")
    page.get_by_label("E-mail address").fill("focal.kz@prr.example")
    page.get_by_label("Password").fill("demo-focal")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    country = page.get_by_test_id("my-country")
    assert "Your country: Kazakhstan" in country.inner_text()

    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Панель")).to_be_visible()
    assert "Ваша страна: Казахстан" in page.get_by_test_id("my-country").inner_text()
    assert page.locator("html").get_attribute("lang") == "ru"


def test_wrong_password_shows_the_message(page, live_server):
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("E-mail address").fill("delegate@prr.example")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_test_id("login-error").inner_text() == ("The e-mail address or password is not correct.")


def test_admin_creates_a_focal_point(page, live_server):
    from playwright.sync_api import expect

    page.goto(f"{live_server}/auth/login")
    page.get_by_label("E-mail address").fill("admin@prr.example")
    page.get_by_label("Password").fill("demo-admin")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    page.get_by_role("button", name="Administration").click()  # the admin pages sit in one menu
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="New user").click()
    page.get_by_label("E-mail address").fill("second.kg@prr.example")
    page.get_by_label("Full name").fill("Second Focal Point KG")
    page.get_by_label("Role").select_option("focal_point")
    page.get_by_label("Country").select_option("KG")
    page.get_by_label("New password", exact=True).fill("a-fine-password")
    page.get_by_label("Repeat the new password").fill("a-fine-password")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("User second.kg@prr.example created.")).to_be_visible()
    expect(page.get_by_role("cell", name="Second Focal Point KG")).to_be_visible()
