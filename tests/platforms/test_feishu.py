"""Feishu end to end against a fake Open API: signed, encrypted webhooks → command → database →
reply received by the fake; outages, redelivery, card buttons and refused requests."""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.adapters.feishu.webhook import CARD_PATH, EVENTS_PATH
from teamassist.chat.models import InboundEvent
from teamassist.chat.types import Button, ButtonStyle, Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.runtime import Runtime
from teamassist.team.models import PlatformIdentity
from teamassist.web.app import create_app
from tests.conftest import bind_tenant, load_demo, make_runtime
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeFeishu]:
    server = FakeFeishu().start()
    yield server
    server.stop()


@dataclass
class Env:
    runtime: Runtime
    http: TestClient
    fake: FakeFeishu
    clock: FrozenClock

    def post(self, payload: dict[str, Any] | str, path: str = EVENTS_PATH, **kw: Any) -> Any:
        kw.setdefault("timestamp", self.clock().timestamp())
        body, headers = fk.signed(payload, **kw)
        return self.http.post(path, content=body, headers=headers)

    def outbox(self) -> list[OutboxMessage]:
        with self.runtime.factory() as session:
            return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    def events(self) -> int:
        with self.runtime.factory() as session:
            return session.scalar(select(func.count()).select_from(InboundEvent)) or 0

    def later(self, seconds: float) -> None:
        self.clock.set(self.clock() + timedelta(seconds=seconds))


@pytest.fixture
def env(fake: FakeFeishu, sqlite_url: str, clock: FrozenClock) -> Iterator[Env]:
    fake.reset()
    # lark-oapi caches tenant tokens per app id process-wide: a fresh app id per test.
    runtime = make_runtime(
        sqlite_url,
        clock,
        feishu={
            "enabled": True,
            "app_id": f"cli_{uuid.uuid4().hex[:12]}",
            "app_secret": fk.APP_SECRET,
            "encrypt_key": fk.ENCRYPT_KEY,
            "verification_token": fk.VERIFICATION_TOKEN,
            "domain": fake.url,
            "bot_open_id": "ou_bot",
        },
    )
    load_demo(runtime)
    bind_tenant(runtime, "feishu", fk.TENANT_KEY, kind="tenant")
    with TestClient(create_app(runtime, start_background=False)) as http:
        yield Env(runtime, http, fake, clock)


def test_url_verification_challenge_is_answered(env: Env) -> None:
    payload = {"challenge": "ch-42", "token": fk.VERIFICATION_TOKEN, "type": "url_verification"}
    response = env.post(payload)
    assert response.status_code == 200
    assert response.json() == {"challenge": "ch-42"}


def test_p2p_command_is_answered_with_a_card_reply(env: Env) -> None:
    env.fake.users["ou_zhang"] = "飞书张三"
    # when a user writes /我是谁 to the bot in a 1:1 chat
    response = env.post(fk.message_event("/我是谁", chat_type="p2p", chat_id="oc_p2p"))
    assert response.status_code == 200
    # then the command ran (the sender was enrolled) and the reply waits in the outbox
    [queued] = env.outbox()
    assert queued.platform == "feishu" and queued.address == "oc_p2p"
    with env.runtime.factory() as session:
        identity = session.scalar(
            select(PlatformIdentity).where(PlatformIdentity.user_key == "ou_zhang")
        )
        assert identity is not None and identity.tenant_key == fk.TENANT_KEY
        # the contact API gave the name the new member is enrolled under
        assert identity.member.display_name == "飞书张三"
    # and delivery answers the user's message with a card, with a native mention
    assert env.runtime.deliver().sent == 1
    [call] = env.fake.messages()
    assert call.path == "/open-apis/im/v1/messages/om_in_1/reply"
    assert call.body["msg_type"] == "interactive" and len(call.body["uuid"]) <= 50
    assert call.headers["authorization"].startswith("Bearer t-fake-")
    card = call.content
    assert card["schema"] == "2.0"
    assert card["header"]["title"]["content"] == "我是谁"
    assert "<at id=ou_zhang></at>" in card["body"]["elements"][0]["content"]


def test_group_message_with_bot_mention_runs_the_command(env: Env) -> None:
    event = fk.message_event("@_user_1 /帮助", mentions=[("@_user_1", "ou_bot", "小助理")])
    assert env.post(event).status_code == 200
    env.runtime.deliver()
    [call] = env.fake.messages()
    assert call.content["header"]["title"]["content"] == "小助理指令帮助"


