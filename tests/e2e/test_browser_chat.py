"""End to end in real headless Chromium: sign in, send a command in the web chat, see the reply."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import ARTIFACTS, send_chat, sign_in

pytestmark = pytest.mark.browser


def test_sign_in_and_chat_in_the_browser(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    sign_in(page, base_url)
    page.goto(f"{base_url}/chat")
    page.select_option("#speaker", "admin")
    send_chat(page, "/帮助")
    reply = page.locator("[data-testid=reply]").last
    expect(reply).to_contain_text("小助理指令帮助")
    expect(reply).to_contain_text("/我是谁")
    # the input is cleared for the next message, and a member can be chosen to speak as
    expect(page.locator("#chat-input")).to_have_value("")
    page.select_option("#speaker", "zhangsan")
    send_chat(page, "/我是谁")
    expect(page.locator("[data-testid=reply]").last).to_contain_text("张三")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-chat.png"), full_page=True)


def test_malformed_command_gets_a_clear_reply_in_the_browser(
    browser: Browser, base_url: str
) -> None:
    page = browser.new_page()
    sign_in(page, base_url)
    page.goto(f"{base_url}/chat")
    send_chat(page, "/不存在")
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
