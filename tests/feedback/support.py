"""Givens shared by the feedback tests: rotations, channels, and a look at the stored items."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from teamassist.database import transaction
from teamassist.enums import ChannelPurpose, Platform
from teamassist.feedback.models import FeedbackEvent, FeedbackItem
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Team


def demo_team(session: Any) -> Team:
    workspace = team_service.get_workspace_by_key(session, key="demo")
    assert workspace is not None
    return team_service.default_team(session, workspace_id=workspace.id)


def given_nobody_on_duty(runtime: Runtime) -> None:
    """The demo team without its rotations (the duty demo puts 张三 and 赵六 on duty)."""
    from sqlalchemy import delete

    from teamassist.duty.models import Rotation

    with transaction(runtime.factory) as session:
        session.execute(delete(Rotation).where(Rotation.team_id == demo_team(session).id))


def given_rotation(runtime: Runtime, kind: str, handles: list[str]) -> None:
    """A daily rotation of ``kind`` starting today with ``handles`` in order (replacing the
    demo's rotation of that kind)."""
    from sqlalchemy import delete

    from teamassist.clock import local
    from teamassist.duty import service as duty_service
    from teamassist.duty.models import Rotation

    now = runtime.clock()
    with transaction(runtime.factory) as session:
        team = demo_team(session)
        session.execute(delete(Rotation).where(Rotation.team_id == team.id, Rotation.key == kind))
        members = [
            team_service.get_member_by_handle(session, workspace_id=team.workspace_id, handle=h)
            for h in handles
        ]
        duty_service.create_rotation(
            session,
            team=team,
            key=kind,
            name=kind,
            kind=kind,
            members=[m for m in members if m is not None],
            start_date=local(now, team.timezone).date(),
            now=now,
        )


def given_webhook(runtime: Runtime) -> None:
    """The team's WeCom group robot."""
    with transaction(runtime.factory) as session:
        team = demo_team(session)
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team_service.create_channel(
            session,
            workspace=workspace,
            platform=Platform.WECOM.value,
            address="feedback-robot",
            purpose=ChannelPurpose.WEBHOOK.value,
            name="企业微信机器人",
            team=team,
        )


def given_settings(runtime: Runtime, **feedback: Any) -> None:
    """Set ``team.settings["feedback"]``."""
    with transaction(runtime.factory) as session:
        team = demo_team(session)
        settings = dict(team.settings or {})
        settings["feedback"] = {**settings.get("feedback", {}), **feedback}
        team.settings = settings


def items(runtime: Runtime) -> list[FeedbackItem]:
    with runtime.factory() as session:
        return list(session.scalars(select(FeedbackItem).order_by(FeedbackItem.id)))


def events(runtime: Runtime, item_id: int) -> list[str]:
    with runtime.factory() as session:
        return list(
            session.scalars(
                select(FeedbackEvent.action)
                .where(FeedbackEvent.item_id == item_id)
                .order_by(FeedbackEvent.id)
            )
        )


def outbox(runtime: Runtime) -> list[OutboxMessage]:
    with runtime.factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def outbox_keys(runtime: Runtime) -> list[str]:
    return [m.idempotency_key for m in outbox(runtime)]


def member_id(runtime: Runtime, handle: str) -> int:
    with runtime.factory() as session:
        member = team_service.get_member_by_handle(
            session, workspace_id=demo_team(session).workspace_id, handle=handle
        )
        assert member is not None
        return member.id
