"""End to end in headless Chromium: the people-development pages of the demo (360 reviews,
月度技术专家, 任职资格, career plans). On each, a member loads the page, fills a form, submits
and sees the result; then someone else, signed in in another browser context, cannot see what
is not theirs (the director's 360 page, a vote, another person's level or plan)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from teamassist.runtime import Runtime
from tests.okr.support import set_clock
from tests.outreach.support import ids, set_up_groups
from tests.reviews.support import set_up as set_up_reviews
from tests.reviews.support import start as start_review
from tests.support.browser import ARTIFACTS, SignedIn

pytestmark = pytest.mark.browser

SLOW = 120_000  # ms: the shared machine runs many suites at once; a page may wait for a core


@pytest.fixture(autouse=True)
def _patient() -> Iterator[None]:
    """Assertions wait as long as navigations may (reset after: other modules keep 5 s)."""
    expect.set_options(timeout=SLOW)
    yield
    expect.set_options(timeout=5_000)


def _failures(page: Page) -> list[str]:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    return failed


def test_a_360_answer_through_the_form_and_the_director_page_closed_to_members(
    signed_in: SignedIn, base_url: str, sqlite_runtime: Runtime
) -> None:
    # given a cycle reviewing 张三 (due 2026-12-04), 王五 among his peers
    set_up_reviews(sqlite_runtime)
    cycle = start_review(sqlite_runtime, "zhangsan")
    wangwu = signed_in("wangwu", "王五", timeout_ms=SLOW)
    failed = _failures(wangwu)
    # when 王五 opens his list, follows the link and answers
    wangwu.goto(f"{base_url}/reviews/360")
    wangwu.locator("[data-testid=my-reviews] a", has_text="张三").click()
    form = wangwu.locator("[data-testid=answer-form]")
    form.locator("[data-question=collaboration] input[value='4']").check()
    form.locator("textarea[name=keep]").fill("评审意见总是很具体")
    form.locator("[data-testid=submit]").click()
    # then he is thanked and the form is gone; it is no longer on his list
    expect(wangwu.locator("[data-testid=thanks]")).to_be_visible()
    expect(wangwu.locator("[data-testid=answer-form]")).to_have_count(0)
    wangwu.goto(f"{base_url}/reviews/360")
    expect(wangwu.locator("[data-testid=my-reviews]")).not_to_contain_text("张三")
    wangwu.screenshot(path=str(ARTIFACTS / "reviews-wangwu.png"), full_page=True)
    assert failed == []
    # and 张三, the reviewee, cannot open the director's page nor read a summary yet
    zhangsan = signed_in("zhangsan", "张三", timeout_ms=SLOW)
    refused = zhangsan.goto(f"{base_url}/reviews/360/{cycle}")
    assert refused is not None and refused.status == 403
    summary = zhangsan.goto(
        f"{base_url}/reviews/360/{cycle}/summary/{ids(sqlite_runtime)['zhangsan']}"
    )
    assert summary is not None and summary.status == 409
    assert "评审意见总是很具体" not in zhangsan.locator("body").inner_text()


def test_an_award_nomination_and_vote_on_the_page_and_a_vote_kept_secret(
    signed_in: SignedIn, base_url: str, sqlite_runtime: Runtime
) -> None:
    # given June's round taking nominations, 李华 directing the team
    set_clock(sqlite_runtime, "2026-06-10 10:00")
    set_up_groups(sqlite_runtime)
    sunqi = signed_in("sunqi", "孙七", timeout_ms=SLOW)
    failed = _failures(sunqi)
    sunqi.goto(f"{base_url}/awards")
    # when 孙七 nominates 王五 with a reason and evidence
    form = sunqi.locator("[data-testid=awards-nominate]")
    form.locator("select[name=nominee_id]").select_option(label="王五")
    form.locator("textarea[name=reason]").fill("把发布时间从一小时缩到十分钟")
    form.locator("textarea[name=links]").fill("https://ci.example/run/1")
    form.locator("button[type=submit]").click()
    # then the receipt shows and he is among the nominees with the reason and the link
    expect(sunqi.locator("[data-testid=awards-done]")).to_be_visible()
    nominees = sunqi.locator("[data-testid=awards-nominees]")
    expect(nominees).to_contain_text("把发布时间从一小时缩到十分钟")
    expect(nominees.locator("a[href='https://ci.example/run/1']")).to_have_count(1)
    # the director opens the vote from the page; 孙七 votes for 王五
    lihua = signed_in("lihua", "李华", timeout_ms=SLOW)
    lihua.goto(f"{base_url}/awards")
    lihua.locator("[data-testid=awards-director] button[value=voting]").click()
    expect(lihua.locator("[data-testid=awards-phase]")).to_have_attribute("data-phase", "voting")
    sunqi.goto(f"{base_url}/awards")
    vote = sunqi.locator("[data-testid=awards-vote]")
    vote.locator("label", has_text="王五").locator("input").check()
    vote.locator("button[type=submit]").click()
    expect(sunqi.locator("[data-testid=awards-my-vote]")).to_contain_text("王五")
    sunqi.screenshot(path=str(ARTIFACTS / "awards-sunqi.png"), full_page=True)
    assert failed == []
    # and 王五 sees neither 孙七's vote nor any count before the close
    wangwu = signed_in("wangwu", "王五", timeout_ms=SLOW)
    wangwu.goto(f"{base_url}/awards")
    expect(wangwu.locator("[data-testid=awards-my-vote]")).to_contain_text("—")
    current = wangwu.locator("[data-testid=awards-current]").inner_text()
    assert not re.search(r"\d+ 票", current), current


def test_a_level_set_on_the_qualifications_page_and_hidden_from_others(
    signed_in: SignedIn, base_url: str, sqlite_runtime: Runtime
) -> None:
    # given 李华 directs the team; 李四 is at P2
    set_up_groups(sqlite_runtime)
    lihua = signed_in("lihua", "李华", timeout_ms=SLOW)
    failed = _failures(lihua)
    lihua.goto(f"{base_url}/qualifications")
    row = lihua.locator("[data-testid=qual-team] tr[data-handle=lisi]")
    expect(row.locator("[data-testid=qual-level]")).to_contain_text("P2")
    # when she sets him to P3 with evidence through the row's form
    row.locator("summary").click()
    form = row.locator("[data-testid=qual-set-level]")
    p3 = form.locator("select[name=level] option", has_text="P3").get_attribute("value")
    assert p3 is not None
    form.locator("select[name=level]").select_option(p3)
    form.locator("textarea[name=evidence]").fill("独立负责支付网关")
    form.locator("button[type=submit]").click()
    # then the page says saved and the row shows P3
    expect(lihua.locator("[data-testid=qual-saved]")).to_be_visible()
    expect(
        lihua.locator("[data-testid=qual-team] tr[data-handle=lisi] [data-testid=qual-level]")
    ).to_contain_text("P3")
    assert failed == []
    # 李四 reads his own new level and evidence
    lisi = signed_in("lisi", "李四", timeout_ms=SLOW)
    lisi.goto(f"{base_url}/qualifications")
    expect(lisi.locator("[data-testid=qual-mine]")).to_contain_text("P3")
    expect(lisi.locator("[data-testid=qual-mine]")).to_contain_text("独立负责支付网关")
    # and 王五 sees neither the team's levels nor 李四's evidence
    wangwu = signed_in("wangwu", "王五", timeout_ms=SLOW)
    wangwu.goto(f"{base_url}/qualifications")
    expect(wangwu.locator("[data-testid=qual-team]")).to_have_count(0)
    assert "独立负责支付网关" not in wangwu.locator("body").inner_text()


def test_a_career_plan_written_on_its_page_and_closed_to_another_member(
    signed_in: SignedIn, base_url: str, sqlite_runtime: Runtime
) -> None:
    # given 李四's plan for this year, started by the director and not yet written
    set_up_groups(sqlite_runtime)
    lisi = signed_in("lisi", "李四", timeout_ms=SLOW)
    failed = _failures(lisi)
    lisi.goto(f"{base_url}/career-plans")
    lisi.locator("[data-testid=my-plans] a").first.click()
    # when he writes a direction and a first goal and saves
    form = lisi.locator("[data-testid=plan-form]")
    form.locator("textarea[name=direction]").fill("走向前端架构，负责设计系统")
    form.locator("input[name=goal_title]").first.fill("整理组件库文档")
    form.locator("button[type=submit]").click()
    # then it is saved and the plan's document shows it
    expect(lisi.locator("[data-testid=saved]")).to_be_visible()
    expect(lisi.locator("[data-testid=plan-document]")).to_contain_text(
        "走向前端架构，负责设计系统"
    )
    expect(lisi.locator("[data-testid=plan-document]")).to_contain_text("整理组件库文档")
    plan_url = lisi.url.split("?")[0]
    assert failed == []
    # and 王五, another member, gets 404 for it and sees none of it
    wangwu = signed_in("wangwu", "王五", timeout_ms=SLOW)
    refused = wangwu.goto(plan_url)
    assert refused is not None and refused.status == 404
    assert "走向前端架构" not in wangwu.locator("body").inner_text()
