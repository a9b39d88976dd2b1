"""The step sweep picks its teams in two grouped queries (issue 16): a team is swept in a slot
when one of its steps has come due or its plan runs short, once however many runners tick; a
planned team with nothing due, or a team with every series off, is never claimed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from teamassist.clock import FrozenClock, ensure_utc
from teamassist.database import transaction
from teamassist.meetings.jobs import STEPS
from teamassist.meetings.jobs import jobs as meeting_jobs
from teamassist.meetings.models import MeetingOccurrence
from teamassist.meetings.settings import Kind
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from tests.support.sweeps import claims, quiet_team, second_scheduler


def _sends(runtime: Runtime) -> list[str]:
    with transaction(runtime.factory) as session:
        return list(
            session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.like("meetings.%")
                )
            )
        )


def test_steps_go_out_once_and_idle_teams_are_not_claimed(
    demo_runtime: Runtime, clock: FrozenClock
) -> None:
    # Given the demo team, a second team with the default series, and one with every series off
    runtime = demo_runtime
    planned = quiet_team(runtime)
    off = {kind.value: {"enabled": False} for kind in Kind}
    with transaction(runtime.factory) as session:
        demo = session.get(Team, planned)
        assert demo is not None
        session.add(
            Team(
                workspace_id=demo.workspace_id,
                key="nomeetings",
                name="不开会",
                timezone=demo.timezone,
                settings={"meetings": off},
            )
        )
        session.flush()
        nomeetings = session.scalars(select(Team.id).where(Team.key == "nomeetings")).one()
    # When the first slot plans everyone, and the next slot has no step due
    runtime.scheduler.tick()
    first = {team_id for team_id, _ in claims(runtime, STEPS)}
    clock.set(clock() + timedelta(minutes=5))
    runtime.scheduler.tick()
    # Then only the teams that needed planning were claimed, and nobody in the idle slot
    assert planned in first and nomeetings not in first
    assert {slot for _, slot in claims(runtime, STEPS)} == {
        min(s for _, s in claims(runtime, STEPS))
    }
    # When the earliest planned step comes due and two runners tick its slot
    with transaction(runtime.factory) as session:
        due_at = ensure_utc(
            session.scalar(
                select(func.min(MeetingOccurrence.next_at)).where(
                    MeetingOccurrence.next_at > clock()
                )
            )
        )
        owners = set(
            session.scalars(
                select(MeetingOccurrence.team_id).where(MeetingOccurrence.next_at == due_at)
            )
        )
    clock.set(due_at)
    before = _sends(runtime)
    runtime.scheduler.tick()
    second_scheduler(runtime, meeting_jobs).tick()
    runtime.scheduler.tick()
    # Then exactly the teams owning the step were claimed in that slot, and each send is single
    in_slot = [
        team_id
        for team_id, slot in claims(runtime, STEPS)
        if ensure_utc(slot) > due_at - timedelta(minutes=5)
    ]
    assert sorted(in_slot) == sorted(owners) and nomeetings not in in_slot
    fresh = [key for key in _sends(runtime) if key not in before]
    assert fresh and len(fresh) == len(set(fresh))
