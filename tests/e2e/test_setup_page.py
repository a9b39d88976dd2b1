"""End to end in headless Chromium: a fresh install's first-run page, then the workspace page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from teamassist.runtime import Runtime
from teamassist.team.setup_pages import announce_setup
from teamassist.web.app import create_app
from tests.support.browser import ARTIFACTS
from tests.support.server import serve

pytestmark = pytest.mark.browser


def test_first_run_in_the_browser(browser: Browser, sqlite_runtime: Runtime) -> None:
    sqlite_runtime.settings.scheduler.enabled = False
    app = create_app(sqlite_runtime)
    logged = announce_setup(app)  # what `teamassist serve` writes to the log
    assert logged is not None
    with serve(app) as base_url:
        page = browser.new_page()
        # a visitor without the logged link is sent to /setup and told where the link is
        page.goto(f"{base_url}/")
        expect(page).to_have_url(f"{base_url}/setup")
        expect(page.locator("[data-testid=setup-token-needed]")).to_contain_text(
            "服务器启动时在控制台"
        )
        expect(page.locator("form")).to_have_count(0)

        page.goto(logged.replace("http://127.0.0.1:8000", base_url))
        page.fill("input[name=workspace]", "开源社区")
        page.fill("input[name=team]", "核心团队")
        page.fill("input[name=handle]", "boss")
        page.fill("input[name=name]", "老板")
        page.fill("input[name=password]", "a-long-password")
        page.fill("input[name=password_again]", "not-the-same-one")
        page.click("button[type=submit]")
        expect(page.locator("[data-testid=setup-error]")).to_contain_text("两次输入的密码不一致")
        expect(page.locator("input[name=workspace]")).to_have_value("开源社区")
        page.fill("input[name=password]", "a-long-password")
        page.fill("input[name=password_again]", "a-long-password")
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{base_url}/")
        expect(page.locator("header .who")).to_contain_text("开源社区 · 老板")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "first-run-done.png"), full_page=True)

        # the setup page is gone now
        gone = page.goto(logged.replace("http://127.0.0.1:8000", base_url))
        assert gone is not None and gone.status == 404

        # the workspace page: a typed confirmation deletes it all
        page.goto(f"{base_url}/workspace")
        expect(page.locator("[data-testid=export]")).to_be_visible()
        page.fill("input[name=confirm]", "开源")
        page.click("button.danger")
        expect(page.locator("[data-testid=delete-error]")).to_contain_text("没有删除任何内容")
        page.fill("input[name=confirm]", "开源社区")
        page.click("button.danger")
        # signed out, and the install is fresh again: back to the first-run page
        expect(page).to_have_url(f"{base_url}/setup")
