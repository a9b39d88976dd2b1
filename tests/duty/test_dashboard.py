"""Duty dashboard pages: every page renders for an admin and for a member; the rotation editor
previews a change with the people whose shifts move, and saving needs an admin and changes
nothing on bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import service
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import demo_team, set_local, snapshot
from tests.support.chat import ChatDriver
from tests.support.web import BROWSER, sign_in

PASSWORDS = {"admin": "admin", "zhangsan": "pw-zhangsan"}
PAGES = ["/duty", "/duty/roster", "/duty/sign-ins", "/duty/fairness", "/duty/editor", "/duty/feeds"]


@pytest.fixture
def demo(sqlite_runtime: Runtime) -> Runtime:
    load_demo(sqlite_runtime)
    _team, people = demo_team(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        auth.set_password(
            session, username="zhangsan", password="pw-zhangsan", member=people["zhangsan"]
        )
    return sqlite_runtime


def _client(runtime: Runtime, username: str) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client, username, PASSWORDS[username])
        yield client


@pytest.fixture
def admin(demo: Runtime) -> Iterator[TestClient]:
    yield from _client(demo, "admin")


@pytest.fixture
def member(demo: Runtime) -> Iterator[TestClient]:
    yield from _client(demo, "zhangsan")


def _tech_id(runtime: Runtime) -> int:
    team, _ = demo_team(runtime)
    with runtime.factory() as session:
        return service.get_rotation(session, team=team, name="tech").id


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_admin_and_member(
    admin: TestClient, member: TestClient, path: str
) -> None:
    for client in (admin, member):
        page = client.get(path)
        assert page.status_code == 200, page.text
        assert "/static/duty.css" in page.text
        assert 'href="/duty"' in page.text  # the nav entry


def test_pages_need_a_sign_in(demo: Runtime) -> None:
    with TestClient(create_app(demo, start_background=False)) as anonymous:
        for path in PAGES:
            assert anonymous.get(path, follow_redirects=False).headers["location"] == "/login"


def test_today_shows_who_is_on_duty_and_whether_they_signed_in(
    admin: TestClient, demo: Runtime
) -> None:
    page = admin.get("/duty").text
    assert "张三" in page and "赵六" in page and "未签到" in page
    ChatDriver(demo).text("/值班签到", as_="zhangsan")
    assert "已签到 09:00" in admin.get("/duty").text


def test_month_view_marks_today_holidays_and_overrides(
    admin: TestClient, demo: Runtime, clock: FrozenClock
) -> None:
    tech = _tech_id(demo)
    _team, people = demo_team(demo)
    added = admin.post(
        f"/api/v1/duty/rotations/{tech}/overrides",
        json={
            "start": "2026-06-03T12:00:00+08:00",
            "end": "2026-06-03T18:00:00+08:00",
            "member_id": people["wangwu"].id,
        },
    )
    assert added.status_code == 201, added.text
    june = admin.get("/duty/roster").text
    assert "2026 年 6 月排班表" in june
    assert 'class="day is-today"' in june.replace(" day-off", "").replace(" workday-swap", "")
    assert 'data-date="2026-06-01"' in june
    assert "override-mark" in june and "端午节" in june  # 2026-06-19 Dragon Boat Festival
    october = admin.get("/duty/roster?month=2026-10").text
    assert "国庆节" in october
    assert "调休上班" in october  # Saturday 2026-10-10 is a working day
    assert "?month=2026-09" in october and "?month=2026-11" in october


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2026-13", "1999-12", "2101-01"])
def test_a_month_outside_the_grid_is_named_as_a_month(admin: TestClient, month: str) -> None:
    """Tester s26 A-10: 9999-12 answered 422 「超出了可以保存的范围」 and 0000-01 「请写成
    YYYY-MM-DD」 though the parameter is a month."""
    refused = admin.get(f"/duty/roster?month={month}", headers=BROWSER)
    assert refused.status_code == 400, refused.text
    assert f"无法识别的月份「{month}」，请写成 YYYY-MM" in refused.text
    assert "2000 到 2100 年之间" in refused.text
    assert admin.get("/duty/roster?month=2100-12").status_code == 200


def test_sign_in_history_filters_and_marks_late_sign_ins(
    admin: TestClient, demo: Runtime, clock: FrozenClock
) -> None:
    chat = ChatDriver(demo)
    chat.text("/值班签到", as_="zhangsan")  # 09:00: on time
    set_local(clock, date(2026, 6, 2), 10, 45)
    chat.text("/值班签到", as_="lisi")  # after the 10:00 reminder: late
    _team, people = demo_team(demo)
    page = admin.get("/duty/sign-ins").text
    assert "张三" in page and "李四" in page and "迟到" in page and "按时" in page
    only_lisi = admin.get(f"/duty/sign-ins?member={people['lisi'].id}").text
    assert "06-02 10:45" in only_lisi and "06-01 09:00" not in only_lisi


def test_fairness_page_has_the_table_and_the_chart_data(admin: TestClient) -> None:
    page = admin.get("/duty/fairness?first=2026-06-01&last=2026-06-30").text
    assert "fairness-chart" in page and "chart.umd.min.js" in page
    assert '"labels"' in page and "张三" in page
    assert "/api/v1/duty/fairness.csv?from=2026-06-01&amp;to=2026-06-30" in page


def _form(rotation: int, action: str, *members: int, **extra: str) -> dict[str, object]:
    form: dict[str, object] = {
        "rotation_id": str(rotation),
        "action": action,
        "member_ids": [str(m) for m in members],
    }
    return form | extra


def _moved(html: str) -> str:
    return html.split('data-testid="moved"')[1].split("</div>")[0]


def test_preview_lists_the_people_whose_shifts_move_and_saves_nothing(
    admin: TestClient, member: TestClient, demo: Runtime
) -> None:
    tech = _tech_id(demo)
    _team, people = demo_team(demo)
    before = snapshot(demo)
    # 张三 06-01, 李四 06-02, 王五 06-03, ...: 李四 and 王五 trade places from 06-02 on
    form = _form(tech, "swap", people["lisi"].id, people["wangwu"].id, effective_date="2026-06-02")
    for client in (admin, member):  # previewing changes nothing, so members may look too
        preview = client.post("/duty/editor/preview", data=form)
        assert preview.status_code == 200, preview.text
        moved = _moved(preview.text)
        assert "李四" in moved and "王五" in moved and "张三" not in moved
        assert '<tr class="changed"><td>2026-06-02 二</td><td>李四</td><td>王五</td></tr>' in (
            preview.text
        )
    # adding 赵六 from 06-03 makes the cycle longer: everyone's later shifts move
    grown = admin.post(
        "/duty/editor/preview",
        data=_form(tech, "add", people["zhaoliu"].id, effective_date="2026-06-03"),
    )
    assert all(name in _moved(grown.text) for name in ("张三", "李四", "王五", "赵六"))
    assert snapshot(demo) == before


def test_preview_says_when_a_turn_is_larger_than_the_rotation(
    admin: TestClient, demo: Runtime
) -> None:
    """Tester s26 A-10: a turn of more people than the rotation has is said in the editor's
    preview, as chat and REST say it (three people in 技术); a turn they fill says nothing."""
    tech = _tech_id(demo)
    wide = admin.post("/duty/editor/preview", data=_form(tech, "params", people_per_turn="5"))
    assert wide.status_code == 200, wide.text
    assert 'data-testid="short-turn"' in wide.text
    assert "「技术」每班 5 人，轮值里只有 3 人" in wide.text
    fits = admin.post("/duty/editor/preview", data=_form(tech, "params", people_per_turn="3"))
    assert fits.status_code == 200 and 'data-testid="short-turn"' not in fits.text, fits.text


def test_saving_needs_an_admin_and_uses_the_roster_service(
    admin: TestClient, member: TestClient, demo: Runtime
) -> None:
    tech = _tech_id(demo)
    _team, people = demo_team(demo)
    form = _form(tech, "swap", people["lisi"].id, people["wangwu"].id, effective_date="2026-06-02")
    before = snapshot(demo)
    refused = member.post("/duty/editor/save", data=form)
    assert refused.status_code == 403
    assert "editor-error" in refused.text
    assert snapshot(demo) == before
    saved = admin.post("/duty/editor/save", data=form)
    assert saved.status_code == 200, saved.text
    assert 'data-testid="saved"' in saved.text and "李四" in saved.text
    assert snapshot(demo) != before
    team, _ = demo_team(demo)
    with demo.factory() as session:
        rotation = service.get_rotation(session, team=team, name="tech")
        latest = service.versions(session, rotation=rotation)[-1]
        assert latest.change == "swap"
        assert latest.member_ids == [people["zhangsan"].id, people["wangwu"].id, people["lisi"].id]


@pytest.mark.parametrize(
    "form",
    [
        {"action": "remove"},  # nobody chosen
        {"action": "add", "member_ids": ["999"]},  # unknown member
        {"action": "swap", "member_ids": ["abc"]},  # not a number
        {"action": "explode"},  # unknown action
        {"action": "params", "turn_days": "0"},  # out of range
        {"action": "params", "effective_date": "2026-05-01"},  # in the past
        {"action": "params", "effective_date": "next week"},  # not a date
    ],
)
def test_bad_input_gets_an_error_and_changes_nothing(
    admin: TestClient, demo: Runtime, form: dict[str, object]
) -> None:
    before = snapshot(demo)
    answer = admin.post("/duty/editor/save", data={"rotation_id": str(_tech_id(demo)), **form})
    assert answer.status_code in {400, 404, 409, 422}, answer.text
    assert 'role="alert"' in answer.text
    assert snapshot(demo) == before


def test_feeds_page_creates_shows_once_and_revokes(admin: TestClient) -> None:
    created = admin.post("/duty/feeds", data={})
    assert created.status_code == 200
    assert 'data-testid="feed-url"' in created.text and "/ical/" in created.text
    listed = admin.get("/duty/feeds").text
    assert "/ical/" not in listed and "王管理" in listed
    feed_id = listed.split('action="/duty/feeds/')[1].split("/revoke")[0]
    assert "/ical/" not in admin.post(f"/duty/feeds/{feed_id}/revoke").text
    assert "还没有日历订阅" in admin.get("/duty/feeds").text
