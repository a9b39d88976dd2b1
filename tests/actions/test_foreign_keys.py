"""actions_0002 on every backend: a member row who owns or asked for items is not deleted
under them (RESTRICT: nothing vanishes silently); the workspace's deletion still removes
everything, its items first."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from teamassist.actions.models import ActionEvent, ActionItem
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team import workspaces
from teamassist.team.models import Member


def _count(runtime: Runtime, table: type) -> int:
    with runtime.factory() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_member_with_items_is_not_deleted_under_them(demo_runtime: Runtime) -> None:
    items, events = _count(demo_runtime, ActionItem), _count(demo_runtime, ActionEvent)
    assert items == 4
    for handle in ("zhangsan", "lihua"):  # an owner; a requester
        with pytest.raises(IntegrityError), transaction(demo_runtime.factory) as session:
            session.execute(delete(Member).where(Member.handle == handle))
        assert (_count(demo_runtime, ActionItem), _count(demo_runtime, ActionEvent)) == (
            items,
            events,
        )
    with transaction(demo_runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        workspaces.delete_workspace(session, workspace=ws, confirm=ws.name)
    assert (_count(demo_runtime, ActionItem), _count(demo_runtime, ActionEvent)) == (0, 0)
    assert _count(demo_runtime, Member) == 0