def test_group_chatter_is_not_answered(env: Env) -> None:
    assert env.post(fk.message_event("大家早上好")).status_code == 200
    assert env.outbox() == []


def test_redelivered_event_is_answered_once(env: Env) -> None:
    event = fk.message_event("/我是谁", event_id="ev-same")
    assert env.post(event).status_code == 200
    assert env.post(event).status_code == 200  # Feishu retries; same event id
    env.runtime.deliver()
    assert len(env.fake.messages()) == 1
    assert env.events() == 1


def test_tenant_token_is_fetched_once_and_reused(env: Env) -> None:
    env.post(fk.message_event("/我是谁", message_id="om_a"))
    env.post(fk.message_event("/帮助", message_id="om_b"))
    assert env.runtime.deliver().sent == 2
    assert len(env.fake.token_requests) == 1
    assert len({c.headers["authorization"] for c in env.fake.messages()}) == 1


def test_expired_token_is_refreshed_and_the_notice_retried(env: Env) -> None:
    env.post(fk.message_event("/我是谁", message_id="om_a"))
    env.runtime.deliver()
    env.fake.revoked.add(env.fake.messages()[0].headers["authorization"].split()[1])
    env.post(fk.message_event("/帮助", message_id="om_b"))
    stats = env.runtime.deliver()
    assert stats.retried == 1 and "99991663" in stats.errors[0]
    env.later(5)
    assert env.runtime.deliver().sent == 1
    assert len(env.fake.token_requests) == 2


def test_platform_down_keeps_the_notice_and_delivers_it_once_later(env: Env) -> None:
    env.post(fk.message_event("/我是谁"))
    env.fake.down = True
    stats = env.runtime.deliver()
    assert stats.sent == 0 and stats.retried == 1
    [row] = env.outbox()
    assert row.status == OutboxStatus.PENDING and row.next_attempt_at > env.clock()
    assert "503" in (row.last_error or "") or "unreadable" in (row.last_error or "")
    # the platform is back, but the backoff has not passed: nothing is sent yet
    env.fake.down = False
    assert env.runtime.deliver().sent == 0
    env.later(3600)
    assert env.runtime.deliver().sent == 1
    assert env.runtime.deliver().sent == 0
    assert len(env.fake.messages()) == 1
    assert env.outbox()[0].status == OutboxStatus.SENT


def test_rate_limit_waits_as_long_as_feishu_says(env: Env) -> None:
    env.post(fk.message_event("/我是谁"))
    env.fake.fail_next(
        400,
        {"code": 99991400, "msg": "request trigger frequency limit"},
        **{"x-ogw-ratelimit-reset": "7"},
    )
    assert env.runtime.deliver().retried == 1
    [row] = env.outbox()
    assert row.next_attempt_at == env.clock() + timedelta(seconds=7)
    env.later(7)
    assert env.runtime.deliver().sent == 1


def test_server_error_is_retried(env: Env) -> None:
    env.post(fk.message_event("/我是谁"))
    env.fake.fail_next(500, {"code": 1000004, "msg": "internal error"})
    assert env.runtime.deliver().retried == 1
    env.later(3600)
    assert env.runtime.deliver().sent == 1


def test_bot_not_in_chat_is_permanent(env: Env) -> None:
    env.post(fk.message_event("/我是谁"))
    env.fake.fail_next(400, {"code": 230002, "msg": "Bot/User can NOT be out of the chat."})
    assert env.runtime.deliver().dead == 1
    assert env.outbox()[0].status == OutboxStatus.DEAD


def _notice_to(env: Env, chat_id: str) -> None:
    with transaction(env.runtime.factory) as session:
        outbox_service.enqueue(
            session,
            key=f"notice:{chat_id}",
            platform="feishu",
            address=chat_id,
            reply=Reply(title="周会通知", body="周三 10:00 周会。"),
            now=env.clock(),
        )


def test_the_bot_joins_a_public_group_it_is_not_in_and_posts_once(env: Env) -> None:
    # Given a public group (no join verification) the bot was never added to
    env.fake.bot_outside.add("oc_public")
    env.fake.public_chats.add("oc_public")
    # When a notice is due there
    _notice_to(env, "oc_public")
    # Then the bot joins by itself (me_join) and the notice is posted once
    assert env.runtime.deliver().sent == 1
    assert env.fake.joins == ["oc_public"]
    [call] = env.fake.messages()
    assert call.body["receive_id"] == "oc_public"
    # And a second notice there needs no join
    with transaction(env.runtime.factory) as session:
        outbox_service.enqueue(
            session,
            key="notice:again",
            platform="feishu",
            address="oc_public",
            reply=Reply(title="周会通知", body="改到周四。"),
            now=env.clock(),
        )
    assert env.runtime.deliver().sent == 1
    assert env.fake.joins == ["oc_public"]


