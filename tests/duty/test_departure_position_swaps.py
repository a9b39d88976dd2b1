"""A pending swap of positions with a leaver is cancelled with the departure, said, and applied
again when the departure is called off.

A tester (session 17, demo data, today Thursday 2026-12-03 in China): ``/值班交换 @赵六 @孙七 产品
2026-12-10``, then ``/停用成员 @孙七 2026-12-09``: the reply said nothing of the swap; then
``/启用成员 @孙七``: nothing either, the roster was back to its pre-swap order and
``/撤销排班变更 产品`` found nothing pending. Same with 「技术」 (张三, 李四). Demo: 技术
张三→李四→王五 and 产品 赵六→孙七→李华 daily from today.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.web.app import create_app
from tests.duty.helpers import at_local, demo_team, set_local
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

TODAY = date(2026, 12, 3)
CASES = [  # rotation, the swap, the leaver, their handle
    ("产品", "/值班交换 @赵六 @孙七 产品 2026-12-10", "孙七", "sunqi"),
    ("技术", "/值班交换 @张三 @李四 技术 2026-12-10", "李四", "lisi"),
]


@pytest.fixture
def clock() -> FrozenClock:
    """The tester's morning: Thursday 2026-12-03 09:00 in China."""
    return FrozenClock(at_local(TODAY, 9))


def _after_swap(chat: ChatDriver, swap: str) -> str:
    """The roster from 12-10 on, as the swap made it (before anything else happens)."""
    return chat.text("/查看值班表 14", as_="admin").split("12-10 周四")[1]


def _notices_to(chat: ChatDriver, handle: str) -> list[str]:
    _team, members = demo_team(chat.runtime)
    from teamassist.team.service import INBOX_PREFIX

    with chat.runtime.factory() as session:
        from teamassist.team.models import Member

        member = session.get(Member, members[handle].id)
        assert member is not None
        addresses = {i.user_key for i in member.identities} | {f"{INBOX_PREFIX}{member.id}"}
    from teamassist.chat.render import to_plain
    from teamassist.chat.types import Reply

    return [
        to_plain(Reply.model_validate(m.payload)) for m in chat.queued() if m.address in addresses
    ]


@pytest.mark.parametrize(("rotation", "swap", "name", "handle"), CASES)
def test_a_swap_with_the_leaver_is_named_and_restored_when_they_stay(
    chat: ChatDriver, rotation: str, swap: str, name: str, handle: str
) -> None:
    # given the tester's swap of positions from 12-10
    assert "2026-12-10 生效" in chat.text(swap, as_="admin")
    swapped = _after_swap(chat, swap)
    other = {"孙七": "zhaoliu", "李四": "zhangsan"}[name]
    # when the other party of it is set to leave on 12-09
    stopped = chat.text(f"/停用成员 @{name} 2026-12-09", as_="admin")
    # then the reply names the swap as cancelled, and its other person hears of it
    assert f"「{rotation}」2026-12-10 生效的交换位置" in stopped, stopped
    assert "1 项待生效的轮值变更" in stopped, stopped
    assert any(f"「{rotation}」2026-12-10 生效的交换位置" in n for n in _notices_to(chat, other))
    # when the departure is called off
    started = chat.text(f"/启用成员 @{name}", as_="admin")
    # then the reply says the swap is back, and it is: the roster as after the swap
    assert f"1 项轮值变更已恢复：「{rotation}」2026-12-10 生效的交换位置" in started, started
    assert _after_swap(chat, swap) == swapped
    # and it is pending again, at its own date: it can be withdrawn
    withdrawn = chat.text(f"/撤销排班变更 {rotation}", as_="admin")
    assert f"「{rotation}」轮值 2026-12-10 生效的变更（交换位置）" in withdrawn, withdrawn
    # and the returner and the other party are told it is back
    for who in (handle, other):
        assert any("已恢复" in n and "交换位置" in n for n in _notices_to(chat, who)), who


def test_a_swap_whose_date_has_passed_is_said_not_restored(chat: ChatDriver) -> None:
    # given the swap and 孙七 set to leave on 12-09
    chat.text(CASES[0][1], as_="admin")
    chat.text("/停用成员 @孙七 2026-12-09", as_="admin")
    # when the departure is called off on 12-11, after the swap's day
    set_local(chat.runtime.clock, date(2026, 12, 11), 9)  # type: ignore[arg-type]
    started = chat.text("/启用成员 @孙七", as_="admin")
    # then the reply says it was not restored and why, and its people hear it
    assert "1 项轮值变更没有恢复" in started and "生效日期 2026-12-10 已经过去" in started, started
    assert any("恢复不了" in n for n in _notices_to(chat, "zhaoliu"))
    assert "没有待生效的变更" in chat.text("/撤销排班变更 产品", as_="admin")


def test_a_swap_a_newer_change_conflicts_with_is_said_not_restored(chat: ChatDriver) -> None:
    # given the swap, 孙七 set to leave on 12-09, then 赵六 removed from 产品 from 12-08
    chat.text(CASES[0][1], as_="admin")
    chat.text("/停用成员 @孙七 2026-12-09", as_="admin")
    assert "移出「产品」轮值" in chat.text("/值班人员移除 @赵六 产品 2026-12-08", as_="admin")
    roster = chat.text("/查看值班表 14", as_="admin")
    # when the departure is called off
    started = chat.text("/启用成员 @孙七", as_="admin")
    # then the swap is not restored, and said so with the reason
    assert "1 项轮值变更没有恢复" in started and "「赵六」不在「产品」轮值里" in started, started
    assert any("恢复不了" in n for n in _notices_to(chat, "zhaoliu"))
    assert "孙七" in chat.text("/查看值班表 14", as_="admin").split("12-10 周四")[1]
    assert roster != chat.text("/查看值班表 14", as_="admin")  # 孙七 is back from 12-09


@pytest.fixture
def client(chat: ChatDriver) -> Iterator[TestClient]:
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        yield client


@pytest.mark.parametrize(("rotation", "swap", "name", "handle"), CASES)
def test_over_rest_the_swap_goes_and_comes_back_the_same(
    chat: ChatDriver,
    client: TestClient,
    rotation: str,
    swap: str,
    name: str,
    handle: str,
) -> None:
    _team, members = demo_team(chat.runtime)
    chat.text(swap, as_="admin")
    swapped = _after_swap(chat, swap)
    url = f"/api/v1/members/{members[handle].id}"
    # when PATCH /members plans the departure on 12-09, then calls it off
    assert client.patch(url, json={"deactivate_at": "2026-12-09"}).status_code == 200
    other = {"孙七": "zhaoliu", "李四": "zhangsan"}[name]
    assert any("已随之撤销" in n for n in _notices_to(chat, other))
    assert client.patch(url, json={"active": True}).status_code == 200
    # then the roster is as after the swap, the swap pending again, its people told
    assert _after_swap(chat, swap) == swapped
    withdrawn = chat.text(f"/撤销排班变更 {rotation}", as_="admin")
    assert "生效的变更（交换位置）" in withdrawn, withdrawn
    assert any("已恢复" in n and "交换位置" in n for n in _notices_to(chat, other))
