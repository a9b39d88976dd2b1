"""End to end in headless Chromium: the reports pages of the demo (clock frozen at Monday
2026-06-01 09:00 Beijing; a weekly entry written now is for the week of 05-25). 李华, the team's
director, opens the template editor from the reports page, previews a text on the team's live
data, saves it, and has a broken text refused with the reason while the saved one stays; 张三
writes his weekly entry in the form and finds it there again."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from teamassist import documents
from teamassist.reports import templates_store
from teamassist.reports.models import WeeklyEntry
from teamassist.runtime import Runtime
from tests.okr.support import demo
from tests.support.browser import ARTIFACTS, SignedIn
from tests.support.chat import ChatDriver

pytestmark = pytest.mark.browser

GOOD = (
    "# {{ title }}\n\n{% for m in members %}- {{ m.name }}：{{ m.done | join('、') }}\n{% endfor %}"
)


def _stored(runtime: Runtime) -> str | None:
    with demo(runtime) as given:
        row = templates_store.stored(given.session, team=given.team, name="weekly")
        return row.body if row is not None else None


def test_the_director_previews_saves_and_gets_a_bad_template_refused(
    signed_in: SignedIn, base_url: str, sqlite_runtime: Runtime
) -> None:
    # given 李华 as the team's director, and 李四's entry for last week
    with demo(sqlite_runtime) as given:
        given.team.director_id = given.member("lihua").id
    ChatDriver(sqlite_runtime).text("/周报 完成 接口文档；压测", as_="lisi")
    ARTIFACTS.mkdir(exist_ok=True)
    failed: list[str] = []

    # 李华 opens the weekly template from the reports page
    page = signed_in("lihua", "李华")
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{base_url}/reports")
    page.click("[data-testid=templates]")
    expect(page.locator("[data-testid=template-weekly]")).to_contain_text("默认模板")
    page.click("[data-testid=template-weekly] a")
    body = page.locator("[data-testid=template-body]")
    expect(body).to_have_value(
        documents.default_source("weekly.md.j2", package=templates_store.PACKAGE)
    )

    # previews a text of his own: the team's live data, nothing stored
    body.fill(GOOD)
    page.click("[data-testid=template-preview]")
    rendered = page.locator("[data-testid=template-rendered]")
    expect(rendered.locator("h1")).to_have_text("OKR周报2026/05/25-05/31")
    expect(rendered.locator("li")).to_have_count(7)
    expect(rendered.locator("li", has_text="李四")).to_have_text("李四：接口文档、压测")
    expect(body).to_have_value(GOOD)
    assert _stored(sqlite_runtime) is None

    # saves it
    page.click("[data-testid=template-save]")
    expect(page.locator("[data-testid=saved]")).to_be_visible()
    expect(page.locator("[data-testid=template-state]")).to_have_text("本团队改过的模板")
    assert _stored(sqlite_runtime) == GOOD

    # a broken text is refused with the line, kept in the box, and the saved one stays
    body.fill("# {{ title }\n")
    page.click("[data-testid=template-save]")
    error = page.locator("[data-testid=template-error]")
    expect(error).to_contain_text("模板第 1 行有错误")
    expect(error).to_contain_text("没有保存任何修改")
    expect(body).to_have_value("# {{ title }\n")
    page.screenshot(path=str(ARTIFACTS / "report-template-refused.png"), full_page=True)
    assert _stored(sqlite_runtime) == GOOD
    page.goto(f"{base_url}/reports/templates/weekly")
    expect(page.locator("[data-testid=template-body]")).to_have_value(GOOD)
    assert [u for u in failed if "/reports/templates/weekly" not in u] == []
    assert len(failed) == 1  # the refused save (422)


def test_a_member_writes_the_weekly_entry_in_the_form(
    signed_in: SignedIn, base_url: str, sqlite_runtime: Runtime
) -> None:
    failed: list[str] = []
    page = signed_in("zhangsan", "张三")
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    # 张三 opens the form from the reports page: the week of 05-25, empty
    page.goto(f"{base_url}/reports")
    page.click("[data-testid=write-entry]")
    expect(page.locator("main")).to_contain_text("2026-05-25")
    expect(page.locator("[data-testid=entry-done]")).to_have_value("")
    # fills three fields and saves
    page.fill("[data-testid=entry-done]", "接口文档\n压测")
    page.fill("[data-testid=entry-next]", "灰度上线")
    page.fill("[data-testid=entry-risks]", "人手不足；排期紧")
    page.click("[data-testid=entry] button[type=submit]")
    expect(page.locator("[data-testid=saved]")).to_be_visible()
    # the form shows what was stored, one item a line
    expect(page.locator("[data-testid=entry-risks]")).to_have_value("人手不足\n排期紧")
    expect(page.locator("[data-testid=entry-done]")).to_have_value("接口文档\n压测")
    page.screenshot(path=str(ARTIFACTS / "weekly-entry.png"), full_page=True)
    with sqlite_runtime.factory() as session:
        row = session.scalars(select(WeeklyEntry)).one()
        assert row.week_start == date(2026, 5, 25)
        assert (row.done, row.next, row.risks) == ("接口文档\n压测", "灰度上线", "人手不足\n排期紧")
    assert failed == []
