"""/发布OKR at once publishes once (tester B-15, session 26): on PostgreSQL 20 at once answered
「已发布」 8 times, each having read the O as a draft. Each request runs in its own thread and
transaction (``tests.support.races``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.okr import cycles
from teamassist.okr import objectives as okr
from teamassist.okr.models import Objective, ObjectiveState
from teamassist.okr.objectives import KrInput
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from tests.conftest import load_demo
from tests.okr.support import at, second_team, team_session
from tests.support.races import side_by_side

NOW = at("2026-11-16 09:00")  # inside 2026Q4


def test_publishing_one_draft_at_once_publishes_it_once(runtime: Runtime) -> None:
    load_demo(runtime)
    team_id = second_team(runtime)
    with team_session(runtime, team_id) as given:
        q4 = cycles.by_key(given.session, team=given.team, key="2026Q4")
        objective = okr.create_objective(
            given.session,
            team=given.team,
            cycle=q4,
            owner=given.member("zhangsan"),
            title="提升交付质量",
            now=NOW,
        )
        for title, target in (("线上缺陷数", 10.0), ("回归用例数", 300.0)):
            okr.add_key_result(
                given.session,
                team=given.team,
                objective=objective,
                data=KrInput(title, start=50, target=target, unit="个", weight=50),
                now=NOW,
            )
        objective_id = objective.id

    def publish(session: Session) -> str:
        team = session.get(Team, team_id)
        chosen = session.get(Objective, objective_id)
        assert team is not None and chosen is not None
        cycle = cycles.get(session, team=team, cycle_id=chosen.cycle_id)
        done = okr.publish(session, team=team, cycle=cycle, chosen=[chosen], now=NOW)
        return f"published {[o.number for o in done]}"

    outcome = side_by_side(runtime, [publish] * 5)

    assert outcome == ["okr.error.nothing_to_publish"] * 4 + ["published [1]"], outcome
    with runtime.factory() as session:
        row = session.get(Objective, objective_id)
        assert row is not None and row.state == ObjectiveState.PUBLISHED.value
