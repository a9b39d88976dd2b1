"""End to end in headless Chromium: the OKR dashboard of the demo workspace. The alignment tree
nests the demo's Os under their parent, the O page draws its burn-up and confidence charts with
Chart.js (vendored) from the server's series, and the pages fit a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.support.browser import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Painted pixels of a canvas: more than the empty canvas once Chart.js has drawn on it.
PAINTED = """(id) => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
  return painted;
}"""


def _drawn(page: Page, *ids: str) -> None:
    page.wait_for_function(
        """(ids) => typeof Chart !== 'undefined' &&
             ids.every((id) => Chart.getChart(document.getElementById(id)) != null)""",
        arg=list(ids),
    )
    for canvas in ids:
        assert page.evaluate(PAINTED, canvas) > 500, canvas


def test_alignment_tree_and_burn_up_chart(browser: Browser, base_url: str) -> None:
    page = browser.new_page()
    console_errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    sign_in(page, base_url)
    ARTIFACTS.mkdir(exist_ok=True)

    # the nav entry: my OKRs of the demo's finished quarter (the current one is empty)
    page.click("header nav >> text=OKR")
    expect(page).to_have_url(f"{base_url}/okr")
    expect(page.locator("h1")).to_contain_text("我的OKR · 2026Q1（已关闭）")
    expect(page.locator("[data-testid=objective]")).to_have_count(1)
    expect(page.locator("[data-testid=objective] h2")).to_have_text("O-1 社区成为开发者的首选")

    # the team's Os and the score distribution of the closed cycle
    page.click("nav.okr-tabs >> text=团队OKR")
    expect(page.locator("[data-testid=team-okrs] tbody tr")).to_have_count(3)
    expect(page.locator("tr[data-ref=O-2] [data-testid=progress]")).to_contain_text("86%")
    expect(page.locator("tr[data-ref=O-2] [data-testid=score]")).to_have_text("0.9")
    _drawn(page, "okr-chart-scores")
    scored = page.evaluate(
        """() => Chart.getChart(document.getElementById('okr-chart-scores')).data.datasets
                   .map((d) => d.data.reduce((a, b) => a + b, 0))"""
    )
    assert scored == [3, 7]  # 3 Os and 7 KRs scored

    # the alignment tree: O-2 and O-3 hang under O-1; O-1 is unaligned, O-2 and O-3 unsupported
    page.click("nav.okr-tabs >> text=对齐")
    tree = page.locator("[data-testid=alignment-tree]")
    expect(tree.locator(":scope > li")).to_have_count(1)
    root = tree.locator(":scope > li[data-ref=O-1]")
    expect(root.locator(":scope > ul > li")).to_have_count(2)
    expect(root.locator("li[data-ref=O-2] > a")).to_have_text("O-2 提升交付质量")
    expect(root.locator("li[data-ref=O-3] > a")).to_have_text("O-3 让新人一周内上手")
    expect(page.locator("[data-testid=unaligned]")).to_contain_text("O-1")
    expect(page.locator("[data-testid=unsupported]")).to_contain_text("O-2")
    page.screenshot(path=str(ARTIFACTS / "okr-alignment.png"), full_page=True)

    # the O page from the tree: burn-up and confidence drawn from the server's series
    root.locator("li[data-ref=O-2] > a").click()
    expect(page.locator("[data-testid=objective-title]")).to_have_text("O-2 提升交付质量")
    expect(page.locator("[data-testid=progress]")).to_have_text("86%")
    _drawn(page, "okr-chart-burnup", "okr-chart-confidence")
    burn = page.evaluate(
        """() => { const c = Chart.getChart(document.getElementById('okr-chart-burnup'));
                   return { labels: c.data.labels.length,
                            expected: c.data.datasets[0].data.at(-1),
                            actual: c.data.datasets[1].data.at(-1),
                            first: c.data.labels[0], last: c.data.labels.at(-1) }; }"""
    )
    # every day of 2026Q1; the expectation ends at 100%, the O at its progress on the page
    assert burn == {
        "labels": 90,
        "expected": 100,
        "actual": 86,
        "first": "2026-01-01",
        "last": "2026-03-31",
    }
    expect(page.locator("[data-testid=freshness] li[data-ref=KR-3]")).to_contain_text("8 天前")
    expect(page.locator("[data-testid=parents]")).to_have_text("O-2 → O-1")
    page.screenshot(path=str(ARTIFACTS / "okr-objective-burnup.png"), full_page=True)

    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
    assert [e for e in console_errors if not e.startswith("Failed to load resource")] == []


def test_okr_pages_fit_a_390px_phone(browser: Browser, base_url: str) -> None:
    page = browser.new_page(viewport=PHONE)
    sign_in(page, base_url)
    ARTIFACTS.mkdir(exist_ok=True)
    overflowing: dict[str, int] = {}
    for path in ("/okr", "/okr/team", "/okr/alignment", "/okr/objectives/2"):
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        extra = page.evaluate(OVERFLOW)
        if extra > 0:
            overflowing[path] = extra
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
    assert overflowing == {}
    # the burn-up chart is drawn at phone width too, across (nearly) the whole card
    _drawn(page, "okr-chart-burnup")
    width = page.evaluate("() => document.getElementById('okr-chart-burnup').clientWidth")
    assert width >= 300, width
