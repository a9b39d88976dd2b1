"""/发布OKR at once publishes once (tester B-15, session 26): on PostgreSQL 20 at once answered
「已发布」 8 times, each having read the O as a draft. Each request runs in its own thread and
transaction (``tests.support.races``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.okr import cycles
from teamassist.okr import objectives as okr
from teamassist.okr.models import Objective, ObjectiveState
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from tests.conftest import load_demo
from tests.okr.support import Kr, at, objective_with_krs
from tests.support.races import side_by_side

NOW = at("2026-11-16 09:00")  # inside 2026Q4


def test_publishing_one_draft_at_once_publishes_it_once(runtime: Runtime) -> None:
    load_demo(runtime)
    built = objective_with_krs(
        runtime,
        krs=(Kr("线上缺陷数", 50, 10, weight=50), Kr("回归用例数", 50, 300, weight=50)),
    )
    team_id, objective_id = built.team_id, built.objective_id

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
