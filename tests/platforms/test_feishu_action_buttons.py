"""Notices that call for an action carry buttons: on Feishu they are card buttons, and pressing
"确认收到" on a feedback notice acknowledges the item as the person who pressed it; "延期" on a
销项 notice asks for the date with a card form, and one card extends the item once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.actions import flows as action_flows
from teamassist.actions.models import ActionEvent, ActionItem
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


def _find(node: Any, tag: str) -> list[dict[str, Any]]:
    """Every element with ``tag`` inside a card."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("tag") == tag:
            found.append(node)
        for value in node.values():
            found.extend(_find(value, tag))
    elif isinstance(node, list):
        for value in node:
            found.extend(_find(value, tag))
    return found


def test_action_item_extend_button_asks_a_date_and_a_card_extends_once(
    sqlite_url: str, clock: FrozenClock
) -> None:
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
            team = session.scalar(select(Team).order_by(Team.id))
            assert team is not None
            requester = team_service.get_member_by_handle(
                session, workspace_id=workspace.id, handle="zhangsan"
            )
            owner = team_service.get_member_by_handle(
                session, workspace_id=workspace.id, handle="lisi"
            )
            assert requester is not None and owner is not None
            team_service.add_identity(
                session,
                member=owner,
                platform="feishu",
                user_key="ou_lisi",
                tenant_key=fk.TENANT_KEY,
            )
            # given: zhangsan gives lisi an item due 2026-06-05 18:00 (the clock: 06-01 09:00)
            item = action_flows.create(
                session,
                team=team,
                requester=requester,
                owner=owner,
                title="完成接口文档",
                due_at=datetime(2026, 6, 5, 10, 0, tzinfo=UTC),
                now=clock(),
            )
            item_id = item.id
        assert runtime.deliver().errors == []
        [notice] = [m for m in feishu.messages() if m.body.get("receive_id") == "ou_lisi"]
        assert _commands(notice.content) == [f"/完成销项 {item_id}", f"/延期销项 {item_id}"]
        card_id = notice_message_id(runtime, "ou_lisi")

        with TestClient(create_app(runtime, start_background=False)) as http:

            def press(**action: Any) -> dict[str, Any]:
                body, headers = fk.signed(fk.card_action(**action), timestamp=clock().timestamp())
                answer = http.post(CARD_PATH, content=body, headers=headers)
                assert answer.status_code == 200, answer.text
                found: dict[str, Any] = answer.json()
                return found

            # when: lisi presses 延期 on the notice card
            asked = press(
                command=f"/延期销项 {item_id}", operator="ou_lisi", chat_id="", message_id=card_id
            )
            # then: the card shows a form, pre-filled a week after the due date
            [form] = _find(asked["card"], "form")
            inputs = {i["name"]: i["default_value"] for i in _find(form, "input")}
            assert inputs == {"due": "2026-06-12", "reason": ""}
            [submit] = [b for b in _find(form, "button") if b.get("form_action_type") == "submit"]
            value = submit["behaviors"][0]["value"]
            assert value == {"cmd": f"/延期销项 {item_id}", "form": [["due", ""], ["reason", ""]]}

            # when: the form is submitted with a date and a reason
            done = press(
                command=None,
                value=value,
                form_value={"due": "2026-06-12", "reason": "等评审"},
                operator="ou_lisi",
                chat_id="",
                message_id=card_id,
                event_id="ev-extend-1",
            )
            assert done["toast"]["type"] == "success", done
            assert _find(done["card"], "form") == [] and _find(done["card"], "button") == []

            # when: the old card is submitted again (another date), it is refused kindly
            again = press(
                command=None,
                value=value,
                form_value={"due": "2026-06-19", "reason": "还要等"},
                operator="ou_lisi",
                chat_id="",
                message_id=card_id,
                event_id="ev-extend-2",
            )
            assert again["toast"]["type"] == "error"
            assert "这张卡片已经为销项" in again["toast"]["content"]
        with runtime.factory() as session:
            row = session.get(ActionItem, item_id)
            assert row is not None and row.due_at == datetime(2026, 6, 12, 10, 0, tzinfo=UTC)
            kinds = session.scalars(
                select(ActionEvent.kind).where(ActionEvent.item_id == item_id)
            ).all()
            assert sorted(kinds) == ["created", "extended"]
        runtime.close()
    finally:
        feishu.stop()
