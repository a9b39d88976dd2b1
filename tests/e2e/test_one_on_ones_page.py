"""End to end in headless Chromium: the 1on1 pages of the demo (clock frozen at Monday
2026-06-01 09:00 Beijing; 李华 meets 张三 on 每月第1个周四 10:00). 李华 opens the pair from the
navigation, adds a private note and checks a topic off through the page's forms; 张三, signed
in in another browser context, sees the shared topics and the check, and none of 李华's private
notes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import ARTIFACTS, SignedIn

pytestmark = pytest.mark.browser


def test_the_pair_page_keeps_private_notes_to_their_author(
    signed_in: SignedIn, base_url: str
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    failed: list[str] = []

    # 李华 opens the pair with 张三 from the navigation
    lihua = signed_in("lihua", "李华")
    lihua.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    lihua.click("header nav >> text=1on1")
    expect(lihua).to_have_url(f"{base_url}/one-on-ones")
    row = lihua.locator("[data-testid=pairs] tr", has_text="张三")
    expect(row).to_contain_text("每月第1个周四 10:00")
    expect(row).to_contain_text("6月4日（周四）10:00")
    row.locator("[data-testid=open]").click()
    expect(lihua.locator("[data-testid=pair-title]")).to_have_text("1on1：李华 ↔ 张三")
    agenda = lihua.locator("[data-testid=agenda]")
    expect(agenda.locator("li", has_text="薪酬调整")).to_contain_text("🔒私密")

    # adds a private note and checks Q1规划 off
    form = lihua.locator("[data-testid=add]")
    form.locator("input[name=text]").fill("绩效沟通")
    form.locator("input[name=private]").check()
    form.locator("button").click()
    expect(lihua.locator("[data-testid=saved]")).to_be_visible()
    expect(agenda.locator("li", has_text="绩效沟通")).to_contain_text("🔒私密")
    agenda.locator("li", has_text="Q1规划").locator("[data-testid=check] button").click()
    expect(lihua.locator("[data-testid=agenda] li", has_text="Q1规划")).to_have_attribute(
        "data-done", "1"
    )
    lihua.screenshot(path=str(ARTIFACTS / "one-on-one-lihua.png"), full_page=True)

    # 张三 sees the shared topics, the check, and nothing private
    zhangsan = signed_in("zhangsan", "张三")
    zhangsan.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    zhangsan.goto(f"{base_url}/one-on-ones")
    zhangsan.locator("[data-testid=open]").first.click()
    seen = zhangsan.locator("[data-testid=agenda]")
    expect(seen.locator("li")).to_have_count(2)
    expect(seen.locator("li", has_text="Q1规划")).to_have_attribute("data-done", "1")
    expect(seen.locator("li", has_text="晋升答辩准备")).to_have_attribute("data-done", "0")
    body = zhangsan.locator("body").inner_text()
    assert "薪酬调整" not in body and "绩效沟通" not in body and "🔒" not in body
    expect(zhangsan.locator("[data-testid=prep]")).to_contain_text("会前准备（张三）")
    zhangsan.screenshot(path=str(ARTIFACTS / "one-on-one-zhangsan.png"), full_page=True)
    assert failed == []


def test_the_pair_page_moves_and_cancels_one_occurrence(signed_in: SignedIn, base_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    failed: list[tuple[int, str]] = []
    page = signed_in("zhangsan", "张三")
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    page.goto(f"{base_url}/one-on-ones")
    page.locator("[data-testid=open]").first.click()
    schedule = page.locator("[data-testid=meetings]")
    june = schedule.locator("li", has_text="6月4日（周四）10:00")
    july = schedule.locator("li", has_text="7月2日（周四）10:00")
    expect(june.locator("[data-testid=move] input[name=start]")).to_have_value("2026-06-04T10:00")

    # 张三 moves June's onto Saturday 06-13 through the form: moved, with the weekend warning
    june.locator("[data-testid=move] input[name=start]").fill("2026-06-13T15:00")
    june.locator("[data-testid=move] input[name=note]").fill("出差")
    june.locator("[data-testid=move] button").click()
    expect(page.locator("[data-testid=saved]")).to_be_visible()
    expect(page.locator("[data-testid=warning]")).to_contain_text("6月13日（周六）15:00是周末")
    moved = schedule.locator("li", has_text="6月13日（周六）15:00")
    expect(moved.locator("[data-testid=meeting-line]")).to_contain_text("已改期")
    page.screenshot(path=str(ARTIFACTS / "one-on-one-moved.png"), full_page=True)

    # onto July's own time: back on the page with the friendly message (409), nothing moved
    moved.locator("[data-testid=move] input[name=start]").fill("2026-07-02T10:00")
    moved.locator("[data-testid=move] button").click()
    flash = page.locator("[data-testid=flash]")
    expect(flash).to_contain_text("已经有一次 1on1")
    expect(flash).to_have_attribute("data-status", "409")
    expect(page.locator("[data-testid=saved]")).to_have_count(0)
    expect(schedule.locator("li", has_text="6月13日（周六）15:00")).to_have_count(1)
    page.reload()
    expect(page.locator("[data-testid=flash]")).to_have_count(0)  # said once

    # cancelling July's: marked cancelled, and no form is left on it
    july.locator("[data-testid=cancel] button").click()
    expect(page.locator("[data-testid=saved]")).to_be_visible()
    expect(page.locator("[data-testid=warning]")).to_have_count(0)
    cancelled = schedule.locator("li", has_text="7月2日（周四）10:00")
    expect(cancelled).to_contain_text("已取消")
    expect(cancelled.locator("[data-testid=move]")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "one-on-one-cancelled.png"), full_page=True)
    assert failed == []
