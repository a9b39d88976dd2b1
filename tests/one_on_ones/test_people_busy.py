"""One person, one 1on1 at a time: moving (or scheduling) a pair's occurrence onto a time where
its manager or its report already has another pair's 1on1 is refused, from chat, REST and the
service, and changes nothing; two such moves at once give one move and one refusal on every
backend. The demo: 李华 meets 张三 on 每月第1个周四 10:00 (June's Thursday 06-04) and 李四
every other Wednesday at 15:00; the clock is Monday 2026-06-01 09:00 Beijing."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import ensure_utc
from teamassist.exceptions import Conflict
from teamassist.one_on_ones import changes, service
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import at, demo
from tests.one_on_ones.support import make_director, meetings, pair_id, race_move
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


def _plan(runtime: Runtime, pair_no: int) -> dict[str, int]:
    with demo(runtime) as given:
        pair = given.session.get(OneOnOne, pair_no)
        assert pair is not None
        service.replan(
            given.session,
            team=given.team,
            pair=pair,
            now=runtime.clock(),
            workdays=runtime.ports.get(Workdays),
        )
    return {m.key: m.id for m in meetings(runtime, pair_no) if m.status == "scheduled"}


def _start(runtime: Runtime, meeting_id: int) -> datetime:
    with runtime.factory() as session:
        found = session.get(OneOnOneMeeting, meeting_id)
        assert found is not None
        return ensure_utc(found.start_at)


def _move(runtime: Runtime, pair_no: int, meeting_id: int, start: datetime, by: str) -> None:
    with demo(runtime) as given:
        pair = given.session.get(OneOnOne, pair_no)
        assert pair is not None
        meeting = service.get_meeting(given.session, pair=pair, meeting_id=meeting_id, lock=True)
        changes.reschedule(
            given.session,
            team=given.team,
            pair=pair,
            meeting=meeting,
            start_at=start,
            by=given.member(by),
            admin=False,
            now=runtime.clock(),
            workdays=runtime.ports.get(Workdays),
        )


@pytest.fixture
def pairs(runtime: Runtime) -> dict[str, int]:
    """The demo's two pairs of 李华 plus 王五 ↔ 张三 (张三 has two managers' 1on1s), planned:
    ``zhangsan``/``lisi``/``wangwu`` → the pair's June (first) occurrence id."""
    load_demo(runtime)
    make_director(runtime)
    with demo(runtime) as given:
        third = service.add_pair(
            given.session,
            team=given.team,
            manager=given.member("wangwu"),
            report=given.member("zhangsan"),
        )
        third.cadence, third.nth, third.weekday, third.at = "monthly", 2, 2, "16:00"
    found: dict[str, int] = {}
    for name, manager, report in (
        ("zhangsan", "lihua", "zhangsan"),
        ("lisi", "lihua", "lisi"),
        ("wangwu", "wangwu", "zhangsan"),
    ):
        planned = _plan(runtime, pair_id(runtime, manager, report))
        found[name] = planned[min(planned)]
    assert _start(runtime, found["zhangsan"]) == at("2026-06-04 10:00")
    assert _start(runtime, found["wangwu"]) == at("2026-06-09 16:00")
    return found


@pytest.mark.parametrize("when", ["2026-06-04 10:00", "2026-06-04 10:30", "2026-06-04 09:20"])
def test_a_move_onto_the_managers_other_1on1_is_refused(
    runtime: Runtime, pairs: dict[str, int], when: str
) -> None:
    lisi = pairs["lisi"]
    before = _start(runtime, lisi)
    # When 李四's occurrence is moved onto (or into) 李华's 1on1 with 张三, 06-04 10:00–10:45
    with pytest.raises(Conflict) as refused:
        _move(runtime, pair_id(runtime, "lihua", "lisi"), lisi, at(when), by="lisi")
    # Then it is refused, naming the busy person and the time, and nothing changed
    assert refused.value.key == "one_on_ones.error.person_busy"
    assert refused.value.params == {"name": "李华", "start": "6月4日（周四）10:00"}
    assert _start(runtime, lisi) == before


