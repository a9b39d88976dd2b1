"""The award sweep picks its teams in two queries (issue 16): a team is swept when a round of
its is due to open, to open its vote or to close, once however many runners tick; a team whose
rounds wait, or that turned ``auto`` off, is never claimed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from teamassist.awards.jobs import PHASES
from teamassist.awards.jobs import jobs as award_jobs
from teamassist.awards.models import AwardRound
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from tests.okr.support import set_clock
from tests.support.sweeps import claims, quiet_team, second_scheduler


def _claimed_at(runtime: Runtime, when: datetime) -> set[int]:
    return {team_id for team_id, slot in claims(runtime, PHASES) if slot == when}


def _rounds(runtime: Runtime) -> list[tuple[int, str, str]]:
    with transaction(runtime.factory) as session:
        rows = session.execute(select(AwardRound.team_id, AwardRound.period, AwardRound.phase))
        return sorted((team_id, period, phase) for team_id, period, phase in rows)


def test_rounds_move_once_and_waiting_teams_are_not_claimed(demo_runtime: Runtime) -> None:
    # Given the demo team, a second team with the default settings and one with auto off
    runtime = demo_runtime
    other = quiet_team(runtime)
    set_clock(runtime, "2026-11-02 08:45")
    runtime.scheduler.tick()  # June's demo round closes; November's opens at 09:00
    manual = _team_with_auto_off(runtime)
    demo = _demo(runtime)
    # When nominations open (09:00 on the first working day) and two runners tick the slot
    opening = set_clock(runtime, "2026-11-02 09:00")
    runtime.scheduler.tick()
    second_scheduler(runtime, award_jobs).tick()
    # Then both automatic teams were claimed once and opened one round; the manual one neither
    assert _claimed_at(runtime, opening) == {other, demo}
    november = [(team, phase) for team, period, phase in _rounds(runtime) if period == "2026-11"]
    assert sorted(november) == sorted([(other, "nominating"), (demo, "nominating")])
    # When the next slot comes, with every round waiting for its vote
    waiting = set_clock(runtime, "2026-11-02 09:15")
    runtime.scheduler.tick()
    # Then nobody is claimed in it, and the manual team never was
    assert _claimed_at(runtime, waiting) == set()
    assert manual not in {team_id for team_id, _ in claims(runtime, PHASES)}


def _demo(runtime: Runtime) -> int:
    with transaction(runtime.factory) as session:
        return session.scalars(select(Team.id).where(Team.key == "community")).one()


def _team_with_auto_off(runtime: Runtime) -> int:
    with transaction(runtime.factory) as session:
        demo = session.scalars(select(Team).where(Team.key == "community")).one()
        team = Team(
            workspace_id=demo.workspace_id,
            key="manual",
            name="手动评选",
            timezone=demo.timezone,
            settings={"awards": {"auto": False}},
        )
        session.add(team)
        session.flush()
        return team.id