@pytest.mark.parametrize(
    ("kind", "code"), [("private", "232008"), ("verified", "232075")], ids=["private", "verified"]
)
def test_a_group_the_bot_may_not_join_stops_the_notice_saying_why(
    env: Env, kind: str, code: str
) -> None:
    # Given a private group, or a public one that verifies joins, without the bot
    env.fake.bot_outside.add("oc_closed")
    if kind == "verified":
        env.fake.verified_chats.add("oc_closed")
    _notice_to(env, "oc_closed")
    # When it is delivered: the bot tries to join once, Feishu refuses
    assert env.runtime.deliver().dead == 1
    assert env.fake.joins == ["oc_closed"] and not env.fake.messages()
    # Then the notice stops with Feishu's reasons and what the admin does
    [row] = env.outbox()
    error = row.last_error or ""
    assert "230002" in error and code in error and "添加机器人" in error


def test_withdrawn_message_is_answered_in_the_chat(env: Env) -> None:
    env.post(fk.message_event("/我是谁", chat_id="oc_team"))
    env.fake.fail_next(400, {"code": 230011, "msg": "The message was withdrawn."})
    assert env.runtime.deliver().sent == 1
    [call] = env.fake.messages()
    assert call.path == "/open-apis/im/v1/messages"
    assert call.query == {"receive_id_type": "chat_id"} and call.body["receive_id"] == "oc_team"


# -- card buttons ---------------------------------------------------------------------------


def _notice_with_button(env: Env, command: str) -> str:
    reply = Reply(
        title="值班提醒",
        body="今天轮到你值班。",
        buttons=[Button(label="看看我是谁", command=command, style=ButtonStyle.PRIMARY)],
    )
    with transaction(env.runtime.factory) as session:
        outbox_service.enqueue(
            session,
            key="notice:1",
            platform="feishu",
            address="oc_group",
            reply=reply,
            now=env.clock(),
        )
    env.runtime.deliver()
    [call] = env.fake.messages()
    button = call.content["body"]["elements"][1]["columns"][0]["elements"][0]
    assert button["behaviors"] == [{"type": "callback", "value": {"cmd": command}}]
    assert button["type"] == "primary"
    return env.outbox()[0].external_id or ""


def test_card_button_runs_the_command_and_updates_the_card(env: Env) -> None:
    message_id = _notice_with_button(env, "/我是谁")
    response = env.post(fk.card_action("/我是谁", message_id=message_id), path=CARD_PATH)
    assert response.status_code == 200
    answer = response.json()
    assert answer["toast"]["type"] == "success" and "我是谁" in answer["toast"]["content"]
    card = answer["card"]
    assert card["type"] == "raw"
    elements = card["data"]["body"]["elements"]
    assert elements[0]["content"] == "今天轮到你值班。"  # the original notice stays
    assert {"tag": "hr"} in elements and "<at id=ou_zhang></at>" in elements[-1]["content"]
    # nothing was queued: the answer is the card itself
    assert len(env.outbox()) == 1


def test_pressing_twice_with_the_same_event_answers_once(env: Env) -> None:
    message_id = _notice_with_button(env, "/我是谁")
    press = fk.card_action("/我是谁", message_id=message_id, event_id="press-1")
    assert env.post(press, path=CARD_PATH).json()["toast"]["type"] == "success"
    again = env.post(press, path=CARD_PATH).json()
    assert again["toast"]["type"] == "info" and "card" not in again


def test_card_button_with_a_failing_command_shows_an_error_toast(env: Env) -> None:
    response = env.post(fk.card_action("/不存在的指令"), path=CARD_PATH)
    assert response.json()["toast"]["type"] == "error"
    assert "无法识别指令" in response.json()["toast"]["content"]


def test_card_button_without_a_command_is_refused_politely(env: Env) -> None:
    response = env.post(fk.card_action(None), path=CARD_PATH)
    assert response.status_code == 200 and response.json()["toast"]["type"] == "warning"


# -- refused requests -----------------------------------------------------------------------------


