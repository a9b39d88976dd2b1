"""Helpers for OKR tests: the demo team in a session, a clock at a local time, members."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.okr import cycles
from teamassist.okr import objectives as okr
from teamassist.okr.objectives import KrInput
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """A Beijing wall-clock time ``2026-11-16 09:00`` as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def set_clock(runtime: Runtime, text: str) -> datetime:
    """Move the runtime's frozen clock to a Beijing time; returns it."""
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    clock.set(at(text))
    return clock.now


@dataclass
class Demo:
    """The demo team and a way to name its people inside one session."""

    session: Session
    team: Team

    def member(self, handle: str) -> Member:
        found = team_service.get_member_by_handle(
            self.session, workspace_id=self.team.workspace_id, handle=handle
        )
        assert found is not None, handle
        return found


@contextmanager
def demo(runtime: Runtime) -> Iterator[Demo]:
    """A transaction on the demo workspace's team (committed at the end)."""
    with transaction(runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        yield Demo(session, team_service.default_team(session, workspace_id=workspace.id))


def second_team(runtime: Runtime, key: str = "platform") -> int:
    """A second team of the demo workspace (admin is its admin, zhangsan and lisi members);
    returns its id. OKR service tests run there, apart from the demo OKRs."""
    from teamassist.enums import Role

    with demo(runtime) as given:
        team = team_service.create_team(
            given.session,
            workspace=given.team.workspace,
            key=key,
            # team names are the workspace's once (ff0f601): a test making several names each
            name="平台组" if key == "platform" else f"平台组-{key}",
            timezone="Asia/Shanghai",
        )
        for handle, role in (
            ("admin", Role.ADMIN),
            ("zhangsan", Role.MEMBER),
            ("lisi", Role.MEMBER),
        ):
            team_service.set_role(given.session, team=team, member=given.member(handle), role=role)
        return team.id


@contextmanager
def team_session(runtime: Runtime, team_id: int) -> Iterator[Demo]:
    """A transaction on the team ``team_id``."""
    with transaction(runtime.factory) as session:
        team = session.get(Team, team_id)
        assert team is not None
        yield Demo(session, team)


@dataclass(frozen=True)
class Kr:
    """A KR to build: its title, start, target (个) and weight."""

    title: str
    start: float = 0
    target: float = 5
    weight: int = 0


@dataclass(frozen=True)
class Built:
    """What :func:`objective_with_krs` made: ids to read again in each racing transaction."""

    team_id: int
    objective_id: int
    kr_ids: list[int]


# when the OKR race tests build and race: a Monday inside 2026Q4
RACE_NOW = at("2026-11-16 09:00")


def objective_with_krs(
    runtime: Runtime,
    *,
    title: str = "提升交付质量",
    owner: str = "zhangsan",
    krs: tuple[Kr, ...] = (),
    team_id: int | None = None,
) -> Built:
    """A draft O of ``owner`` in 2026Q4 with ``krs``, built through the services at
    :data:`RACE_NOW` in a team apart from the demo's OKRs (:func:`second_team` unless
    ``team_id`` names one): what the OKR race tests start from, made one way (session 26's
    D3/D4: four files built it by hand). The demo must be loaded."""
    team_id = team_id if team_id is not None else second_team(runtime)
    with team_session(runtime, team_id) as given:
        cycle = cycles.by_key(given.session, team=given.team, key="2026Q4")
        objective = okr.create_objective(
            given.session,
            team=given.team,
            cycle=cycle,
            owner=given.member(owner),
            title=title,
            now=RACE_NOW,
        )
        kr_ids = [
            okr.add_key_result(
                given.session,
                team=given.team,
                objective=objective,
                data=KrInput(
                    kr.title, start=kr.start, target=kr.target, unit="个", weight=kr.weight
                ),
                now=RACE_NOW,
            ).id
            for kr in krs
        ]
        return Built(team_id, objective.id, kr_ids)
