"""End to end in real headless Chromium: the org page shows the tree; an admin adds a sub-team
under the community, names its director, and the tree shows both after the round trip."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from teamassist.runtime import Runtime
from tests.support.browser import ARTIFACTS
from tests.team.support import demo

pytestmark = pytest.mark.browser


def test_org_page_adds_a_sub_team_and_names_a_director(
    browser: Browser, base_url: str, sqlite_runtime: Runtime
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})  # phone width
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "admin")
    page.click("button[type=submit]")
    page.click("header nav >> text=组织架构")
    tree = page.locator("[data-testid=org-tree]")
    expect(tree).to_contain_text("开发者社区")
    expect(tree.locator("[data-testid=org-member]")).to_have_count(7)

    # a sub-team under the community
    add = page.locator("[data-testid=add-team]")
    add.locator("input[name=key]").fill("front")
    add.locator("input[name=name]").fill("前端组")
    add.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=saved]")).to_be_visible()
    child = page.locator("[data-team=community] [data-team=front]")
    expect(child).to_contain_text("前端组")

    # 李华 (a lead) becomes the community's director
    top = page.locator("[data-team=community] >> [data-testid=team-form]").first
    top.locator("select[name=director_id]").select_option(label="李华")
    top.locator("button[type=submit]").click()
    expect(page.locator("[data-team=community] [data-testid=director]").first).to_have_text("李华")
    # nothing overflows sideways at phone width
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "team-org.png"), full_page=True)

    with sqlite_runtime.factory() as session:
        d = demo(session)
        assert d.team.director_id == d["lihua"].id