def _bad_requests(env: Env) -> dict[str, Any]:
    event = fk.message_event("/我是谁")
    now = env.clock().timestamp()
    body, headers = fk.signed(event, timestamp=now)
    unsigned = {k: v for k, v in headers.items() if not k.startswith("X-Lark")}
    return {
        "wrong signature": (fk.signed(event, timestamp=now, signing_key="forged"), 401),
        "wrong token": (fk.signed(fk.message_event("/我是谁", token="forged"), timestamp=now), 403),
        # signed with the right key over a ciphertext made with another: only a key holder
        # gets this far (a wrong signature is refused before decrypting, 401)
        "bad ciphertext": (
            fk.signed(event, timestamp=now, key="another-key", signing_key=fk.ENCRYPT_KEY),
            400,
        ),
        "another key's signature": (fk.signed(event, timestamp=now, key="another-key"), 401),
        "malformed JSON": ((b"{not json", headers), 400),
        "unknown event type": (
            fk.signed(
                {"schema": "2.0", "header": fk.header("im.chat.disbanded_v1"), "event": {}},
                timestamp=now,
            ),
            400,
        ),
        "unsigned": ((body, unsigned), 401),
        "stale": (fk.signed(event, timestamp=now - 3600), 401),
        "not an object": ((b"[1, 2]", headers), 400),
        "plain": (fk.signed(event, timestamp=now, encrypted=False), 400),
    }


