"""Nobody appears twice in one turn: a swap that would do it is refused (chat and REST), and the
schedule never lists a member twice even when a later roster edit creates the overlap."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamassist.database import transaction
from teamassist.duty import service
from teamassist.duty.rotation import (
    CompiledRotation,
    RotationSpec,
    SwapSpec,
    VersionSpec,
    _swap_people,
    day_start,
)
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import demo_team, snapshot
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

MONDAY = date(2026, 6, 1)
OPS = ("zhangsan", "lisi", "wangwu")  # two per turn: (张三, 李四), (王五, 张三), (李四, 王五), ...


def _two_per_turn(runtime: Runtime) -> int:
    """A daily rotation 值守 with two people per turn, from today; its id."""
    team, members = demo_team(runtime)
    with transaction(runtime.factory) as session:
        live = team_service.get_team(session, workspace_id=team.workspace_id, team_id=team.id)
        rotation = service.create_rotation(
            session,
            team=live,
            key="ops",
            name="值守",
            members=[session.merge(members[h]) for h in OPS],
            start_date=MONDAY,
            people_per_turn=2,
            now=runtime.clock(),
        )
        return rotation.id


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # one-way cover by someone already on that shift
        ("/值班换班 @zhangsan 2026-06-01 @lisi 值守", "「李四」在 2026-06-01 本来就在这个班上"),
        ("/值班换班 @zhangsan 2026-06-02 @wangwu 值守", "「王五」在 2026-06-02 本来就在这个班上"),
        # a trade where A already holds B's shift
        (
            "/值班换班 @zhangsan 2026-06-01 @wangwu 2026-06-02 值守",
            "「张三」在 2026-06-02 本来就在这个班上",
        ),
    ],
)
def test_chat_refuses_a_swap_that_puts_someone_twice_in_a_turn(
    sqlite_chat: ChatDriver, command: str, expected: str
) -> None:
    _two_per_turn(sqlite_chat.runtime)
    before = snapshot(sqlite_chat.runtime)
    roster = sqlite_chat.text("/查看值班表", as_="admin")
    assert expected in sqlite_chat.text(command, as_="admin")
    assert snapshot(sqlite_chat.runtime) == before
    assert sqlite_chat.text("/查看值班表", as_="admin") == roster


def test_a_valid_trade_between_turn_mates_of_other_days_still_works(
    sqlite_chat: ChatDriver,
) -> None:
    _two_per_turn(sqlite_chat.runtime)
    text = sqlite_chat.text("/值班换班 @lisi 2026-06-01 @wangwu 2026-06-02 值守", as_="admin")
    assert "换班成功" in text


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def test_rest_refuses_a_swap_that_puts_someone_twice_in_a_turn(api: TestClient) -> None:
    runtime: Runtime = api.app.state.runtime  # type: ignore[attr-defined]
    ops = _two_per_turn(runtime)
    _, members = demo_team(runtime)
    before = snapshot(runtime)
    schedule_before = api.get(f"/api/v1/duty/rotations/{ops}/swaps").json()
    response = api.post(
        f"/api/v1/duty/rotations/{ops}/swaps",
        json={
            "member_a_id": members["zhangsan"].id,
            "date_a": "2026-06-01",
            "member_b_id": members["lisi"].id,
            "date_b": None,
        },
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "duty.error.swap_already_on_shift"
    assert "李四" in body["message"] and "本来就在这个班上" in body["message"]
    assert snapshot(runtime) == before
    assert api.get(f"/api/v1/duty/rotations/{ops}/swaps").json() == schedule_before


# -- the pure schedule: never anyone twice ---------------------------------------------------------

TZ = "Asia/Shanghai"
START = day_start(MONDAY, time(3, 0), TZ)


@pytest.mark.parametrize(
    ("people", "swap", "expected"),
    [
        ((1, 2), SwapSpec(1, 1, MONDAY, 2, None, START), (2,)),  # B covers A, B already there
        ((2, 1), SwapSpec(1, 1, MONDAY, 2, None, START), (2,)),
        ((1, 3), SwapSpec(1, 1, MONDAY, 2, None, START), (2, 3)),  # the ordinary cover
        ((3, 1, 2), SwapSpec(1, 1, MONDAY, 2, None, START), (3, 2)),
        ((1, 2), SwapSpec(1, 3, MONDAY, 1, MONDAY + timedelta(1), START), (1, 2)),  # A absent
        ((1, 2), SwapSpec(1, 3, MONDAY - timedelta(1), 1, MONDAY, START), (3, 2)),  # day B
        ((1, 2), SwapSpec(1, 3, MONDAY - timedelta(1), 2, MONDAY, START), (1, 3)),
        ((1, 4), SwapSpec(1, 4, MONDAY - timedelta(1), 1, MONDAY, START), (4,)),  # A already
    ],
)
def test_swap_people_table(
    people: tuple[int, ...], swap: SwapSpec, expected: tuple[int, ...]
) -> None:
    assert _swap_people(swap, MONDAY, people) == expected


@st.composite
def swapped_rotations(draw: st.DrawFn) -> RotationSpec:
    n = draw(st.integers(2, 6))
    members = tuple(range(1, n + 1))
    days = 21
    swaps = []
    for swap_id in range(1, draw(st.integers(1, 8)) + 1):
        a, b = draw(st.sampled_from(members)), draw(st.sampled_from(members))
        day_a = MONDAY + timedelta(days=draw(st.integers(0, days - 1)))
        day_b = draw(st.none() | st.integers(0, days - 1).map(lambda d: MONDAY + timedelta(d)))
        applies = START + timedelta(hours=draw(st.integers(-24, 24 * days)))
        swaps.append(SwapSpec(swap_id, a, day_a, b, day_b, applies))
    version = VersionSpec(
        effective_at=START,
        member_ids=members,
        anchor_date=MONDAY,
        anchor_index=draw(st.integers(0, n - 1)),
        turn_days=draw(st.integers(1, 3)),
        people_per_turn=draw(st.integers(1, 4)),
        calendar=draw(st.sampled_from(["all", "weekdays"])),
    )
    return RotationSpec(id=1, timezone=TZ, versions=(version,), swaps=tuple(swaps))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=swapped_rotations(), hours=st.lists(st.integers(0, 21 * 24), max_size=10))
def test_no_turn_ever_lists_a_member_twice(spec: RotationSpec, hours: list[int]) -> None:
    """Whatever the swaps (even ones the service would refuse), no piece and no instant
    lists someone twice."""
    compiled = CompiledRotation(spec)
    for shift in compiled.shifts(START, START + timedelta(days=21)):
        assert len(set(shift.member_ids)) == len(shift.member_ids), shift
    for h in hours:
        people = compiled.people_at(START + timedelta(hours=h, minutes=7))
        assert len(set(people)) == len(people)


def test_the_reported_case_no_longer_doubles() -> None:
    spec = RotationSpec(
        id=1,
        timezone=TZ,
        versions=(VersionSpec(START, (1, 2, 3), MONDAY, people_per_turn=2),),
        swaps=(SwapSpec(1, 1, MONDAY, 2, None, START),),
    )
    noon = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    assert CompiledRotation(spec).people_at(noon) == (2,)
    [shift] = CompiledRotation(spec).shifts(START, START + timedelta(days=1))
    assert shift.member_ids == (2,)
