"""Feishu long connection: lark-oapi's real ws.Client, started by the app's lifespan, against a
fake endpoint and websocket server; events are dispatched and buttons answered in the ACK."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.clock import FrozenClock
from teamassist.outbox.models import OutboxMessage
from teamassist.web.app import create_app
from tests.conftest import bind_tenant, load_demo, make_runtime
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu
from tests.platforms.fakes.feishu_ws import FakeFeishuWs


def _wait(condition: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_long_connection_dispatches_events_and_answers_buttons(
    sqlite_url: str, clock: FrozenClock
) -> None:
    message = fk.message_event("/我是谁", chat_type="p2p", chat_id="oc_p2p", event_id="ws-1")
    press = fk.card_action("/我是谁", message_id="om_unknown", event_id="ws-2")
    api = FakeFeishu().start()
    ws = FakeFeishuWs([message, press, message]).start()  # the third frame is a redelivery
    api.ws_url = ws.url
    runtime = make_runtime(
        sqlite_url,
        clock,
        feishu={
            "enabled": True,
            "app_id": f"cli_{uuid.uuid4().hex[:12]}",
            "app_secret": fk.APP_SECRET,
            "domain": api.url,
            "mode": "long_connection",
        },
    )
    load_demo(runtime)
    bind_tenant(runtime, "feishu", fk.TENANT_KEY, kind="tenant")

    def queued() -> int:
        with runtime.factory() as session:
            return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0

    try:
        with TestClient(create_app(runtime, start_background=False)):
            assert _wait(lambda: len(ws.acks) == 3 and queued() >= 1), (ws.acks, queued())
            time.sleep(0.2)  # let the redelivered event reach the dispatcher too
            assert api.ws_endpoint_requests[0]["AppID"] == runtime.settings.feishu.app_id
            # the button's answer rides on the ACK frame
            assert ws.acks[2]["code"] == 200
            assert ws.acks[2]["data"]["toast"]["type"] == "success"
            assert ws.acks[1]["code"] == 200 and ws.acks[3]["code"] == 200
            # the message's reply goes out through the outbox, once
            assert queued() == 1
            assert runtime.deliver().sent == 1
            [call] = api.messages()
            assert call.path == "/open-apis/im/v1/messages/om_in_1/reply"
            assert call.content["header"]["title"]["content"] == "我是谁"
    finally:
        ws.stop()
        api.stop()
