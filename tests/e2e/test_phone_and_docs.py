"""Issue 11 (sign-in): the dashboard is usable at phone width (390 px, no sideways scrolling of
the page on the main pages), and /docs renders with no request leaving the machine."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route, ViewportSize, expect

from tests.support.browser import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
MAIN_PAGES = [
    "/",
    "/feedback",
    "/feedback/report",
    "/duty",
    "/duty/roster",
    "/duty/sign-ins",
    "/duty/editor",
    "/duty/fairness",
    "/chat",
    "/feeds",
    "/outbox",
    "/account",
]
# How far the page's content reaches past the viewport's right edge (0: no sideways scroll).
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_main_pages_fit_a_390px_phone(browser: Browser, base_url: str) -> None:
    page = browser.new_page(viewport=PHONE)
    sign_in(page, base_url)
    ARTIFACTS.mkdir(exist_ok=True)
    overflowing: dict[str, int] = {}
    for path in MAIN_PAGES:
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        extra = page.evaluate(OVERFLOW)
        if extra > 0:
            overflowing[path] = extra
        name = path.strip("/").replace("/", "-") or "overview"
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
    assert overflowing == {}
    # the board is readable, not only narrow: each item's text gets (nearly) the full width
    page.goto(f"{base_url}/feedback")
    text = page.locator(".fb-row .fb-text").first.bounding_box()
    assert text is not None and text["width"] >= 300, text
    # the duty calendar's days are not squeezed below a readable width either
    page.goto(f"{base_url}/duty/roster")
    widths = page.eval_on_selector_all(
        "main table td", "cells => cells.map(c => c.getBoundingClientRect().width)"
    )
    assert widths and min(widths) >= 40, widths


def test_docs_render_offline(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    outside: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{base_url}/docs")
    # Swagger UI drew the API from /openapi.json with its vendored script and styles
    # (a 1.5 MB script: parsing it takes seconds on a loaded test machine)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Team Assistant API", timeout=30_000
    )
    expect(page.locator(".opblock-tag").first).to_be_visible(timeout=30_000)
    assert outside == []
