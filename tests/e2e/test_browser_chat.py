"""End to end in real headless Chromium: sign in, send a command in the web chat, see the reply."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
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


def _sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/chat")
    expect(page).to_have_url(f"{base_url}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "admin")
    page.click("button[type=submit]")
    expect(page.locator("header .who")).to_contain_text("王管理")


def test_sign_in_and_chat_in_the_browser(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    _sign_in(page, base_url)
    page.goto(f"{base_url}/chat")
    page.select_option("#speaker", "admin")
    page.fill("#chat-input", "/帮助")
    page.press("#chat-input", "Enter")
    reply = page.locator("[data-testid=reply]").last
    expect(reply).to_contain_text("小助理指令帮助")
    expect(reply).to_contain_text("/我是谁")
    # the input is cleared for the next message, and a member can be chosen to speak as
    expect(page.locator("#chat-input")).to_have_value("")
    page.select_option("#speaker", "zhangsan")
    page.fill("#chat-input", "/我是谁")
    page.press("#chat-input", "Enter")
    expect(page.locator("[data-testid=reply]").last).to_contain_text("张三")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-chat.png"), full_page=True)


def test_malformed_command_gets_a_clear_reply_in_the_browser(
    browser: Browser, base_url: str
) -> None:
    page = browser.new_page()
    _sign_in(page, base_url)
    page.goto(f"{base_url}/chat")
    page.fill("#chat-input", "/不存在")
    page.press("#chat-input", "Enter")
    reply = page.locator("[data-testid=reply]").last
    expect(reply).to_contain_text("无法识别指令")
    expect(reply).to_have_class("bubble bot error")


def test_wrong_password_stays_on_login(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("账号或密码不正确")
