"""Browser-test helpers: where Debian's Chromium is, how it is started here, signing in."""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(tempfile.gettempdir()) / "teamassist-e2e"
# The machine has no network: background services of Chromium would only fail and retry.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sign_in(page: Page, base_url: str, username: str = "admin", password: str = "admin") -> None:
    """Go to the web chat, get sent to the login page, and sign in there."""
    page.goto(f"{base_url}/chat")
    expect(page).to_have_url(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("header .who")).to_contain_text("王管理")
