"""Undoing a pending roster change never silently drops a shift swap made after it.

A tester (session 17): a shift swap made on the roster a pending change planned (the person it
added trading their first day) simply stopped applying when the change was withdrawn
(``/撤销排班变更``), with nobody told. Now a swap whose people still hold the traded shifts
without the change stands; one that cannot is cancelled from now, the reply lists it and its
people are told, as a roster change that breaks a swap does. Demo: 技术 张三→李四→王五 daily,
today Thursday 2026-12-03 in China; adding 李华 from 12-08 gives 12-08 王五, 12-09 李华,
12-10 张三; without it 12-09 is 张三's and 12-10 李四's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.duty import service
from teamassist.team.models import Member
from teamassist.team.service import INBOX_PREFIX
from teamassist.web.app import create_app
from tests.duty.helpers import at_local, demo_team
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(at_local(date(2026, 12, 3), 9))


def _day(chat: ChatDriver, label: str) -> str:
    roster = chat.text("/查看值班表 14", as_="admin")
    [block] = [b for b in roster.split("\n\n") if b.startswith(label)]
    return block.split("「产品」")[0].rstrip("\u3000")


def _told(chat: ChatDriver) -> set[str]:
    """The handles of the members a cancelled-swap notice was queued for."""
    _team, members = demo_team(chat.runtime)
    by_address: dict[str, str] = {}
    with chat.runtime.factory() as session:
        for handle, member in members.items():
            row = session.get(Member, member.id)
            assert row is not None
            by_address |= {i.user_key: handle for i in row.identities}
            by_address[f"{INBOX_PREFIX}{member.id}"] = handle
    return {
        by_address.get(m.address, m.address)
        for m in chat.queued()
        if "这项换班已一并取消" in str(m.payload)
    }


def _given_a_swap_on_the_added_day(chat: ChatDriver) -> None:
    assert "2026-12-08 生效" in chat.text("/值班人员增加 @李华 技术 2026-12-08", as_="admin")
    swapped = chat.text("/值班换班 @李华 2026-12-09 @张三 2026-12-10", as_="admin")
    assert swapped.startswith("换班成功"), swapped
    assert "@张三" in _day(chat, "12-09 周三") and "@李华" in _day(chat, "12-10 周四")


def test_a_swap_the_undo_breaks_is_cancelled_listed_and_its_people_told(
    chat: ChatDriver,
) -> None:
    _given_a_swap_on_the_added_day(chat)
    # when the addition is withdrawn
    reply = chat.text("/撤销排班变更 2026-12-08 技术", as_="admin")
    # then the reply lists the swap as cancelled with it
    assert reply.startswith("已撤销「技术」轮值 2026-12-08 生效的变更（增加人员）"), reply
    assert "换班已一并取消" in reply and "@李华 2026-12-09 ↔ @张三 2026-12-10" in reply, reply
    # and the roster is the one without the addition, no half-applied swap
    assert "「技术」@张三" in _day(chat, "12-09 周三") and "换班" not in _day(chat, "12-09 周三")
    assert "「技术」@李四" in _day(chat, "12-10 周四")
    # and both people of the swap are told
    assert _told(chat) >= {"lihua", "zhangsan"}, _told(chat)


def test_a_swap_that_still_holds_without_the_change_stands(chat: ChatDriver) -> None:
    # given the addition and a swap of shifts the addition does not touch (12-07, 12-08)
    chat.text("/值班人员增加 @李华 技术 2026-12-08", as_="admin")
    assert "换班成功" in chat.text("/值班换班 @王五 2026-12-08 @李四 2026-12-07", as_="admin")
    # when the addition is withdrawn
    reply = chat.text("/撤销排班变更 2026-12-08 技术", as_="admin")
    # then the swap stands and nothing is said of it
    assert "换班" not in reply, reply
    assert _day(chat, "12-08 周二").endswith("「技术」@李四（换班）"), _day(chat, "12-08 周二")
    assert _day(chat, "12-07 周一").endswith("「技术」@王五（换班）"), _day(chat, "12-07 周一")
    assert _told(chat) == set()


@pytest.fixture
def client(chat: ChatDriver) -> Iterator[TestClient]:
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        yield client


def test_over_rest_the_same_swap_is_cancelled_and_told(
    chat: ChatDriver, client: TestClient
) -> None:
    _given_a_swap_on_the_added_day(chat)
    team, _ = demo_team(chat.runtime)
    with chat.runtime.factory() as session:
        rotation = service.get_rotation(session, team=team, name="tech")
        [pending] = service.pending_versions(session, rotation=rotation, after=chat.runtime.clock())
        url = f"/api/v1/duty/rotations/{rotation.id}/versions/{pending.id}"
    assert client.delete(url).status_code == 200
    assert "换班" not in _day(chat, "12-09 周三") and "「技术」@李四" in _day(chat, "12-10 周四")
    assert _told(chat) >= {"lihua", "zhangsan"}, _told(chat)
