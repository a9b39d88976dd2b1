"""End to end in headless Chromium: a dashboard form refused for its input lands back on its
page with the catalogue's reason, and nothing changed (web/form_errors.py). A real browser only
sends such input when the page is old or was changed, so each test first changes the form in
the page (a text field where a date picker was, a field removed, a length limit lifted): the
server must not trust the page's own checks.

Demo clock: Monday 2026-06-01 09:00 Beijing; 李华 meets 张三 on 每月第1个周四 10:00."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from teamassist.i18n import t
from teamassist.reports import templates_store
from teamassist.runtime import Runtime
from tests.okr.support import demo
from tests.outreach.support import set_up_groups
from tests.support.browser import ARTIFACTS, SignedIn

pytestmark = pytest.mark.browser

SLOW = 120_000  # ms: the shared machine runs many suites at once; a page may wait for a core


@pytest.fixture(autouse=True)
def _patient() -> Iterator[None]:
    """Assertions wait as long as navigations may (reset after: other modules keep 5 s)."""
    expect.set_options(timeout=SLOW)
    yield
    expect.set_options(timeout=5_000)


def _statuses(page: Page) -> list[int]:
    seen: list[int] = []
    page.on("response", lambda r: seen.append(r.status) if r.request.method == "POST" else None)
    return seen


def test_a_1on1_moved_to_an_impossible_date(signed_in: SignedIn, base_url: str) -> None:
    # given 张三 on his pair page, June's 1on1 on 06-04 10:00
    page = signed_in("zhangsan", "张三", timeout_ms=SLOW)
    posts = _statuses(page)
    page.goto(f"{base_url}/one-on-ones")
    page.locator("[data-testid=open]").first.click()
    pair_url = page.url
    june = page.locator("[data-testid=meetings] li", has_text="6月4日（周四）10:00")
    # when he types 30 February into the move form (a text field, as an old browser shows it)
    start = june.locator("[data-testid=move] input[name=start]")
    start.evaluate("el => { el.type = 'text'; }")
    start.fill("2026-02-30T10:00")
    june.locator("[data-testid=move] button").click()
    # then he is back on the pair page, told why, and June's 1on1 is where it was
    flash = page.locator("[data-testid=flash]")
    expect(flash).to_have_text(t("one_on_ones.error.bad_when", value="2026-02-30T10:00"))
    expect(flash).to_have_attribute("data-status", "422")
    assert page.url.split("?")[0] == pair_url.split("?")[0]
    expect(page.locator("[data-testid=saved]")).to_have_count(0)
    expect(page.locator("[data-testid=meetings] li", has_text="6月4日（周四）10:00")).to_have_count(
        1
    )
    assert posts == [303]  # the post answered with the way back, never an error body
    page.screenshot(path=str(ARTIFACTS / "form-refused-1on1.png"), full_page=True)


def test_a_qualifications_form_without_its_level(
    signed_in: SignedIn, base_url: str, sqlite_runtime: Runtime
) -> None:
    # given 李华 directs the team; 李四 is at P2
    set_up_groups(sqlite_runtime)
    page = signed_in("lihua", "李华", timeout_ms=SLOW)
    page.goto(f"{base_url}/qualifications")
    row = page.locator("[data-testid=qual-team] tr[data-handle=lisi]")
    row.locator("summary").click()
    form = row.locator("[data-testid=qual-set-level]")
    # when the form is sent without its level field
    form.locator("select[name=level]").evaluate("el => el.remove()")
    form.locator("textarea[name=evidence]").fill("独立负责支付网关")
    form.locator("button[type=submit]").click()
    # then the page names the missing field and 李四 is still at P2, without the evidence
    flash = page.locator("[data-testid=flash]")
    expect(flash).to_have_text(t("web.form.missing", field=t("web.form.field.level")))
    expect(flash).to_have_attribute("data-status", "422")
    assert page.url.startswith(f"{base_url}/qualifications")
    lisi = page.locator("[data-testid=qual-team] tr[data-handle=lisi]")
    expect(lisi.locator("[data-testid=qual-level]")).to_contain_text("P2")
    rest = page.request.get(f"{base_url}/api/v1/qualifications/people/lisi").json()
    assert rest["level"] == "P2" and rest["evidence"] != "独立负责支付网关"


def test_a_report_template_over_the_limit(
    signed_in: SignedIn, base_url: str, sqlite_runtime: Runtime
) -> None:
    # given 李华 directing the team, on the weekly template's editor
    with demo(sqlite_runtime) as given:
        given.team.director_id = given.member("lihua").id
    page = signed_in("lihua", "李华", timeout_ms=SLOW)
    page.goto(f"{base_url}/reports/templates/weekly")
    body = page.locator("[data-testid=template-body]")
    default = body.input_value()
    # when a text 10 characters over the limit is saved (the box's maxlength lifted)
    limit = templates_store.MAX_TEMPLATE
    body.evaluate(
        "(el, n) => { el.removeAttribute('maxlength'); el.value = '周'.repeat(n); }", limit + 10
    )
    page.click("[data-testid=template-save]")
    # then the editor says how long it was and the limit, and the default text stays
    flash = page.locator("[data-testid=flash]")
    expect(flash).to_have_text(
        t("web.form.too_long", field=t("web.form.field.body"), length=limit + 10, limit=limit)
    )
    expect(flash).to_have_attribute("data-status", "422")
    assert page.url.startswith(f"{base_url}/reports/templates/weekly")
    expect(page.locator("[data-testid=template-body]")).to_have_value(default)
    expect(page.locator("[data-testid=template-state]")).to_have_text(
        t("reports.web.template_default")
    )
    with demo(sqlite_runtime) as given:
        assert templates_store.stored(given.session, team=given.team, name="weekly") is None
