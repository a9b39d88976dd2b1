"""The plain-row roll-up (``rows`` + ``rollup.summary_of_cycle``, what the team page and the
benchmark use) equals the ORM roll-up (``objectives.key_results`` + ``rollup.compute``) on
varied cycles: every KR kind, values of either sign, missing values and confidences, weights
that do not total 100, Os with no KR, progress modes."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamassist.okr import cycles, rollup
from teamassist.okr import objectives as okr
from teamassist.okr.models import KeyResult, Objective, ProgressMode
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from teamassist.workdays import ChinaWorkdays
from tests.conftest import load_demo
from tests.okr.support import second_team, team_session

VALUES = st.one_of(st.none(), st.integers(-500, 500).map(float), st.floats(-1e3, 1e3))
KR = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(
            ["increase", "decrease", "stay_above", "stay_below", "binary", "milestone"]
        ),
        "start": VALUES,
        "target": VALUES,
        "current": VALUES,
        "weight": st.integers(0, 100),
        "confidence": st.one_of(st.none(), st.integers(0, 10)),
    }
)
OBJECTIVE = st.fixed_dictionaries(
    {
        "mode": st.sampled_from([m.value for m in ProgressMode]),
        "krs": st.lists(KR, max_size=5),
    }
)
TODAY = st.dates(min_value=date(2026, 9, 20), max_value=date(2027, 1, 20))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.lists(OBJECTIVE, min_size=1, max_size=6), today=TODAY)
def test_the_row_roll_up_equals_the_orm_roll_up(
    sqlite_runtime: Runtime, plan: list[dict[str, Any]], today: date
) -> None:
    if not hasattr(sqlite_runtime, "_okr_demo"):
        load_demo(sqlite_runtime)
        sqlite_runtime._okr_demo = 0  # type: ignore[attr-defined]
    sqlite_runtime._okr_demo += 1  # type: ignore[attr-defined]
    team_id = second_team(sqlite_runtime, key=f"t{sqlite_runtime._okr_demo}")  # type: ignore[attr-defined]
    workdays: Workdays = ChinaWorkdays()
    with team_session(sqlite_runtime, team_id) as given_team:
        session, team = given_team.session, given_team.team
        cycle = cycles.by_key(session, team=team, key="2026Q4")
        for number, o in enumerate(plan, start=1):
            objective = Objective(
                workspace_id=team.workspace_id,
                team_id=team.id,
                cycle_id=cycle.id,
                number=number,
                title=f"O{number}",
                progress_mode=o["mode"],
            )
            session.add(objective)
            session.flush()
            for position, k in enumerate(o["krs"]):
                session.add(
                    KeyResult(
                        workspace_id=team.workspace_id,
                        team_id=team.id,
                        cycle_id=cycle.id,
                        objective_id=objective.id,
                        number=number * 10 + position,
                        position=position,
                        title=f"KR{position}",
                        kind=k["kind"],
                        start_value=k["start"],
                        target_value=k["target"],
                        current_value=k["current"],
                        weight=k["weight"],
                        confidence=k["confidence"],
                        unit="个",
                    )
                )
        session.flush()

        expected, rows = rollup.summary_of_cycle(
            session, team=team, cycle=cycle, workdays=workdays, today=today
        )
        found = okr.objectives(session, team=team, cycle=cycle)
        orm = rollup.compute(
            found,
            okr.key_results(session, [o.id for o in found]),
            rollup.expectation(workdays, cycle, today),
            thresholds=(rollup._thresholds(team)),
        )
        assert expected == rollup.expectation(workdays, cycle, today)
        assert [r.objective.id for r in rows] == [v.objective.id for v in orm]
        for row, view in zip(rows, orm, strict=True):
            assert row.key_results == len(view.krs)
            assert row.progress == view.progress
            assert row.status is view.status
            assert row.confidence == view.confidence
            assert row.lowest_confidence == view.lowest_confidence
        # and the per-O roll-up from plain KR rows agrees with both
        plain = rollup.roll_up(session, team=team, objectives=found, expected=expected)
        assert [(v.progress, v.status) for v in plain] == [(v.progress, v.status) for v in orm]
