"""End to end in real headless Chromium: the rotation editor previews a roster change, shows
whose shifts move, and saves it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from teamassist.duty import service
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import demo_team
from tests.support.server import serve

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(tempfile.gettempdir()) / "teamassist-e2e"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def base_url(sqlite_runtime: Runtime) -> Iterator[str]:
    load_demo(sqlite_runtime)
    sqlite_runtime.settings.scheduler.enabled = False
    with serve(create_app(sqlite_runtime)) as url:
        yield url


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
