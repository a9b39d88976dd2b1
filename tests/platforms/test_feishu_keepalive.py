"""lark-oapi's calls go over one kept-alive connection per process (adapters/feishu/keepalive)."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
from httpcore._backends.sync import SyncBackend
from lark_oapi.core.http import transport

from teamassist.adapters.feishu import keepalive
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.sender import FeishuSender
from teamassist.chat.types import Reply
from teamassist.outbox.senders import OutgoingMessage
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu


def _sender(fake: FakeFeishu) -> FeishuSender:
    settings = FeishuSettings(
        enabled=True,
        app_id="cli_keepalive",
        app_secret=fk.APP_SECRET,
        encrypt_key=fk.ENCRYPT_KEY,
        verification_token=fk.VERIFICATION_TOKEN,
        domain=fake.url,
    )
    return FeishuSender(settings)


def _notice(n: int) -> OutgoingMessage:
    return OutgoingMessage(
        outbox_id=n,
        platform="feishu",
        address=f"oc_keepalive_{n}",
        reply=Reply(text=f"早上好 {n}"),
        idempotency_key=f"keepalive-{n}",
    )


def test_notices_share_one_connection(fake: FakeFeishu, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a sender whose process has not connected to the fake yet
    fake.reset()
    sender = _sender(fake)
    monkeypatch.setattr(transport, "requests", keepalive.KeepAliveRequests())
    connects: list[Any] = []
    original = SyncBackend.connect_tcp

    def counted(self: SyncBackend, *args: Any, **kwargs: Any) -> Any:
        connects.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SyncBackend, "connect_tcp", counted)
    # when it sends five notices, one after another
    ids = [sender.send(_notice(n)) for n in range(5)]
    # then all five arrived, over one connection (the tenant token is fetched on its own client)
    assert all(ids) and len(fake.messages()) == 5
    assert len(connects) == 1


def test_a_forked_process_makes_its_own_client(monkeypatch: pytest.MonkeyPatch) -> None:
    # given this process's client
    stand_in = keepalive.KeepAliveRequests()
    parents = stand_in.client()
    assert stand_in.client() is parents  # kept
    # when the same object is used under another process id (a prefork child)
    monkeypatch.setattr(os, "getpid", lambda: -1)
    # then it never reuses the parent's sockets
    assert stand_in.client() is not parents


def test_anything_but_a_json_body_goes_to_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(requests, "request", lambda method, url, **kw: seen.append((method, kw)))
    stand_in = keepalive.KeepAliveRequests()
    stand_in.request("POST", "http://x/upload", data=iter([b"part"]), timeout=3.0)
    assert [method for method, _ in seen] == ["POST"]
    assert stand_in.exceptions is requests.exceptions  # other names pass through
