"""A demo team on Feishu with the workspace tools on, against the fake Feishu Open API: the
runtime, the chat, the web app and what was queued for the workspace."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.actions.models import ActionItem
from teamassist.adapters.feishu.workspace import PLATFORM
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from tests.conftest import bind_tenant, load_demo, make_runtime
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu
from tests.support.chat import ChatDriver

OPEN_IDS = {"lihua": "ou_lihua", "zhangsan": "ou_zhang", "lisi": "ou_lisi", "admin": "ou_admin"}


@dataclass
class FeishuTeam:
    runtime: Runtime
    chat: ChatDriver
    http: TestClient
    fake: FakeFeishu

    @property
    def clock(self) -> FrozenClock:
        clock = self.runtime.clock
        assert isinstance(clock, FrozenClock)
        return clock

    def deliver(self) -> None:
        self.runtime.deliver()

    def ops(self) -> list[OutboxMessage]:
        with self.runtime.factory() as session:
            return list(
                session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.platform == PLATFORM)
                    .order_by(OutboxMessage.id)
                )
            )

    def item(self, item_id: int) -> ActionItem:
        with self.runtime.factory() as session:
            item = session.get(ActionItem, item_id)
            assert item is not None
            session.expunge(item)
            return item


def feishu_runtime(
    fake: FakeFeishu,
    db_url: str,
    clock: FrozenClock,
    *,
    tenant: str,
    open_ids: dict[str, str] | None = None,
) -> Runtime:
    """The demo on ``tenant`` (``feishu`` or ``qq``), 李华 directing; ``open_ids`` (handle →
    open_id, default :data:`OPEN_IDS`) are who has a Feishu identity."""
    runtime = make_runtime(
        db_url,
        clock,
        feishu={
            "enabled": True,
            "app_id": f"cli_{uuid.uuid4().hex[:12]}",  # lark-oapi caches tokens per app id
            "app_secret": fk.APP_SECRET,
            "encrypt_key": fk.ENCRYPT_KEY,
            "verification_token": fk.VERIFICATION_TOKEN,
            "domain": fake.url,
            "bot_open_id": "ou_bot",
            "workspace_tools": True,
        },
    )
    load_demo(runtime)
    bind_tenant(runtime, tenant, fk.TENANT_KEY if tenant == "feishu" else "guild-1", kind="tenant")
    with transaction(runtime.factory) as session:
        members = {m.handle: m for m in session.scalars(select(Member))}
        for handle, open_id in (OPEN_IDS if open_ids is None else open_ids).items():
            team_service.add_identity(
                session,
                member=members[handle],
                platform="feishu",
                user_key=open_id,
                tenant_key=fk.TENANT_KEY,
            )
        team = session.scalars(select(Team).where(Team.key == "community")).one()
        team.director_id = members["lihua"].id  # 李华 directs the demo team
    return runtime
