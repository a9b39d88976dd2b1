"""O and KR numbers allocated at once (tester B-7, session 27): 20 different objectives
created through REST at once answered 5 × 500 on PostgreSQL and MariaDB, each having read the
same highest ``O-n`` (a unique-key clash the retries ran out on). Each creation runs in its own
thread and transaction, once (``attempts=1``: no retry hides a clash)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.okr import cycles
from teamassist.okr import objectives as okr
from teamassist.okr.models import KeyResult, Objective
from teamassist.okr.objectives import KrInput
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from tests.conftest import load_demo
from tests.okr.support import at, second_team, team_session
from tests.support.races import side_by_side

NOW = at("2026-11-16 09:00")  # inside 2026Q4
PEOPLE = ("zhangsan", "lisi", "admin")


def _member(session: Session, team: Team, handle: str) -> Member:
    found = team_service.get_member_by_handle(
        session, workspace_id=team.workspace_id, handle=handle
    )
    assert found is not None
    return found


def test_objectives_created_at_once_each_get_their_own_number(runtime: Runtime) -> None:
    load_demo(runtime)
    team_id = second_team(runtime)
    with team_session(runtime, team_id) as given:
        cycles.by_key(given.session, team=given.team, key="2026Q4")  # the year's cycles made

    def create(n: int) -> Callable[[Session], str | None]:
        def work(session: Session) -> str | None:
            team = session.get(Team, team_id)
            assert team is not None
            q4 = cycles.by_key(session, team=team, key="2026Q4")
            owner = _member(session, team, PEOPLE[n % len(PEOPLE)])
            okr.create_objective(
                session,
                team=team,
                cycle=q4,
                owner=owner,
                title=f"并发目标{n}",
                now=NOW,
            )
            return None

        return work

    outcome = side_by_side(runtime, [create(n) for n in range(8)], attempts=1)

    assert outcome == ["ok"] * 8, outcome
    with runtime.factory() as session:
        numbers = session.scalars(select(Objective.number).where(Objective.team_id == team_id))
        assert sorted(numbers) == list(range(1, 9))


def test_krs_added_at_once_to_several_objectives_each_get_their_own_number(
    runtime: Runtime,
) -> None:
    load_demo(runtime)
    team_id = second_team(runtime)
    with team_session(runtime, team_id) as given:
        q4 = cycles.by_key(given.session, team=given.team, key="2026Q4")
        objective_ids = [
            okr.create_objective(
                given.session,
                team=given.team,
                cycle=q4,
                owner=given.member(handle),
                title=f"{handle}的目标",
                now=NOW,
            ).id
            for handle in PEOPLE
        ]

    def add(n: int) -> Callable[[Session], str | None]:
        def work(session: Session) -> str | None:
            team = session.get(Team, team_id)
            objective = session.get(Objective, objective_ids[n % len(objective_ids)])
            assert team is not None and objective is not None
            data = KrInput(f"并发KR{n}", start=0, target=n + 1, unit="个")
            okr.add_key_result(session, team=team, objective=objective, data=data, now=NOW)
            return None

        return work

    outcome = side_by_side(runtime, [add(n) for n in range(8)], attempts=1)

    assert outcome == ["ok"] * 8, outcome
    with runtime.factory() as session:
        numbers = session.scalars(select(KeyResult.number).where(KeyResult.team_id == team_id))
        assert sorted(numbers) == list(range(1, 9))