@pytest.mark.parametrize(
    "case",
    [
        "wrong signature",
        "wrong token",
        "bad ciphertext",
        "another key's signature",
        "malformed JSON",
        "unknown event type",
        "unsigned",
        "stale",
        "not an object",
        "plain",
    ],
)
def test_bad_requests_are_refused_logged_and_change_nothing(
    env: Env, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    (body, headers), status = _bad_requests(env)[case]
    with caplog.at_level(logging.WARNING, logger="teamassist.adapters.feishu.webhook"):
        response = env.http.post(EVENTS_PATH, content=body, headers=headers)
    assert response.status_code == status, response.text
    assert env.events() == 0 and env.outbox() == []
    assert any("refused" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("case", "said"),
    [
        ("unsigned", "missing signature headers: X-Lark-Request-Timestamp, X-Lark-Request-Nonce"),
        ("plain", "plain (unencrypted) request refused"),
    ],
)
def test_a_refusal_says_why_in_words_not_python(env: Env, case: str, said: str) -> None:
    """Tester s27 A-11: a request without the X-Lark headers was answered with lark-oapi's
    TypeError text, and a plain signed event was handled though the docs refuse it."""
    (body, headers), status = _bad_requests(env)[case]
    response = env.http.post(EVENTS_PATH, content=body, headers=headers)
    assert response.status_code == status and said in response.json()["msg"], response.text
    assert "NoneType" not in response.text


@pytest.mark.parametrize(
    "missing", ["X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature"]
)
def test_each_missing_signature_header_is_named_alike(env: Env, missing: str) -> None:
    """Tester s27 C-9: a signed event without its nonce header answered 400 {"msg":"refused"}
    (lark-oapi's TypeError text has quotes in it, so its JSON did not parse), the other two
    401 naming the header. A missing header is the caller's plain mistake: each is named."""
    body, headers = fk.signed(fk.message_event("/我是谁"), timestamp=env.clock().timestamp())
    without = {name: value for name, value in headers.items() if name != missing}
    response = env.http.post(EVENTS_PATH, content=body, headers=without)
    assert response.status_code == 401, response.text
    assert response.json() == {"msg": f"missing signature headers: {missing}"}
    assert env.events() == 0


def test_no_refusal_tells_a_caller_without_the_key_about_the_plaintext(env: Env) -> None:
    """Tester s27 C-7: unsigned, random ciphertext answered 400 「invalid PKCS7 padding」, a
    flipped IV byte 400 with a JSON error's position, a good ciphertext 401: a CBC padding
    oracle. Unsigned, every failure is now one answer; a bad signature is refused before
    anything is decrypted."""
    event = fk.message_event("/我是谁")
    body, headers = fk.signed(event, timestamp=env.clock().timestamp())
    unsigned = {k: v for k, v in headers.items() if not k.startswith("X-Lark")}
    good = json.loads(body)["encrypt"]
    raw = base64.b64decode(good)
    flipped = base64.b64encode(bytes([raw[0] ^ 1]) + raw[1:]).decode()
    answers = set()
    for cipher in (good, flipped, base64.b64encode(os.urandom(48)).decode(), "!!notb64"):
        payload = json.dumps({"encrypt": cipher}).encode()
        response = env.http.post(EVENTS_PATH, content=payload, headers=unsigned)
        answers.add((response.status_code, response.text))
        forged = {**headers, "X-Lark-Signature": "0" * 64}
        signed_badly = env.http.post(EVENTS_PATH, content=payload, headers=forged)
        assert signed_badly.status_code == 401, signed_badly.text
        assert signed_badly.json()["msg"] == "signature verification failed"
    assert len(answers) == 1, answers
    [(status, text)] = answers
    assert status == 401 and "padding" not in text and "Expecting" not in text
    assert env.events() == 0


def test_card_callback_with_a_forged_signature_is_refused(env: Env) -> None:
    response = env.post(fk.card_action("/我是谁"), path=CARD_PATH, signing_key="forged")
    assert response.status_code == 401
    assert env.events() == 0


def test_reply_body_is_valid_json_card(env: Env) -> None:
    env.post(fk.message_event("/帮助", chat_type="p2p", chat_id="oc_p2p"))
    env.runtime.deliver()
    [call] = env.fake.messages()
    assert json.loads(call.body["content"])["body"]["elements"]


def test_webhook_without_encrypt_key_refuses_everything(
    fake: FakeFeishu, sqlite_url: str, clock: FrozenClock
) -> None:
    runtime = make_runtime(
        sqlite_url,
        clock,
        feishu={
            "enabled": True,
            "app_id": "cli_x",
            "app_secret": fk.APP_SECRET,
            "verification_token": fk.VERIFICATION_TOKEN,
            "domain": fake.url,
        },
    )
    with TestClient(create_app(runtime, start_background=False)) as http:
        body = json.dumps(fk.message_event("/我是谁")).encode()
        response = http.post(EVENTS_PATH, content=body)
    assert response.status_code == 503


def test_event_that_cannot_be_recorded_is_refused_so_feishu_redelivers(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = fk.message_event("/我是谁", event_id="ev-db-down")
    real = env.runtime.dispatcher.record

    def database_down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("database is down")

    monkeypatch.setattr(env.runtime.dispatcher, "record", database_down)
    assert env.post(event).status_code == 503
    monkeypatch.setattr(env.runtime.dispatcher, "record", real)
    assert env.post(event).status_code == 200  # Feishu's redelivery
    env.runtime.deliver()
    assert len(env.fake.messages()) == 1


def test_without_the_contact_scope_a_new_member_is_enrolled_by_id(env: Env) -> None:
    env.post(fk.message_event("/我是谁", sender="ou_nobody123", message_id="om_a"))
    env.post(fk.message_event("/帮助", sender="ou_nobody123", message_id="om_b"))
    assert env.fake.user_lookups == ["ou_nobody123"]  # the refusal is remembered
    with env.runtime.factory() as session:
        identity = session.scalar(
            select(PlatformIdentity).where(PlatformIdentity.user_key == "ou_nobody123")
        )
        assert identity is not None and identity.member.handle == "feishu-obody123"


def test_tenant_token_is_fetched_again_after_it_expires(env: Env) -> None:
    # lark-oapi keeps a token until 10 minutes before its expiry (on the real clock)
    env.fake.token_ttl = 601
    env.post(fk.message_event("/我是谁", message_id="om_a"))
    env.runtime.deliver()
    time.sleep(2.1)
    env.post(fk.message_event("/帮助", message_id="om_b"))
    assert env.runtime.deliver().sent == 1
    # (the name lookup shares the cache and may fetch one more on the way)
    assert len(env.fake.token_requests) >= 2
    first, second = (c.headers["authorization"] for c in env.fake.messages())
    assert first != second


def test_slow_command_is_acknowledged_in_time_and_still_answered(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    from teamassist.adapters import webhook_kit

    monkeypatch.setattr(webhook_kit, "ACK_SECONDS", 0.05)
    real = env.runtime.dispatcher.handle

    release, finished = threading.Event(), threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        # Held until the webhook has answered: the check is causal, not a race against a
        # wall-clock bound that a loaded CI machine can miss.
        release.wait(30)
        try:
            return real(*args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(env.runtime.dispatcher, "handle", slow)
    assert env.post(fk.message_event("/我是谁")).status_code == 200
    assert not finished.is_set()  # answered before the command finished
    release.set()
    deadline = time.monotonic() + 10
    while not env.outbox() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert env.runtime.deliver().sent == 1
