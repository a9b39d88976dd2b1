"""Fixtures of the browser tests: Debian's Chromium through Playwright and a served demo app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, SignedIn, page_as
from tests.support.server import serve


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium (never a downloaded browser build), one for the browser tests a
    worker runs in a row (launched per file it was 16 starts of Playwright's driver and
    Chromium a run, ~0.8 CPU s and ~4 s each)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium: Browser) -> Iterator[Browser]:
    """The shared Chromium; every context a test opened (``new_page`` opens one) is closed
    after it, so no cookie, storage or page outlives its test."""
    yield chromium
    for context in chromium.contexts:
        context.close()


@pytest.fixture
def base_url(sqlite_runtime: Runtime) -> Iterator[str]:
    """The demo workspace served on a free loopback port (scheduler off: the test drives time)."""
    load_demo(sqlite_runtime)
    sqlite_runtime.settings.scheduler.enabled = False
    with serve(create_app(sqlite_runtime)) as url:
        yield url


@pytest.fixture
def signed_in(browser: Browser, base_url: str, sqlite_runtime: Runtime) -> Iterator[SignedIn]:
    """``signed_in(handle, name)``: a page of the served demo signed in as that member, each in
    its own browser context (closed after the test); see :func:`page_as`."""
    pages: list[Page] = []

    def open_as(handle: str, name: str, *, timeout_ms: float | None = None) -> Page:
        page = page_as(browser, base_url, sqlite_runtime, handle, name, timeout_ms=timeout_ms)
        pages.append(page)
        return page

    yield open_as
    for page in pages:
        page.context.close()
