"""The duty services other desks rely on: on_duty_members / is_on_duty, preview_change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from teamassist.database import transaction
from teamassist.duty import overrides, planning, service, signin
from teamassist.exceptions import Conflict
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from tests.conftest import load_demo
from tests.duty.helpers import at_local

MONDAY = date(2026, 6, 1)


@pytest.fixture
def world(sqlite_runtime: Runtime) -> Iterator[tuple[Session, Team, dict[str, Member]]]:
    """The demo team in an open session (rolled back at the end)."""
    load_demo(sqlite_runtime)
    session = sqlite_runtime.factory()
    workspace = team_service.get_workspace_by_key(session, key="demo")
    assert workspace is not None
    team = team_service.default_team(session, workspace_id=workspace.id)
    members = {m.handle: m for m in team_service.get_members(session, workspace_id=workspace.id)}
    try:
        yield session, team, members
    finally:
        session.rollback()
        session.close()


def handles(members: list[Member]) -> list[str]:
    return [m.handle for m in members]


def test_on_duty_members_by_rotation_kind(world: tuple[Session, Team, dict[str, Member]]) -> None:
    session, team, members = world
    at = at_local(MONDAY, 12)
    assert handles(service.on_duty_members(session, team=team, at=at)) == ["zhangsan", "zhaoliu"]
    assert handles(service.on_duty_members(session, team=team, at=at, rotation_kind="tech")) == [
        "zhangsan"
    ]
    assert handles(service.on_duty_members(session, team=team, at=at, rotation_kind="product")) == [
        "zhaoliu"
    ]
    assert service.is_on_duty(session, team, members["zhaoliu"], at)
    assert not service.is_on_duty(session, team, members["lisi"], at)
    assert service.is_on_duty(session, team, members["lisi"], at_local(MONDAY + timedelta(1), 12))


def test_primary_first_with_two_people_per_turn(
    world: tuple[Session, Team, dict[str, Member]],
) -> None:
    session, team, members = world
    service.create_rotation(
        session,
        team=team,
        key="ops",
        name="运维",
        members=[members["wangwu"], members["admin"], members["lihua"]],
        start_date=MONDAY + timedelta(days=1),
        now=at_local(MONDAY, 9),
        people_per_turn=2,
    )
    at = at_local(MONDAY + timedelta(days=1), 12)
    ops = service.on_duty_members(session, team=team, at=at, rotation_kind="ops")
    assert handles(ops) == ["wangwu", "admin"]
    # across rotations a person appears once, in rotation order
    everyone = handles(service.on_duty_members(session, team=team, at=at))
    assert everyone == ["lisi", "sunqi", "wangwu", "admin"]


def test_preview_change_lists_exactly_the_people_whose_shifts_move(
    world: tuple[Session, Team, dict[str, Member]],
) -> None:
    session, team, members = world
    rotation = service.get_rotation(session, team=team, name="技术")
    now = at_local(MONDAY, 9)
    swap = planning.RosterChange("swap", (members["lisi"].id, members["wangwu"].id))
    preview = service.preview_change(session, team=team, rotation=rotation, change=swap, now=now)
    assert sorted(preview.moved_member_ids) == sorted([members["lisi"].id, members["wangwu"].id])
    assert preview.effective_at == now
    assert preview.before[0].duty_date == MONDAY and len(preview.after) == 29
    # nothing was written
    assert len(service.versions(session, rotation=rotation)) == 1
    # a date in the future: the 4 weeks start at that day's hand-off
    later = planning.RosterChange("add", (members["sunqi"].id,), MONDAY + timedelta(days=7))
    preview = service.preview_change(session, team=team, rotation=rotation, change=later, now=now)
    assert preview.effective_at == at_local(MONDAY + timedelta(days=7), 3)


def test_cancelling_an_override_keeps_the_part_already_served(
    world: tuple[Session, Team, dict[str, Member]],
) -> None:
    session, team, members = world
    rotation = service.get_rotation(session, team=team)
    row = overrides.add_override(
        session,
        team=team,
        rotation=rotation,
        start=at_local(MONDAY, 10),
        end=at_local(MONDAY, 20),
        member=members["admin"],
        now=at_local(MONDAY, 9),
    )
    overrides.cancel_override(
        session, rotation=rotation, override_id=row.id, now=at_local(MONDAY, 14)
    )
    who = service.on_duty_members
    assert handles(who(session, team=team, at=at_local(MONDAY, 12), rotation_kind="tech")) == [
        "admin"
    ]
    assert handles(who(session, team=team, at=at_local(MONDAY, 15), rotation_kind="tech")) == [
        "zhangsan"
    ]


def test_sign_in_through_an_override(world: tuple[Session, Team, dict[str, Member]]) -> None:
    session, team, members = world
    rotation = service.get_rotation(session, team=team)
    overrides.add_override(
        session,
        team=team,
        rotation=rotation,
        start=at_local(MONDAY, 9),
        end=at_local(MONDAY + timedelta(days=1), 3),
        member=members["admin"],
        now=at_local(MONDAY, 9),
    )
    [row] = signin.sign_in(session, team=team, member=members["admin"], now=at_local(MONDAY, 10))
    assert row.duty_date == MONDAY


def test_overlapping_override_refused_even_when_touching_is_fine(
    world: tuple[Session, Team, dict[str, Member]],
) -> None:
    session, team, members = world
    rotation = service.get_rotation(session, team=team)
    now = at_local(MONDAY, 9)

    def add(start: int, end: int, member: Member | None) -> None:
        overrides.add_override(
            session,
            team=team,
            rotation=rotation,
            start=at_local(MONDAY, start),
            end=at_local(MONDAY, end),
            member=member,
            now=now,
        )

    add(10, 12, None)
    add(12, 14, members["lisi"])
    with pytest.raises(Conflict):
        add(13, 15, None)


def test_demo_loads_both_seed_rotations(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        found = service.rotations(session, team=team)
        assert [(r.key, r.name, r.kind) for r in found] == [
            ("tech", "技术", "tech"),
            ("product", "产品", "product"),
        ]
