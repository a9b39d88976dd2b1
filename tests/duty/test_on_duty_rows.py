"""The warm on-duty read builds its members from plain rows (``teamassist.row_objects``): the same
people with the same identities as the ORM's load, the session's own object when it holds the
member already, and what the unit has not flushed yet seen, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import revision, service
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, PlatformIdentity, Team
from tests.conftest import load_demo, make_runtime
from tests.duty.test_spec_cache import NOON


@pytest.fixture
def runtime(db_url: str, clock: FrozenClock) -> Iterator[Runtime]:
    """A runtime on the demo that has read who is on duty once (its guess is warm)."""
    made = make_runtime(db_url, clock)
    load_demo(made)
    with transaction(made.factory) as session:
        service.on_duty_members(session, team=_team(session), at=NOON, identities=True)
    yield made
    made.close()


def _team(session: Session) -> Team:
    workspace = team_service.get_workspace_by_key(session, key="demo")
    assert workspace is not None
    return team_service.default_team(session, workspace_id=workspace.id)


def _identify(session: Session, handle: str, *keys: str) -> None:
    member = session.scalars(select(Member).where(Member.handle == handle)).one()
    for key in keys:
        session.add(PlatformIdentity(member_id=member.id, platform="feishu", user_key=key))


def _seen(people: list[Member]) -> list[tuple[str, list[str]]]:
    return [(m.handle, [i.user_key for i in m.identities]) for m in people]


def test_the_rows_give_the_members_and_identities_the_orm_gave(runtime: Runtime) -> None:
    # given the person on tech duty known on Feishu twice
    with transaction(runtime.factory) as session:
        _identify(session, "zhangsan", "ou_b", "ou_a")
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    # when a fresh unit (nobody loaded) asks, warm, and the plain read is asked beside it
    with transaction(runtime.factory) as session:
        team = _team(session)
        event.listen(runtime.engine, "before_cursor_execute", record)
        try:
            warm = _seen(service.on_duty_members(session, team=team, at=NOON, identities=True))
        finally:
            event.remove(runtime.engine, "before_cursor_execute", record)
    revision.set_enabled(False)
    try:
        with transaction(runtime.factory) as session:
            plain = service.on_duty_members(session, team=_team(session), at=NOON, identities=True)
            expected = _seen(plain)
    finally:
        revision.set_enabled(True)
    # then one statement, the same people, their identities in id order, nothing lazy-loaded
    assert warm == expected == [("zhangsan", ["ou_b", "ou_a"]), ("zhaoliu", [])]
    assert len(statements) == 1, statements


def test_a_member_the_unit_holds_is_the_units_object(runtime: Runtime) -> None:
    with transaction(runtime.factory) as session:
        team = _team(session)
        held = session.scalars(select(Member).where(Member.handle == "zhangsan")).one()
        held.display_name = "张三（改）"  # changed in this unit, flushed by the read
        [member] = service.on_duty_members(
            session, team=team, at=NOON, rotation_kind="tech", identities=True
        )
        assert member is held
        assert member.display_name == "张三（改）"
        assert member.identities == []


def test_what_the_unit_has_not_flushed_is_read(runtime: Runtime) -> None:
    # given an identity added in this unit, not flushed yet, for a member the unit never loaded
    with transaction(runtime.factory) as session:
        team = _team(session)
        zhangsan = session.scalar(select(Member.id).where(Member.handle == "zhangsan"))
        assert zhangsan is not None
        session.add(PlatformIdentity(member_id=zhangsan, platform="feishu", user_key="ou_new"))
        # when the warm read runs, then it is flushed first and seen
        people = service.on_duty_members(
            session, team=team, at=NOON, rotation_kind="tech", identities=True
        )
        assert _seen(people) == [("zhangsan", ["ou_new"])]
        # and a member left off the read's identities stays one object of the unit
        assert session.get(Member, zhangsan) is people[0]
