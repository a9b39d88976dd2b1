"""End to end in headless Chromium: the meetings page of the demo team (clock frozen at Monday
2026-06-01 09:00 Beijing) lists the coming meetings; the admin moves one and cancels another
through the page's forms, and the list shows both changes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_move_and_cancel_from_the_dashboard(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    sign_in(page, base_url)
    ARTIFACTS.mkdir(exist_ok=True)

    page.click("header nav >> text=会议")
    expect(page).to_have_url(f"{base_url}/meetings")
    table = page.locator("[data-testid=meetings]")
    # Friday 06-05's weekly meeting is Tuesday 06-09; May's monthly meeting (anchored on its
    # last Friday, 05-29) is on Tuesday 06-02, tomorrow.
    monthly = table.locator("tr[data-key='monthly:2026-05']")
    expect(monthly.locator("[data-testid=start]")).to_have_text("6月2日（周二）08:30")
    weekly = table.locator("tr[data-key='weekly:2026-06-05']")
    expect(weekly.locator("[data-testid=start]")).to_have_text("6月9日（周二）08:30")
    expect(weekly.locator("[data-testid=state]")).to_have_text("按计划")

    weekly.locator("[data-testid=move] input[name=start]").fill("2026-06-10T14:00")
    weekly.locator("[data-testid=move] input[name=note]").fill("端午前调整")
    weekly.locator("[data-testid=move] button").click()
    expect(page.locator("[data-testid=saved]")).to_be_visible()
    weekly = page.locator("tr[data-key='weekly:2026-06-05']")
    expect(weekly.locator("[data-testid=start]")).to_have_text("6月10日（周三）14:00")
    expect(weekly.locator("[data-testid=state]")).to_have_text("已改期")

    later = page.locator("tr[data-key='weekly:2026-06-12']")
    later.locator("[data-testid=cancel] button").click()
    expect(page.locator("tr[data-key='weekly:2026-06-12'] [data-testid=state]")).to_have_text(
        "已取消"
    )
    expect(page.locator("tr[data-key='weekly:2026-06-12'] [data-testid=move]")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "meetings.png"), full_page=True)
    assert failed == []
