"""A departure that breaks a shift swap cancels the whole swap, not the half from the leaving
day on, and tells both people and the swap's maker who is on duty each of its two days.

Tester (session 18, F6): ``/值班换班 @李四 12-04 @王五 12-05`` then ``/停用成员 @李四 2026-12-05``:
the swap was "cancelled" from 12-05 only, so 王五 kept 李四's 12-04 and his own 12-05 (two days
running) while his notice said the swap was off, and 李四, still on duty 12-04 by the
rotation, heard nothing although the reply said 「当事人已收到私信」. Demo: 技术
张三→李四→王五 daily, today Monday 2026-06-01 09:00 in Shanghai, so 李四 holds 06-02 and
王五 06-03 as the tester's pair held 12-04 and 12-05.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.duty.helpers import demo_team
from tests.duty.test_departure_covers_swaps import _day, _notices_to, _roster
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

_NOW_HOLDS = "现在 2026-06-02 由 @李四 值班，2026-06-03 由 @王五 值班"


def _tech(roster: str, label: str) -> str:
    """Who holds 「技术」 on one day of the roster (「@李四」, 「@王五（换班）」)."""
    return _day(roster, label).split("「技术」")[1].split("\u3000")[0]


def _swap_notices(chat: ChatDriver, handle: str) -> list[str]:
    """The notices of a swap undone (not the one that told of it being made)."""
    return [n for n in _notices_to(chat, handle) if "换班（" in n and "安排了「" not in n]


def test_leaving_on_the_second_day_undoes_both_halves_and_tells_all_three(
    chat: ChatDriver,
) -> None:
    made = chat.text("/值班换班 @lisi 2026-06-02 @wangwu 2026-06-03", as_="admin")
    assert "换班成功" in made, made
    reply = chat.text("/停用成员 @lisi 2026-06-03", as_="admin")
    # the roster: 李四 is back on 06-02 (still here that day), 王五 keeps his own 06-03
    roster = _roster(chat)
    assert (_tech(roster, "06-02 周二"), _tech(roster, "06-03 周三")) == ("@李四", "@王五"), roster
    # the reply names the swap and who now holds its two days
    assert (
        "已一并取消 TA 的 1 项代班或换班：「技术」换班（李四 2026-06-02 ↔ 王五 2026-06-03），"
        "现在 2026-06-02 由 李四 值班，2026-06-03 由 王五 值班；当事人已收到私信。"
    ) in reply, reply
    # both people and the maker (the admin) each get one notice saying the same
    for handle in ("lisi", "wangwu", "admin"):
        [notice] = _swap_notices(chat, handle)
        assert "已整项取消" in notice and _NOW_HOLDS in notice, (handle, notice)


def test_the_leavers_own_day_after_leaving_goes_to_the_rotations_next_person(
    chat: ChatDriver,
) -> None:
    # 王五 takes 李四's Friday 06-05, 李四 王五's Wednesday 06-03; 李四 leaves on Thursday 06-04
    chat.text("/值班换班 @lisi 2026-06-05 @wangwu 2026-06-03", as_="admin")
    reply = chat.text("/停用成员 @lisi 2026-06-04", as_="admin")
    # without 李四 from 06-04 the rotation runs 张三 06-04, 王五 06-05: the swap is gone whole
    roster = _roster(chat)
    assert (_tech(roster, "06-03 周三"), _tech(roster, "06-05 周五")) == ("@王五", "@王五"), roster
    said = "2026-06-05 由 王五 值班（李四 停用后按轮值顺延），2026-06-03 由 王五 值班"
    assert said in reply, reply
    [notice] = _swap_notices(chat, "wangwu")
    assert "2026-06-05 由 @王五 值班（李四 停用后按轮值顺延）" in notice, notice


def test_calling_the_departure_off_brings_the_whole_swap_back(chat: ChatDriver) -> None:
    chat.text("/值班换班 @lisi 2026-06-02 @wangwu 2026-06-03", as_="admin")
    before = _roster(chat)
    chat.text("/停用成员 @lisi 2026-06-03", as_="admin")
    reply = chat.text("/启用成员 @lisi", as_="admin")
    assert "为这次停用取消的 1 项代班或换班已恢复。" in reply, reply
    assert _roster(chat) == before


@pytest.fixture
def api(demo_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        yield client


def test_rest_leaving_undoes_the_whole_swap(api: TestClient, demo_runtime: Runtime) -> None:
    team, members = demo_team(demo_runtime)
    [tech] = [
        r["id"]
        for r in api.get(f"/api/v1/duty/teams/{team.id}/rotations").json()
        if r["key"] == "tech"
    ]
    swap = {
        "member_a_id": members["lisi"].id,
        "date_a": "2026-06-02",
        "member_b_id": members["wangwu"].id,
        "date_b": "2026-06-03",
    }
    made = api.post(f"/api/v1/duty/rotations/{tech}/swaps", json=swap)
    assert made.status_code == 201, made.text
    left = api.patch(f"/api/v1/members/{members['lisi'].id}", json={"deactivate_at": "2026-06-03"})
    assert left.status_code == 200, left.text
    schedule = api.get(
        f"/api/v1/duty/teams/{team.id}/schedule", params={"start": "2026-06-02", "days": 2}
    ).json()
    [shifts] = [r["shifts"] for r in schedule["rotations"] if r["rotation_id"] == tech]
    assert [(s["duty_date"], s["primary_id"], s["source"]) for s in shifts] == [
        ("2026-06-02", members["lisi"].id, "rotation"),
        ("2026-06-03", members["wangwu"].id, "rotation"),
    ]
    driver = ChatDriver(demo_runtime)
    for handle in ("lisi", "wangwu"):
        [notice] = _swap_notices(driver, handle)
        assert _NOW_HOLDS in notice, (handle, notice)


def test_a_swap_planned_on_an_addition_the_departure_withdraws_is_cancelled_and_told(
    chat: ChatDriver,
) -> None:
    """Session 17's neighbouring hole: a departure withdrawing a pending addition left the
    swaps made on the roster it planned in force but broken, with nobody told (``/撤销排班变更``
    of the same addition cancels and tells them)."""
    # 孙七 joins 技术 from 06-03: 张三 then holds 06-05 and 李四 06-06, and they trade them
    chat.text("/值班人员增加 @sunqi 技术 2026-06-03", as_="admin")
    assert "换班成功" in chat.text("/值班换班 @zhangsan 2026-06-05 @lisi 2026-06-06", as_="admin")
    # when 孙七 leaves before joining, the addition goes, and the days go back to 李四, 王五
    reply = chat.text("/停用成员 @sunqi", as_="admin")
    roster = _roster(chat)
    assert (_tech(roster, "06-05 周五"), _tech(roster, "06-06 周六")) == ("@李四", "@王五"), roster
    # then the swap is named in the reply, cancelled, and its people and maker are told
    said = "「技术」换班（张三 2026-06-05 ↔ 李四 2026-06-06），现在 2026-06-05 由 李四 值班"
    assert said in reply, reply
    for handle in ("zhangsan", "lisi", "admin"):
        [notice] = _swap_notices(chat, handle)
        assert "2026-06-06 由 @王五 值班" in notice, (handle, notice)
    # and the days are free to trade again
    again = chat.text("/值班换班 @lisi 2026-06-05 @wangwu 2026-06-06", as_="admin")
    assert "换班成功" in again, again
