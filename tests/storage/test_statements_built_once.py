"""The hot statements of a writing command are built once and run with parameters (issue 9):
building one per call cost more than the driver's execute. Built once, they must still answer
as before for every shape of arguments."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.database import skipping_insert, transaction
from teamassist.enums import ChannelPurpose
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Member, Team
from tests.conftest import load_demo


def test_the_skipping_insert_is_built_once_and_says_which_happened(runtime: Runtime) -> None:
    load_demo(runtime)
    now = runtime.clock()
    values = {
        "idempotency_key": "built-once:1",
        "platform": "web",
        "address": "web:admin",
        "payload": {"body": "你好"},
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    with transaction(runtime.factory) as session:
        insert = skipping_insert(session, OutboxMessage, "idempotency_key")
        if insert is None:  # MariaDB keeps its savepoint: nothing to build
            return
        # the same statement object for every call: its compiled form and cache key are reused
        assert skipping_insert(session, OutboxMessage, "idempotency_key") is insert
        row = session.scalars(insert, values).first()
        assert row is not None and row in session and row.payload == {"body": "你好"}
        assert session.scalars(insert, values).first() is None  # the key is taken
    with transaction(runtime.factory) as session:
        stored = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "built-once:1")
        ).all()
    assert [(r.address, r.payload) for r in stored] == [("web:admin", {"body": "你好"})]


def test_channels_and_members_answer_for_every_shape(runtime: Runtime) -> None:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        team = session.scalars(select(Team).order_by(Team.id).limit(1)).one()
        every = session.scalars(
            select(Channel).where(Channel.workspace_id == team.workspace_id).order_by(Channel.id)
        ).all()
        enabled = [c for c in every if c.enabled]
        assert enabled, "the demo has channels"
        internal = ChannelPurpose.INTERNAL.value
        shapes = {
            (None, None): enabled,
            (team.id, None): [c for c in enabled if c.team_id in (team.id, None)],
            (None, internal): [c for c in enabled if c.purpose == internal],
            (team.id, internal): [
                c for c in enabled if c.team_id in (team.id, None) and c.purpose == internal
            ],
        }
        for (team_id, purpose), expected in shapes.items():
            found = team_service.channels(
                session, workspace_id=team.workspace_id, team_id=team_id, purpose=purpose
            )
            assert [c.id for c in found] == [c.id for c in expected], (team_id, purpose)
        ids = session.scalars(select(Member.id).order_by(Member.id).limit(3)).all()
        for identities in (False, True):
            found_members = team_service.members_by_id(
                session, [*ids, None, 2**31 - 1], identities=identities
            )
            assert sorted(found_members) == sorted(ids)
        assert team_service.members_by_id(session, [None]) == {}
