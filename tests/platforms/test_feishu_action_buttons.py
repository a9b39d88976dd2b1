"""Notices that call for an action carry buttons: on Feishu they are card buttons, and pressing
"确认收到" on a feedback notice acknowledges the item as the person who pressed it."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.adapters.feishu.webhook import CARD_PATH, EVENTS_PATH
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import service as duty_service
from teamassist.enums import ChannelPurpose
from teamassist.feedback.models import FeedbackItem
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Team
from teamassist.web.app import create_app
from tests.conftest import bind_tenant, load_demo, make_runtime
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu


def _commands(node: Any) -> list[str]:
    """Every button command inside a card, wherever the layout puts it."""
    found: list[str] = []
    if isinstance(node, dict):
        for behavior in node.get("behaviors", []):
            if isinstance(behavior, dict) and "cmd" in behavior.get("value", {}):
                found.append(behavior["value"]["cmd"])
        for value in node.values():
            found.extend(_commands(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_commands(value))
    return found


def test_feedback_notice_buttons_acknowledge_the_item(sqlite_url: str, clock: FrozenClock) -> None:
    feishu = FakeFeishu().start()
    try:
        runtime = make_runtime(
            sqlite_url,
            clock,
            feishu={
                "enabled": True,
                "app_id": f"cli_{uuid.uuid4().hex[:12]}",
                "app_secret": fk.APP_SECRET,
                "encrypt_key": fk.ENCRYPT_KEY,
                "verification_token": fk.VERIFICATION_TOKEN,
                "domain": feishu.url,
            },
        )
        load_demo(runtime)
        bind_tenant(runtime, "feishu", fk.TENANT_KEY, kind="tenant")
        with transaction(runtime.factory) as session:
            workspace = team_service.get_workspace_by_key(session, key="demo")
            assert workspace is not None
            team = session.scalar(select(Team))
            assert team is not None
            # given: the duty channel is a Feishu group, and today's tech person is on Feishu
            team_service.create_channel(
                session,
                workspace=workspace,
                platform="feishu",
                address="oc_duty",
                purpose=ChannelPurpose.INTERNAL.value,
                name="值班群",
                team=team,
            )
            [on_duty] = duty_service.on_duty_members(
                session, team=team, at=clock(), rotation_kind="tech"
            )
            team_service.add_identity(
                session,
                member=on_duty,
                platform="feishu",
                user_key="ou_duty",
                tenant_key=fk.TENANT_KEY,
            )
        with TestClient(create_app(runtime, start_background=False)) as http:
            # when: someone reports a problem from a Feishu group
            body, headers = fk.signed(
                fk.message_event(
                    "@_user_1 /问题反馈 导出按钮没反应", mentions=[("@_user_1", "ou_bot", "小助理")]
                ),
                timestamp=clock().timestamp(),
            )
            assert http.post(EVENTS_PATH, content=body, headers=headers).status_code == 200
            assert runtime.deliver().errors == []
            # then: the duty group's notice is a card with acknowledge / resolve buttons
            [notice] = [m for m in feishu.messages() if m.body.get("receive_id") == "oc_duty"]
            commands = _commands(notice.content)
            with runtime.factory() as session:
                item = session.scalar(
                    select(FeedbackItem).where(FeedbackItem.text == "导出按钮没反应")
                )
                assert item is not None and item.status == "open"
                item_id = item.id
            assert commands == [f"/确认反馈 {item_id}", f"/标注解决 {item_id}"]
            # when: the person on duty presses "确认收到"
            press = fk.card_action(
                commands[0],
                operator="ou_duty",
                chat_id="oc_duty",
                message_id=notice_message_id(runtime, "oc_duty"),
            )
            body, headers = fk.signed(press, timestamp=clock().timestamp())
            answer = http.post(CARD_PATH, content=body, headers=headers)
            assert answer.status_code == 200
            assert answer.json()["toast"]["type"] == "success"
        with runtime.factory() as session:
            item = session.get(FeedbackItem, item_id)
            assert item is not None and item.status == "acknowledged"
            assert item.acknowledged_at is not None
        runtime.close()
    finally:
        feishu.stop()


def notice_message_id(runtime: Runtime, address: str) -> str:
    """The Feishu message id of the first notice sent to ``address``."""
    with runtime.factory() as session:
        row = session.scalar(
            select(OutboxMessage).where(OutboxMessage.address == address).order_by(OutboxMessage.id)
        )
        assert row is not None and row.external_id
        return str(row.external_id)
