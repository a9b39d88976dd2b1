"""End to end in real headless Chromium: the rotation editor previews a roster change, shows
whose shifts move, and saves it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from teamassist.duty import service
from teamassist.i18n import t
from teamassist.runtime import Runtime
from tests.duty.helpers import demo_team
from tests.support.browser import ARTIFACTS

pytestmark = pytest.mark.browser


def test_preview_then_save_a_roster_change_in_the_editor(
    browser: Browser, base_url: str, sqlite_runtime: Runtime
) -> None:
    page = browser.new_page()
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "admin")
    page.click("button[type=submit]")
    page.click("header nav >> text=值班")
    page.click(".duty-tabs >> text=轮值编辑")
    expect(page.locator("[data-testid=order]")).to_contain_text("张三")

    # 李四 and 王五 trade places from 2026-06-02
    page.check("input[name=action][value=swap]")
    page.check("input[name=member_ids][data-handle=lisi]")
    page.check("input[name=member_ids][data-handle=wangwu]")
    page.fill("input[name=effective_date]", "2026-06-02")
    page.click("[data-testid=preview]")
    moved = page.locator("[data-testid=moved]")
    expect(moved).to_contain_text("李四")
    expect(moved).to_contain_text("王五")
    expect(moved).not_to_contain_text("张三")
    expect(page.locator("table.side-by-side tr.changed").first).to_contain_text("2026-06-02")

    page.click("[data-testid=save]")
    expect(page.locator("[data-testid=saved]")).to_contain_text("已保存")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "duty-editor.png"), full_page=True)

    team, people = demo_team(sqlite_runtime)
    with sqlite_runtime.factory() as session:
        rotation = service.get_rotation(session, team=team, name="tech")
        latest = service.versions(session, rotation=rotation)[-1]
    assert latest.change == "swap"
    assert latest.member_ids == [people[h].id for h in ("zhangsan", "wangwu", "lisi")]
    # the page shows the new order after a reload
    page.reload()
    expect(page.locator("[data-testid=order] li").nth(1)).to_have_text("王五")


def test_a_refused_preview_shows_the_servers_reason(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "admin")
    page.click("button[type=submit]")
    page.goto(f"{base_url}/duty/editor")

    # "remove" with nobody chosen: the server refuses with the editor's own error line
    page.check("input[name=action][value=remove]")
    page.click("[data-testid=preview]")
    refusal = page.locator("[data-testid=editor-error]")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text(t("duty_web.editor.error"))
    assert refusal.inner_text().strip() != t("duty_web.editor.error").strip()

    # a refusal that is not a fragment (JSON {"error", "message"}) shows in the page's alert line
    page.evaluate(
        """() => {
          const button = document.querySelector('[data-testid=preview]');
          button.setAttribute('hx-post', '/duty/editor/preview?team=99999');
          htmx.process(button);
        }"""
    )
    page.click("[data-testid=preview]")
    alert = page.locator("[data-testid=request-error]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(t("core.error.no_team", team=99999))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "duty-editor-refused.png"), full_page=True)
