"""End to end in headless Chromium: feedback sent in the web chat shows on the board, is filtered,
opened, acknowledged and resolved from its page, and the report page draws its Chart.js charts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import ARTIFACTS, send_chat, sign_in

pytestmark = pytest.mark.browser


def test_feedback_from_chat_to_board_item_and_report(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    console_errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    sign_in(page, base_url)

    # a community member reports a bug in the web chat
    page.goto(f"{base_url}/chat")
    page.select_option("#speaker", "zhangsan")
    send_chat(page, "/问题反馈 端到端：保存按钮 <没反应> 🐞")
    expect(page.locator("[data-testid=reply]").last).to_contain_text("小助理收到你的反馈")

    # the board, reached from the navigation, filtered by text (HTMX swaps the results)
    page.click("header nav >> text=反馈")
    expect(page).to_have_url(f"{base_url}/feedback")
    expect(page.locator(".fb-row")).to_have_count(5)  # the demo's four and the new one
    page.fill("input[name=q]", "端到端")
    page.click("#fb-filters button[type=submit]")
    expect(page.locator(".fb-row")).to_have_count(1)
    # the address holds the filters that are set, and only those
    assert page.url == f"{base_url}/feedback?q=%E7%AB%AF%E5%88%B0%E7%AB%AF"
    expect(page.locator("a.fb-csv")).to_have_attribute(
        "href", "/api/v1/feedback/items.csv?q=%E7%AB%AF%E5%88%B0%E7%AB%AF"
    )

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "feedback-board.png"), full_page=True)

    # the item page: text exactly as written, then acknowledge and resolve with a note
    page.locator(".fb-row .fb-text a").first.click()
    expect(page.locator("[data-testid=fb-text]")).to_have_text("端到端：保存按钮 <没反应> 🐞")
    expect(page.locator("[data-testid=fb-status]")).to_contain_text("未解决")
    page.click("button[data-action=acknowledge]")
    expect(page.locator("[data-testid=fb-status]")).to_contain_text("处理中")
    page.fill("form[action$='/resolve'] input[name=note]", "已修复，发布在 v1.2.3")
    page.click("button[data-action=resolve]")
    expect(page.locator("[data-testid=fb-status]")).to_contain_text("已解决")
    history = page.locator("[data-testid=fb-history]")
    expect(history).to_contain_text("确认了反馈")
    expect(history).to_contain_text("标注为已解决")
    expect(history).to_contain_text("已修复，发布在 v1.2.3")
    page.screenshot(path=str(ARTIFACTS / "feedback-item.png"), full_page=True)

    # the report draws its three charts with Chart.js (vendored, no CDN)
    page.goto(f"{base_url}/feedback/report")
    drawn = page.wait_for_function(
        """() => typeof Chart !== 'undefined' &&
             ['chart-per-day', 'chart-medians', 'chart-load'].every(
               (id) => Chart.getChart(document.getElementById(id)) != null)"""
    )
    assert drawn.json_value() is True
    per_day = page.evaluate(
        """() => Chart.getChart(document.getElementById('chart-per-day')).data.datasets
                   .reduce((n, d) => n + d.data.reduce((a, b) => a + b, 0), 0)"""
    )
    assert per_day == 5
    width = page.evaluate("() => document.getElementById('chart-per-day').width")
    assert width > 0
    page.screenshot(path=str(ARTIFACTS / "feedback-report.png"), full_page=True)
    # nothing the pages load is missing (the browser's own favicon request aside)
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
    # and no script failed (a failed load is already in ``failed``)
    assert [e for e in console_errors if not e.startswith("Failed to load resource")] == []
