"""Small talk through an OpenAI-compatible provider: a local fake speaking the chat-completions
protocol, driven through the dispatcher as a Feishu DM; failures fall back to the help hint.
On every backend: the held hint and its release are outbox rows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from teamassist.chat.types import ChatType, Reply
from teamassist.clock import FrozenClock
from teamassist.enums import Platform
from tests.conftest import load_demo, make_runtime
from tests.support.chat import ChatDriver
from tests.support.server import serve


class FakeProvider:
    """What the fake answers next, and what it was asked."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        self.headers: list[str] = []

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def complete(request: Request) -> Response:
            self.requests.append(await request.json())
            self.headers.append(request.headers.get("authorization", ""))
            if self.mode == "slow":
                await asyncio.sleep(2.5)  # longer than the client's timeout
            if self.mode == "error":
                return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
            if self.mode == "garbage":
                return PlainTextResponse("<html>not json</html>")
            if self.mode == "empty":
                return JSONResponse(
                    {"choices": [{"message": {"role": "assistant", "content": ""}}]}
                )
            return JSONResponse(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "你好！今天过得怎么样？"},
                            "finish_reason": "stop",
                        }
                    ],
                }
            )

        return app


@pytest.fixture
def fake() -> Iterator[tuple[FakeProvider, str]]:
    provider = FakeProvider()
    with serve(provider.app()) as base:
        yield provider, base


@pytest.fixture
def talk(db_url: str, clock: FrozenClock, fake: tuple[FakeProvider, str]) -> Iterator[ChatDriver]:
    """The demo on every backend (the hint is held in the outbox and released or replaced
    after the dispatcher's commit), with the fake as its chat provider."""
    _, base = fake
    runtime = make_runtime(
        db_url,
        clock,
        chat_provider={
            "url": f"{base}/v1/chat/completions",
            "api_key": "sk-test",
            "timeout_seconds": 1.0,
        },
    )
    load_demo(runtime)
    yield ChatDriver(runtime)
    runtime.close()


def _dm(chat: ChatDriver, text: str) -> Reply | None:
    return chat.say(
        text, as_="ou_zhang", platform=Platform.FEISHU, chat_key="oc_p2p", tenant_key="t1"
    )


def _turn(chat: ChatDriver) -> tuple[str, bool]:
    """The one message queued for the DM: its text and whether it is released now."""
    [row] = [m for m in chat.queued() if m.address == "oc_p2p"]
    assert row.idempotency_key.startswith("smalltalk:feishu:t1:")
    released = row.next_attempt_at <= chat.runtime.clock()
    return chat.queued_texts("oc_p2p")[0], released


def test_the_provider_answers_a_dm(talk: ChatDriver, fake: tuple[FakeProvider, str]) -> None:
    provider, _ = fake
    assert _dm(talk, "你好呀") is None  # the answer is queued, not returned
    text, released = _turn(talk)
    assert (text, released) == ("你好！今天过得怎么样？", True)
    [asked] = provider.requests
    assert asked["messages"][-1] == {"role": "user", "content": "你好呀"}
    assert provider.headers == ["Bearer sk-test"]
    talk.runtime.deliver()
    assert talk.runtime.senders["feishu"].texts() == ["你好！今天过得怎么样？"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", ["error", "garbage", "empty", "slow"])
def test_a_failing_provider_falls_back_to_the_hint(
    talk: ChatDriver, fake: tuple[FakeProvider, str], mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider, _ = fake
    provider.mode = mode
    # what the client was told to wait and how the call ended, instead of a wall-clock bound
    # (one of < 2.4 s failed on a loaded machine)
    calls: list[tuple[object, str]] = []
    real_post = httpx.post

    def watched(*args: Any, **kwargs: Any) -> httpx.Response:
        try:
            response = real_post(*args, **kwargs)
        except httpx.HTTPError as exc:
            calls.append((kwargs.get("timeout"), type(exc).__name__))
            raise
        calls.append((kwargs.get("timeout"), "answered"))
        return response

    monkeypatch.setattr(httpx, "post", watched)  # the provider imports httpx when asked
    assert _dm(talk, "你好呀") is None
    [(timeout, ended)] = calls
    assert timeout == 1.0  # the configured timeout_seconds
    if mode == "slow":  # the fake sleeps 2.5 s: the client gave up at its timeout
        assert ended == "ReadTimeout"
    text, released = _turn(talk)
    assert text.startswith("我还不会闲聊，试试 /帮助") and released


def test_commands_groups_and_web_chat_never_reach_the_provider(
    talk: ChatDriver, fake: tuple[FakeProvider, str]
) -> None:
    provider, _ = fake
    assert talk.say(
        "/帮助", as_="ou_zhang", platform=Platform.FEISHU, chat_key="oc_p2p", tenant_key="t1"
    )
    group = talk.say(
        "你好呀",
        as_="ou_zhang",
        platform=Platform.FEISHU,
        chat_key="oc_g",
        chat_type=ChatType.GROUP,
        tenant_key="t1",
    )
    assert group is None
    web = talk.text("你好呀", as_="zhangsan")
    assert web.startswith("我还不会闲聊")
    assert provider.requests == []
