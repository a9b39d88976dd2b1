"""Moving one 1on1 occurrence (the service every boundary calls, :mod:`.changes`): onto a day
off it is moved with a warning, as the meetings' /改期 does; onto the pair's other occurrence
it is refused and nothing changes, also when two are moved onto one time at once. The demo
pair 李华 ↔ 张三 meets on 每月第1个周四 10:00; the clock is Monday 2026-06-01 09:00 Beijing,
so June's is Thursday 06-04 and July's 07-02."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from teamassist.clock import ensure_utc
from teamassist.exceptions import Conflict
from teamassist.one_on_ones import changes, service
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.okr.support import at, demo
from tests.one_on_ones.support import make_director, meetings, pair_id, race_move


def _planned(runtime: Runtime) -> dict[str, int]:
    """The pair's occurrences by key, planned as any boundary plans them."""
    pair = pair_id(runtime)
    with demo(runtime) as given:
        found = given.session.get(OneOnOne, pair)
        assert found is not None
        service.replan(
            given.session,
            team=given.team,
            pair=found,
            now=runtime.clock(),
            workdays=runtime.ports.get(Workdays),
        )
    return {m.key: m.id for m in meetings(runtime, pair)}


def _move(runtime: Runtime, meeting_id: int, start: datetime, by: str = "zhangsan") -> list[str]:
    pair_no = pair_id(runtime)
    with demo(runtime) as given:
        pair = given.session.get(OneOnOne, pair_no)
        assert pair is not None
        meeting = service.get_meeting(given.session, pair=pair, meeting_id=meeting_id, lock=True)
        return changes.reschedule(
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


def _start(runtime: Runtime, meeting_id: int) -> datetime:
    with runtime.factory() as session:
        found = session.get(OneOnOneMeeting, meeting_id)
        assert found is not None
        return ensure_utc(found.start_at)


@pytest.fixture
def planned(runtime: Runtime) -> dict[str, int]:
    load_demo(runtime)
    make_director(runtime)
    found = _planned(runtime)
    assert _start(runtime, found["2026-06"]) == at("2026-06-04 10:00")
    assert _start(runtime, found["2026-07"]) == at("2026-07-02 10:00")
    return found


@pytest.mark.parametrize(
    ("when", "what"),
    [
        ("2026-06-13 10:00", "周末"),  # a Saturday that is no 调休 working day
        ("2026-06-19 10:00", "法定节假日"),  # Friday, 端午节
    ],
)
def test_a_move_onto_a_day_off_is_made_with_a_warning(
    runtime: Runtime, planned: dict[str, int], when: str, what: str
) -> None:
    june = planned["2026-06"]
    # When 张三 moves June's 1on1 onto a day off
    warnings = _move(runtime, june, at(when))
    # Then it is moved, and the reply warns once, naming the day and why
    assert _start(runtime, june) == at(when)
    day = at(when)
    assert len(warnings) == 1, warnings
    assert f"{day.month}月{day.day}日" in warnings[0] and what in warnings[0]
    assert "不是工作日" in warnings[0]


def test_a_move_onto_a_working_weekend_day_warns_nothing(
    runtime: Runtime, planned: dict[str, int]
) -> None:
    # Sunday 2026-09-20 is the 国庆 调休 working day (past August's: that alone is said)
    warned = _move(runtime, planned["2026-07"], at("2026-09-20 15:00"))
    assert len(warned) == 1 and "不是工作日" not in warned[0] and "之后" in warned[0], warned
    # and so is an ordinary Wednesday
    assert _move(runtime, planned["2026-06"], at("2026-06-10 15:00")) == []


@pytest.mark.parametrize("when", ["2026-07-02 10:00", "2026-07-02 10:30", "2026-07-02 09:20"])
def test_a_move_onto_the_pairs_other_occurrence_is_refused(
    runtime: Runtime, planned: dict[str, int], when: str
) -> None:
    june, july = planned["2026-06"], planned["2026-07"]
    # When June's is moved onto (or into) July's 10:00–10:45
    with pytest.raises(Conflict) as refused:
        _move(runtime, june, at(when))
    # Then it is refused, naming the occurrence in the way, and nothing changed
    assert refused.value.key == "one_on_ones.error.double_booked"
    assert refused.value.params["id"] == july
    assert (refused.value.params["month"], refused.value.params["day"]) == (7, 2)
    assert _start(runtime, june) == at("2026-06-04 10:00")


def test_a_move_next_to_the_other_occurrence_or_onto_a_cancelled_one_is_made(
    runtime: Runtime, planned: dict[str, int]
) -> None:
    june, july = planned["2026-06"], planned["2026-07"]
    # right after July's 45 minutes is free (past it, and the week's second talk: that is said)
    warned = _move(runtime, june, at("2026-07-02 10:45"))
    assert len(warned) == 2 and not any("不是工作日" in w for w in warned), warned
    assert "之后" in warned[0] and "这一周会谈两次" in warned[1], warned
    # and once July's is cancelled, its time is free too
    pair_no = pair_id(runtime)
    with demo(runtime) as given:
        pair = given.session.get(OneOnOne, pair_no)
        assert pair is not None
        meeting = service.get_meeting(given.session, pair=pair, meeting_id=july, lock=True)
        service.cancel(
            given.session,
            pair=pair,
            meeting=meeting,
            by=given.member("lihua"),
            admin=False,
            now=runtime.clock(),
        )
    assert _move(runtime, june, at("2026-07-02 10:00")) == []
    assert _start(runtime, june) == at("2026-07-02 10:00")


def test_two_occurrences_moved_onto_one_time_at_once_are_not_both_moved(
    runtime: Runtime, planned: dict[str, int]
) -> None:
    # When June's and July's are moved onto Monday 07-20 10:00 at the same instant
    target = at("2026-07-20 10:00")
    ready = threading.Barrier(2, timeout=60)
    out: list[str] = []
    moves = [
        threading.Thread(
            target=race_move, args=(runtime, pair_id(runtime), planned[key], target, ready, out)
        )
        for key in ("2026-06", "2026-07")
    ]
    for move in moves:
        move.start()
    for move in moves:
        move.join(timeout=120)
    # Then one is moved and the other refused as a double booking
    assert sorted(out) == ["moved", "one_on_ones.error.double_booked"], out
    starts = [_start(runtime, planned[key]) for key in ("2026-06", "2026-07")]
    assert starts.count(target) == 1
