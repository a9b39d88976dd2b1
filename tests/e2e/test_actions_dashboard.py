"""End to end in headless Chromium: the 销项 page of the demo workspace. The nav reaches it, the
filters narrow the list, both ageing charts are drawn with Chart.js (vendored) from the
server's series, a screenshot is taken and checked, and the page fits a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.e2e.test_okr_dashboard import OVERFLOW, _drawn
from tests.support.browser import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_list_filters_and_ageing_charts(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    console_errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    sign_in(page, base_url)
    ARTIFACTS.mkdir(exist_ok=True)

    page.click("header nav >> text=销项")
    expect(page).to_have_url(f"{base_url}/actions")
    expect(page.locator("h1")).to_have_text("团队销项")
    rows = page.locator("[data-testid=action-list] tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("tr[data-id='1'] .actions-state")).to_have_text("已逾期")
    expect(page.locator("tr[data-id='2'] .actions-state")).to_have_text("待确认")

    _drawn(page, "actions-chart-age", "actions-chart-overdue")
    stacks = page.evaluate(
        """() => Chart.getChart(document.getElementById('actions-chart-age')).data.datasets
                   .map((d) => [d.label, d.data.reduce((a, b) => a + b, 0)])"""
    )
    assert stacks == [["未逾期", 2], ["已逾期", 1]]
    shot = ARTIFACTS / "actions-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000  # a page with two charts, not a blank one

    # The filters narrow the list (a GET form: the URL can be shared).
    page.check("input[name=overdue]")
    page.click("[data-testid=action-filters] button")
    expect(rows).to_have_count(1)
    expect(page.locator("tr[data-id='1']")).to_contain_text("整理社区常见问题文档")
    page.uncheck("input[name=overdue]")
    page.select_option("select[name=state]", "closed")
    page.click("[data-testid=action-filters] button")
    expect(rows).to_have_count(1)
    expect(page.locator("tr[data-id='3']")).to_contain_text("准备十二月社区活动方案")

    phone = browser.new_page(viewport=PHONE)
    sign_in(phone, base_url)
    phone.goto(f"{base_url}/actions")
    _drawn(phone, "actions-chart-age")
    assert phone.evaluate(OVERFLOW) <= 0
    phone.screenshot(path=str(ARTIFACTS / "actions-phone.png"), full_page=True)
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
    # the browser's own favicon request is logged as a console error; nothing else may be
    assert [e for e in console_errors if not e.startswith("Failed to load resource")] == []
