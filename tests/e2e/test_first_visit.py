"""The browser tests' first navigation tells a hung server from a stuck browser
(tests/support/browser.first_visit): CI once timed out on a first ``page.goto`` with no clue
which side hung."""

from __future__ import annotations

import logging
import threading

import anyio
import pytest
from playwright.sync_api import Browser
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.support.browser import first_visit
from tests.support.server import serve

pytestmark = pytest.mark.browser


def _app(hang: threading.Event, hung_requests: int) -> Starlette:
    """An app whose first ``hung_requests`` requests wait until ``hang`` is set."""
    seen = {"n": 0}

    async def page(_request: Request) -> PlainTextResponse:
        seen["n"] += 1
        if seen["n"] <= hung_requests:
            await anyio.to_thread.run_sync(hang.wait, 60)
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/", page)])


def test_a_server_that_never_answers_fails_with_the_threads(browser: Browser) -> None:
    release = threading.Event()
    with serve(_app(release, hung_requests=10)) as url:
        page = browser.new_page()
        page.set_default_navigation_timeout(1_000)
        try:
            with pytest.raises(AssertionError, match="nor to a direct request") as failure:
                first_visit(page, f"{url}/")
            assert "--- thread" in str(failure.value)
        finally:
            release.set()
            page.close()


def test_a_stuck_first_load_is_retried_when_the_server_answers(
    browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()
    with serve(_app(release, hung_requests=1)) as url:
        page = browser.new_page()
        page.set_default_navigation_timeout(1_000)
        try:
            with caplog.at_level(logging.WARNING, logger="tests.support.browser"):
                response = first_visit(page, f"{url}/")
            assert "a direct request got 200: retry" in caplog.text
            assert response is not None and response.status == 200
            assert page.locator("body").inner_text() == "ok"
        finally:
            release.set()
            page.close()
