"""Pages carry a Content-Security-Policy that allows scripts from this site only, and nothing on
them breaks it (session 24): Chromium reports no violation on the main pages and the API docs,
and the behaviours that were inline handlers still work from ``/static/page-actions.js``."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.support.browser import sign_in

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/chat",
    "/feedback",
    "/feedback/report",
    "/duty",
    "/duty/roster",
    "/duty/editor",
    "/duty/fairness",
    "/duty/feeds",
    "/actions",
    "/okr",
    "/team/members",
    "/bindings",
    "/account",
]


def _violations(page: Page) -> list[str]:
    found: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"{page.url}: {message.text}")

    page.on("console", heard)
    return found


def test_no_page_breaks_the_policy(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    violations = _violations(page)
    sign_in(page, base_url)
    for path in PAGES:
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    # the fairness chart still draws from its JSON block (a canvas Chart.js filled)
    page.goto(f"{base_url}/duty/fairness")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('fairness-chart'))"
    )
    page.goto(f"{base_url}/docs")
    expect(page.locator(".opblock-tag").first).to_be_visible(timeout=30_000)
    assert violations == []


def test_the_chat_still_clears_and_buttons_still_send(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    violations = _violations(page)
    sign_in(page, base_url)
    page.goto(f"{base_url}/chat")
    page.fill("#chat-input", "/帮助")
    page.click("#chat-form button[type=submit]")
    expect(page.locator("[data-testid=reply]").last).to_contain_text("小助理指令帮助")
    expect(page.locator("#chat-input")).to_have_value("")
    # a picker submits its form on change (the rotation editor's rotation)
    page.goto(f"{base_url}/duty/editor")
    pick = page.locator("[data-testid=rotation-pick]")
    other = pick.locator("option").last.get_attribute("value")
    pick.select_option(other)
    expect(page).to_have_url(f"{base_url}/duty/editor?rotation={other}")
    assert violations == []
