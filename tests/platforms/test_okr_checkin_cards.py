"""Check-in prompts: `/进展 KR-1` without a value answers on Feishu with a card form pre-filled
with the last value and confidence, plus a one-tap "no change"; the submitted form or the
button is recorded as a check-in by the presser, and the card is then replaced by the result:
a card records one check-in per KR, even when an old card is pressed again or Feishu delivers
a press twice.
On WeCom the same prompt is markdown with the command to reply with."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.adapters.feishu.webhook import CARD_PATH, EVENTS_PATH
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.okr import checkin_card
from teamassist.okr.models import CheckIn, KeyResult, Objective
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import bind_tenant, load_demo, make_runtime
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu
from tests.platforms.fakes.wecom import FakeWeCom


def _find(node: Any, tag: str) -> list[dict[str, Any]]:
    """Every element with ``tag`` inside a card, wherever the layout puts it."""
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


def _check_ins(runtime: Runtime, title: str = "线上缺陷数") -> list[tuple[float, int | None, str]]:
    """The check-ins of the current quarter's KR ``title`` (the demo's are in 2026Q1)."""
    with runtime.factory() as session:
        rows = session.execute(
            select(CheckIn.value, CheckIn.confidence, CheckIn.comment)
            .join(KeyResult, KeyResult.id == CheckIn.key_result_id)
            .where(KeyResult.title == title, KeyResult.number == 1)
            .order_by(CheckIn.id)
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


class FeishuChat:
    """Messages from ou_zhang in a Feishu group, delivered through the app's webhook."""

    def __init__(self, http: TestClient, runtime: Runtime, clock: FrozenClock) -> None:
        self.http, self.runtime, self.clock = http, runtime, clock

    def say(self, text: str) -> None:
        event = fk.message_event(
            f"@_user_1 {text}",
            mentions=[("@_user_1", "ou_bot", "小助理")],
            message_id=f"om_in_{uuid.uuid4().hex[:8]}",
        )
        body, headers = fk.signed(event, timestamp=self.clock().timestamp())
        assert self.http.post(EVENTS_PATH, content=body, headers=headers).status_code == 200
        assert self.runtime.deliver().errors == []

    def press(self, **action: Any) -> dict[str, Any]:
        body, headers = fk.signed(fk.card_action(**action), timestamp=self.clock().timestamp())
        answer = self.http.post(CARD_PATH, content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result


def _last_message_id(runtime: Runtime) -> str:
    with runtime.factory() as session:
        row = session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        assert row is not None and row.external_id
        return str(row.external_id)


def test_feishu_check_in_card_form_and_no_change_button(
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
        with TestClient(create_app(runtime, start_background=False)) as http:
            chat = FeishuChat(http, runtime, clock)
            chat.say("/新建目标 提升交付质量")
            chat.say("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 100")
            chat.say("/进展 KR-1 30 信心 7")
            assert _check_ins(runtime) == [(30.0, 7, "")]

            # when: the owner asks for the KR's check-in without a value
            chat.say("/进展 KR-1")
            card = feishu.messages()[-1].content
            assert card["header"]["title"]["content"] == "登记进展 · KR-1 线上缺陷数"
            [form] = _find(card, "form")
            inputs = {i["name"]: i["default_value"] for i in _find(form, "input")}
            assert inputs == {"value": "30", "confidence": "7", "comment": ""}  # pre-filled
            [submit] = [b for b in _find(form, "button") if b.get("form_action_type") == "submit"]
            submit_value = submit["behaviors"][0]["value"]
            assert submit_value == {
                "cmd": "/进展 KR-1",
                "form": [["value", ""], ["confidence", "信心"], ["comment", ""]],
            }
            no_change = [
                b["behaviors"][0]["value"]["cmd"]
                for b in _find(card, "button")
                if b.get("form_action_type") != "submit"
            ]
            assert no_change == ["/进展 KR-1 30 信心 7 无变化"]
            assert len(_check_ins(runtime)) == 1  # asking records nothing
            card_id = _last_message_id(runtime)

            # when: the form is submitted with a new value, confidence and comment
            answer = chat.press(
                command=None,
                value=submit_value,
                form_value={"value": "35", "confidence": "6", "comment": "修复 一个模块"},
                chat_id="oc_group",
                message_id=card_id,
            )
            assert answer["toast"]["type"] == "success", answer
            assert "KR-1" in answer["toast"]["content"]
            assert _find(answer["card"], "form") == []  # answered: not offered again
            assert _find(answer["card"], "button") == []  # nothing left to press twice
            assert "已登记 KR-1「线上缺陷数」：35个" in str(answer["card"])  # the result instead
            assert _check_ins(runtime)[-1] == (35.0, 6, "修复 一个模块")

            # when: the old card is pressed again anyway (a client still showing it)
            press = {"command": no_change[0], "message_id": card_id, "event_id": "ev-no-change"}
            refused = chat.press(**press)
            assert refused["toast"]["type"] == "error"
            assert "这张卡片已经登记过 KR-1（35个），不会重复登记" in refused["toast"]["content"]
            assert chat.press(**press)["toast"]["type"] != "success"  # Feishu delivers it again
            again = chat.press(
                command=None,
                value=submit_value,
                form_value={"value": "36", "confidence": "6", "comment": ""},
                chat_id="oc_group",
                message_id=card_id,
            )
            assert again["toast"]["type"] == "error"
            assert _check_ins(runtime) == [(30.0, 7, ""), (35.0, 6, "修复 一个模块")]

            # when: a fresh prompt's "no change" is pressed: recorded once, then the card is spent
            chat.say("/进展 KR-1")
            fresh = _last_message_id(runtime)
            [same] = [
                b["behaviors"][0]["value"]["cmd"]
                for b in _find(feishu.messages()[-1].content, "button")
                if b.get("form_action_type") != "submit"
            ]
            assert same == "/进展 KR-1 35 信心 6 无变化"
            answer = chat.press(command=same, message_id=fresh, event_id="ev-fresh-1")
            assert answer["toast"]["type"] == "success"
            assert _find(answer["card"], "button") == [] and _find(answer["card"], "form") == []
            second = chat.press(command=same, message_id=fresh, event_id="ev-fresh-2")
            assert second["toast"]["type"] == "error"
            assert _check_ins(runtime) == [
                (30.0, 7, ""),
                (35.0, 6, "修复 一个模块"),
                (35.0, 6, "无变化"),  # recorded once
            ]
        runtime.close()
    finally:
        feishu.stop()


def test_wecom_gets_the_prompt_as_markdown_with_the_command_to_reply(
    sqlite_url: str, clock: FrozenClock
) -> None:
    fake = FakeWeCom({"KEY-okr"}).start()
    try:
        runtime = make_runtime(
            sqlite_url,
            clock,
            wecom={"enabled": True, "api_base": fake.url, "robots": {"okr": "KEY-okr"}},
        )
        load_demo(runtime)
        with transaction(runtime.factory) as session:
            # The demo's Q1 KR 线上缺陷数 (50 → 10 个), last checked in at 14 with confidence 7.
            key_result = session.scalars(
                select(KeyResult).where(KeyResult.title == "线上缺陷数")
            ).one()
            objective = session.get(Objective, key_result.objective_id)
            assert objective is not None
            reply = checkin_card.prompt(key_result, objective, timezone="Asia/Shanghai")
            number = key_result.number
            outbox_service.enqueue(
                session, key="okr:1", platform="wecom", address="okr", reply=reply, now=clock()
            )
        assert runtime.deliver().sent == 1
        [message] = fake.received
        text = message.markdown
        assert f"**登记进展 · KR-{number} 线上缺陷数**" in text
        assert "上次登记：14个" in text and "信心 7/10" in text
        assert f"请写上进展值回复，例如：`/进展 KR-{number} 14 信心 7`" in text
        assert f"- `/进展 KR-{number} <进展值> 信心 <信心> <说明>` 登记" in text
        assert f"- `/进展 KR-{number} 14 信心 7 无变化` 无变化 / no change" in text
        runtime.close()
    finally:
        fake.stop()
