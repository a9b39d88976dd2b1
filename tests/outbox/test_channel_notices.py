"""A notice for a team's channels is queued in one statement where the backend can
(:mod:`teamassist.chat.channel_notices`) and ends as the per-channel path wrote it: one row per
enabled channel of the purposes, the team's and the workspace-wide ones, a channel's quiet hours
holding its row, nothing queued twice; on every backend (MariaDB in a savepoint, and a key
already taken there queues channel by channel)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from teamassist.chat import notify
from teamassist.chat.quiet import quiet_until
from teamassist.chat.types import Reply
from teamassist.clock import ensure_utc
from teamassist.database import transaction
from teamassist.enums import ChannelPurpose
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Channel


def test_one_statement_queues_each_channel_as_the_per_channel_path_did(
    demo_runtime: Runtime,
) -> None:
    now = demo_runtime.clock()
    with transaction(demo_runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        # given a workspace-wide robot in its quiet hours now, and a channel of another purpose
        hour = ensure_utc(now).astimezone(ZoneInfo(team.timezone)).hour
        robot = team_service.create_channel(
            session,
            workspace=workspace,
            platform="wecom",
            address="robot-key",
            purpose=ChannelPurpose.WEBHOOK.value,
            quiet_start=f"{hour:02d}:00",
            quiet_end=f"{(hour + 2) % 24:02d}:00",
        )
        team_service.create_channel(
            session,
            workspace=workspace,
            team=team,
            platform="web",
            address="elsewhere",
            purpose=ChannelPurpose.CORE.value,
        )
        room = session.scalars(select(Channel).where(Channel.address == "duty-room")).one()
        held = quiet_until(now, team.timezone, robot.quiet_start, robot.quiet_end)
        assert held is not None and held > now
        expected = {
            f"t.notice:1:ch{room.id}": (room.id, "web", "duty-room", now),
            f"t.notice:1:ch{robot.id}": (robot.id, "wecom", "robot-key", held),
        }
        reply = Reply(body="有新的反馈")
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement.split(None, 1)[0].upper())

        # when the notice is queued for the internal channels and the robots
        event.listen(demo_runtime.engine, "before_cursor_execute", record)
        try:
            queued = notify.to_channels(
                session,
                team=team,
                purpose=(ChannelPurpose.INTERNAL, ChannelPurpose.WEBHOOK),
                reply=reply,
                key="t.notice:1",
                now=now,
            )
        finally:
            event.remove(demo_runtime.engine, "before_cursor_execute", record)
        # then one row each, in channel order, as the rows stored say
        assert [row.channel_id for row in queued] == sorted([room.id, robot.id])
        # the read and the two INSERTs were three statements (MariaDB: a read and eight); the
        # held row is moved by one
        assert statements.count("INSERT") == 1 and "SELECT" not in statements, statements
        if demo_runtime.engine.dialect.name == "mysql":
            assert statements == ["SAVEPOINT", "INSERT", "RELEASE", "UPDATE"], statements
    with transaction(demo_runtime.factory) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("t.notice:1:%"))
        ).all()
        stored = {
            row.idempotency_key: (
                row.channel_id,
                row.platform,
                row.address,
                ensure_utc(row.next_attempt_at),
            )
            for row in rows
        }
        assert stored == expected
        for row in rows:
            assert row.payload == reply.model_dump(mode="json")
            assert (row.status, row.attempts, row.workspace_id) == (
                OutboxStatus.PENDING,
                0,
                workspace.id,
            )
            assert ensure_utc(row.not_before or now) == now
            assert abs(ensure_utc(row.created_at) - now) < timedelta(seconds=1)
        # and queued again (a redelivered event), nothing more
        team = team_service.default_team(session, workspace_id=workspace.id)
        again = notify.to_channels(
            session,
            team=team,
            purpose=(ChannelPurpose.INTERNAL, ChannelPurpose.WEBHOOK),
            reply=reply,
            key="t.notice:1",
            now=now,
        )
        assert again == []
        count = session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.idempotency_key.like("t.notice:1:%"))
        ).all()
        assert len(count) == 2
        # and with one channel's row gone, queued again: that one alone
        gone = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == f"t.notice:1:ch{room.id}")
        ).one()
        session.delete(gone)
        session.flush()
        redone = notify.to_channels(
            session,
            team=team,
            purpose=(ChannelPurpose.INTERNAL, ChannelPurpose.WEBHOOK),
            reply=reply,
            key="t.notice:1",
            now=now,
        )
        assert [row.channel_id for row in redone] == [room.id]
        keys = session.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key.like("t.notice:1:%")
            )
        ).all()
        assert sorted(keys) == sorted(expected)
