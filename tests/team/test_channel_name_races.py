"""A team's channel names are unique whatever the timing (outside tester F6, session 22): the
service refused a taken name, but two creates at one instant both passed its check. The unique
key ``(workspace_id, name_team_id, name_key)`` keeps one; the other is the same 409
``core.error.channel_name_taken`` a late create gets. Every backend."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.database import run_transaction, transaction
from teamassist.exceptions import DomainError
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Workspace
from tests.support.parallel import at_once


def _workspace(session: Session) -> Workspace:
    workspace = session.scalar(select(Workspace).order_by(Workspace.id))
    assert workspace is not None
    return workspace


def _named(rt: Runtime, name: str) -> int:
    with rt.factory() as session:
        return session.scalar(select(func.count()).where(Channel.name == name)) or 0


def test_creates_at_once_make_one_channel_of_a_name(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    numbers = itertools.count()
    lock = threading.Lock()

    def create() -> str:
        with lock:
            address = f"room-race-{next(numbers)}"

        def unit(session: Session) -> None:
            workspace = _workspace(session)
            team = team_service.default_team(session, workspace_id=workspace.id)
            team_service.create_channel(
                session,
                workspace=workspace,
                platform="web",
                address=address,
                purpose="team",
                name="赛跑群",
                team=team,
            )

        try:
            run_transaction(rt.factory, unit)
        except DomainError as refused:
            return refused.key
        return "ok"

    answers = sorted(at_once(6, create))
    assert answers == ["core.error.channel_name_taken"] * 5 + ["ok"], answers
    assert _named(rt, "赛跑群") == 1


def test_a_create_whose_check_read_before_the_other_committed(demo_runtime: Runtime) -> None:
    """The later writer read the channels before the first committed (MariaDB's repeatable
    read keeps showing it that picture): its check passes, the unique key refuses. Not on
    SQLite, whose one writer at a time reads after the other's commit."""
    rt = demo_runtime
    if rt.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: the check reads the other's row")
    with rt.factory() as late:
        late.begin()
        late.scalars(select(Channel)).all()  # the transaction's picture, before the other
        with transaction(rt.factory) as first:
            workspace = _workspace(first)
            made = team_service.create_channel(
                first,
                workspace=workspace,
                platform="web",
                address="room-first",
                purpose="team",
                name="先来群",
                team=team_service.default_team(first, workspace_id=workspace.id),
            ).id
        workspace = _workspace(late)
        try:
            team_service.create_channel(
                late,
                workspace=workspace,
                platform="web",
                address="room-late",
                purpose="team",
                name="先来群",
                team=None,  # a workspace-wide channel's name is the first team's
            )
        except DomainError as refused:
            assert refused.key == "core.error.channel_name_taken"
            assert refused.params["id"] == made, refused.params
        else:
            raise AssertionError("a second 先来群 was made")
        finally:
            late.rollback()
    assert _named(rt, "先来群") == 1