def test_a_move_onto_the_reports_other_1on1_is_refused(
    runtime: Runtime, pairs: dict[str, int]
) -> None:
    # When 王五 moves his 1on1 with 张三 onto 张三's 1on1 with 李华
    with pytest.raises(Conflict) as refused:
        _move(
            runtime,
            pair_id(runtime, "wangwu", "zhangsan"),
            pairs["wangwu"],
            at("2026-06-04 10:15"),
            by="wangwu",
        )
    # Then the report is the one named busy
    assert refused.value.key == "one_on_ones.error.person_busy"
    assert refused.value.params["name"] == "张三"
    assert _start(runtime, pairs["wangwu"]) == at("2026-06-09 16:00")
    # and right after 李华's 45 minutes 张三 is free
    _move(
        runtime,
        pair_id(runtime, "wangwu", "zhangsan"),
        pairs["wangwu"],
        at("2026-06-04 10:45"),
        by="wangwu",
    )
    assert _start(runtime, pairs["wangwu"]) == at("2026-06-04 10:45")


def test_chat_and_rest_refuse_it_kindly(chat: ChatDriver) -> None:
    runtime = chat.runtime
    make_director(runtime)
    chat.text("/一对一 @张三", as_="lihua")  # plans both pairs
    chat.text("/一对一 @李四", as_="lihua")
    lisi_pair = pair_id(runtime, "lihua", "lisi")
    lisi = min(_plan(runtime, lisi_pair).items())[1]
    before = _start(runtime, lisi)
    # When 李四 moves his 1on1 onto 李华's with 张三 from chat
    reply = chat.text(f"/改期一对一 {lisi} 2026-06-04 10:00", as_="lisi")
    # Then the reply names the real reason and nothing changed
    assert reply == "李华 在 6月4日（周四）10:00 已经有另一场 1on1，不能改到同一时间；请换个时间。"
    assert _start(runtime, lisi) == before
    # and REST answers 409 with the same reason
    give_account(runtime, "lisi")
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client, "lisi", "pw-lisi")
        answer = client.post(
            f"/api/v1/one-on-ones/{lisi_pair}/meetings/{lisi}/move",
            json={"start": "2026-06-04T10:30:00+08:00"},
        )
    assert answer.status_code == 409, answer.text
    assert "李华 在 6月4日（周四）10:00 已经有另一场 1on1" in answer.text
    assert _start(runtime, lisi) == before


def test_a_slot_onto_the_managers_other_1on1_is_refused(chat: ChatDriver) -> None:
    runtime = chat.runtime
    make_director(runtime)
    chat.text("/一对一 @张三", as_="lihua")
    # When 李华 sets 李四's slot onto 张三's (每月第1个周四 10:00)
    reply = chat.text("/一对一 @李四 每月第1个周四 10:00", as_="lihua")
    # Then it is refused, naming the first clash, and 李四's slot is still every other Wednesday
    assert reply == (
        "按这个时段，6月4日（周四）10:00 那一次会和 李华 的另一场 1on1 撞在一起，没有设定；"
        "请换个时段。"
    )
    with runtime.factory() as session:
        pair = session.get(OneOnOne, pair_id(runtime, "lihua", "lisi"))
        assert pair is not None
        assert (pair.cadence, pair.weekday, pair.at) == ("biweekly", 3, "15:00")
    # and a slot an hour later is set
    assert "已设定" in chat.text("/一对一 @李四 每月第1个周四 11:00", as_="lihua")


def test_two_pairs_moved_onto_the_managers_one_time_at_once_are_not_both_moved(
    runtime: Runtime, pairs: dict[str, int]
) -> None:
    # When 张三's and 李四's 1on1s with 李华 are moved onto Monday 07-20 10:00 at one instant
    target = at("2026-07-20 10:00")
    ready = threading.Barrier(2, timeout=60)
    out: list[str] = []
    moves = [
        threading.Thread(
            target=race_move,
            args=(runtime, pair_id(runtime, "lihua", name), pairs[name], target, ready, out),
        )
        for name in ("zhangsan", "lisi")
    ]
    for move in moves:
        move.start()
    for move in moves:
        move.join(timeout=120)
    # Then one is moved and the other refused: 李华 is busy then
    assert sorted(out) == ["moved", "one_on_ones.error.person_busy"], out
    starts = [_start(runtime, pairs[name]) for name in ("zhangsan", "lisi")]
    assert starts.count(target) == 1
