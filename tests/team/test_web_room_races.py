"""One web address is one team's room whatever the timing (tester s29 G-8): the any-purpose
check read the channels, then inserted, so a create that read before another's commit passed
it, leaving two teams at one address (twenty creates at once on PostgreSQL and MariaDB). The
workspace row's lock queues them; the later one reads the earlier one's channel and is
refused. Every backend."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.database import run_transaction, transaction
from teamassist.exceptions import DomainError
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Team, Workspace


def _create(session: Session, team_id: int, purpose: str) -> None:
    workspace = session.scalars(select(Workspace).order_by(Workspace.id)).first()
    assert workspace is not None
    team_service.create_channel(
        session,
        workspace=workspace,
        platform="web",
        address="race-room",
        purpose=purpose,
        team=session.get(Team, team_id),
    )


def test_a_create_while_another_teams_is_uncommitted_waits_and_is_refused(
    demo_runtime: Runtime,
) -> None:
    rt = demo_runtime
    with transaction(rt.factory) as session:
        workspace = session.scalars(select(Workspace).order_by(Workspace.id)).first()
        assert workspace is not None
        first = team_service.default_team(session, workspace_id=workspace.id).id
        second = team_service.create_team(
            session, workspace=workspace, key="race2", name="赛跑二队", timezone="Asia/Tokyo"
        ).id
    answers: list[str] = []

    def later() -> None:
        try:
            run_transaction(rt.factory, lambda session: _create(session, second, "public"))
        except DomainError as refused:
            answers.append(refused.key)
        else:
            answers.append("ok")

    with transaction(rt.factory) as session:
        _create(session, first, "internal")  # not committed yet
        other = threading.Thread(target=later)
        other.start()
        # Without the lock the other create reads no channel, inserts and commits at once;
        # with it, it waits for this commit.
        other.join(timeout=1.0)
    other.join(timeout=60)
    assert answers == ["core.error.address_elsewhere"], answers
    with rt.factory() as session:
        owners = session.scalars(select(Channel.team_id).where(Channel.address == "race-room"))
        assert set(owners) == {first}
