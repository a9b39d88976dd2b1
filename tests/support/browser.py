"""Browser-test helpers: where Debian's Chromium is, how it is started here, signing in."""

from __future__ import annotations

import logging
import sys
import tempfile
import traceback
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from playwright.sync_api import Browser, Page, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from teamassist.runtime import Runtime
from tests.support.web import give_account

log = logging.getLogger(__name__)

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


def first_visit(page: Page, url: str) -> Response | None:
    """``page.goto(url)`` for a page's first request to a freshly served app, telling a hung
    server from a stuck browser when it times out (CI once saw a 30-s timeout with no response
    at all): the URL is asked again without Chromium, 5 s at most. No answer there either fails
    the test with every thread's stack (the served app runs in this process); an answer means
    the server is well and Chromium alone stalled, so the navigation is tried once more, with a
    logged warning."""
    try:
        return page.goto(url)
    except PlaywrightTimeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                status = answer.status
        except urllib.error.HTTPError as refused:
            status = refused.code
        except OSError as failure:
            stacks = "\n".join(
                f"--- thread {ident}\n" + "".join(traceback.format_stack(frame))
                for ident, frame in sys._current_frames().items()
            )
            raise AssertionError(
                f"{url}: no answer to Chromium in 30 s nor to a direct request in 5 s "
                f"({failure!r}); the threads of this process:\n{stacks}"
            ) from None
        # A log line, not a warning: the suite turns warnings into errors, which made this retry
        # fail the test it exists to keep (CI at load ~12, session 24).
        log.warning("Chromium did not load %s in 30 s, a direct request got %s: retry", url, status)
        page.goto("about:blank")  # drop the stalled navigation, or the next one is aborted
        return page.goto(url)


def send_chat(page: Page, text: str, *, timeout_ms: float = 30_000) -> None:
    """Type ``text`` into the web chat and press Enter, returning once ``POST /chat/send`` has
    answered 200: CI once saw no reply bubble within the 5-s ``expect`` wait at load ~13, with
    no way to tell a slow answer from a request never sent. A slow server now gets
    ``timeout_ms``; a refused or missing request fails here with its status or a timeout."""
    page.fill("#chat-input", text)
    with page.expect_response(
        lambda r: r.url.endswith("/chat/send") and r.request.method == "POST",
        timeout=timeout_ms,
    ) as answer:
        page.press("#chat-input", "Enter")
    assert answer.value.status == 200, f"POST /chat/send answered {answer.value.status}"


def sign_in(page: Page, base_url: str, username: str = "admin", password: str = "admin") -> None:
    """Go to the web chat, get sent to the login page, and sign in there."""
    first_visit(page, f"{base_url}/chat")
    expect(page).to_have_url(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("header .who")).to_contain_text("王管理")


def page_as(
    browser: Browser,
    base_url: str,
    runtime: Runtime,
    handle: str,
    name: str,
    *,
    timeout_ms: float | None = None,
) -> Page:
    """A page in a fresh browser context (its own cookies), signed in through the login form as
    demo member ``handle`` (an account is made for it); ``name`` is the display name the header
    then shows. ``timeout_ms``: the context's default wait, when a test needs a longer one."""
    password = give_account(runtime, handle)
    context = browser.new_context()
    if timeout_ms is not None:
        context.set_default_timeout(timeout_ms)
    page = context.new_page()
    first_visit(page, f"{base_url}/login")
    page.fill("input[name=username]", handle)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("header .who")).to_contain_text(name)
    return page


class SignedIn(Protocol):
    """The e2e fixture ``signed_in``: ``signed_in("zhangsan", "张三")`` is :func:`page_as` on
    the served demo."""

    def __call__(self, handle: str, name: str, *, timeout_ms: float | None = None) -> Page: ...
