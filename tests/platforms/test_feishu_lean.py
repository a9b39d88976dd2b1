"""The lean fake Feishu of the load benchmarks still speaks the protocol the sender uses."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.sender import FeishuSender, dedupe_id
from teamassist.chat.types import Reply
from teamassist.outbox.senders import OutgoingMessage
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu_lean import COUNT_PATH, MESSAGES_PATH, TOKEN_PATH, LeanFeishu


@pytest.fixture
def lean() -> Iterator[LeanFeishu]:
    fake = LeanFeishu().start()
    yield fake
    fake.stop()


def _sender(fake: LeanFeishu, app_id: str) -> FeishuSender:
    settings = FeishuSettings(
        enabled=True,
        app_id=app_id,  # a fresh one per test: lark-oapi caches tenant tokens per app id
        app_secret=fk.APP_SECRET,
        encrypt_key=fk.ENCRYPT_KEY,
        verification_token=fk.VERIFICATION_TOKEN,
        domain=fake.url,
    )
    return FeishuSender(settings)


def _notice(n: int, key: str) -> OutgoingMessage:
    return OutgoingMessage(
        outbox_id=n,
        platform="feishu",
        address=f"oc_lean_{n}",
        reply=Reply(body=f"早上好 {n}"),
        idempotency_key=key,
    )


def test_the_sender_delivers_through_it_once_per_uuid(lean: LeanFeishu) -> None:
    # given the real Feishu sender pointed at the lean fake
    sender = _sender(lean, "cli_lean_once")
    # when it sends two notices, then the first again (a redelivery after a crash)
    first = sender.send(_notice(1, "lean-1"))
    second = sender.send(_notice(2, "lean-2"))
    again = sender.send(_notice(1, "lean-1"))
    # then each got a message id, the repeat the first one's, and two messages were recorded
    assert first and second and first != second
    assert again == first
    assert [(m.receive_id, m.uuid) for m in lean.messages] == [
        ("oc_lean_1", dedupe_id("lean-1")),
        ("oc_lean_2", dedupe_id("lean-2")),
    ]
    assert "早上好 1" in lean.messages[0].content
    assert httpx.get(lean.url + COUNT_PATH).json() == {"sent": 2}


def test_a_message_without_a_token_it_issued_is_refused(lean: LeanFeishu) -> None:
    # given a token the fake never issued, and one asked for with a wrong secret
    body = {"receive_id": "oc_x", "msg_type": "text", "content": "{}", "uuid": "u1"}
    refused_secret = httpx.post(
        lean.url + TOKEN_PATH, json={"app_id": "cli_x", "app_secret": "wrong"}
    )
    # when a message is posted with it
    answer = httpx.post(
        lean.url + MESSAGES_PATH,
        params={"receive_id_type": "chat_id"},
        content=json.dumps(body),
        headers={"Authorization": "Bearer t-fake-999"},
    )
    # then both are refused as Feishu refuses them, and nothing is recorded
    assert refused_secret.status_code == 400 and refused_secret.json()["code"] == 10014
    assert answer.status_code == 400 and answer.json()["code"] == 99991663
    assert lean.messages == []
