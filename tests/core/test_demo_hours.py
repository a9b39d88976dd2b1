"""The demo's deadlines fall at the hours a team's rules give, not at the minute the demo was
loaded: a tester's first look showed "投票开始：12月17日 04:02" and "截止 2026-12-17 04:02"."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from teamassist.awards.models import AwardRound, Phase
from teamassist.careers.models import CareerPlan
from teamassist.clock import FrozenClock, local
from teamassist.runtime import Runtime
from tests.conftest import load_demo

ZONE = "Asia/Shanghai"  # the demo team's


def test_demo_deadlines_are_at_the_rules_hours(sqlite_runtime: Runtime, clock: FrozenClock) -> None:
    # Given a load at 04:02 in the team's zone (20:02 UTC)
    clock.set(datetime(2026, 12, 2, 20, 2, 17, tzinfo=UTC))
    load_demo(sqlite_runtime)
    with sqlite_runtime.factory() as session:
        [current] = session.scalars(
            select(AwardRound).where(AwardRound.phase == Phase.NOMINATING.value)
        ).all()
        # this year's plans (last year's closed one is history)
        dues = session.scalars(
            select(CareerPlan.due_at).where(CareerPlan.due_at > datetime(2026, 11, 1, tzinfo=UTC))
        ).all()
    assert local(current.voting_at, ZONE).strftime("%H:%M:%S") == "09:00:00"
    assert local(current.closes_at, ZONE).strftime("%H:%M:%S") == "18:00:00"
    assert len(dues) == 3
    assert {local(due, ZONE).strftime("%H:%M:%S") for due in dues} == {"18:00:00"}
