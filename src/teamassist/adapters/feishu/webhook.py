"""Feishu webhooks: events (``im.message.receive_v1``) and card callbacks.

lark-oapi's :class:`EventDispatcherHandler` decrypts the body (AES-256-CBC, key SHA-256 of the
Encrypt Key), checks the verification token, answers the URL challenge and verifies
``X-Lark-Signature``. It answers every failure with HTTP 500; here they become 4xx and are logged.
Message events go through the dispatcher in a worker thread; the answer waits for it at most
two seconds (``webhook_kit.record_then_ack``; Feishu wants an answer within 3 s). By then the event
is in the inbox, so a crash is replayed by the scheduler; when it could not even be recorded
the answer is 503 and Feishu redelivers. The inbox drops a redelivered ``event_id`` and a
message pushed again under a new one. Card callbacks are answered
synchronously (toast + updated card).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from lark_oapi.core.model import RawRequest
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from teamassist.adapters import webhook_kit
from teamassist.adapters.feishu.cards import CardActions
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.inbound import FeishuInbound
from teamassist.adapters.feishu.task_events import TaskEvents
from teamassist.chat.dispatcher import Dispatcher
from teamassist.chat.types import InboundMessage
from teamassist.clock import Clock
from teamassist.enums import Platform
from teamassist.http.routes import Routes
from teamassist.ports import Directory, Ports

log = logging.getLogger(__name__)

EVENTS_PATH = "/webhooks/feishu/events"
CARD_PATH = "/webhooks/feishu/card"
_SIGNATURE_HEADERS = (
    "X-Lark-Request-Timestamp",
    "X-Lark-Request-Nonce",
    "X-Lark-Signature",
)


def build_router(
    settings: FeishuSettings,
    *,
    dispatcher: Dispatcher,
    factory: sessionmaker[Session],
    clock: Clock,
) -> APIRouter:
    """Feishu's inbound side: webhook routes, or (long connection) a lifespan that connects."""
    # Senders are named through the directory (its contact answers are remembered an hour).
    names = _names(dispatcher.ports) if settings.lookup_names else None
    inbound = FeishuInbound(
        settings,
        dispatcher,
        CardActions(dispatcher, factory, clock, names=names),
        clock,
        names=names,
        task_events=TaskEvents(settings, factory) if settings.workspace_tools else None,
    )
    if settings.mode == "long_connection":
        return _long_connection_router(settings, inbound)
    router = Routes(tags=["feishu"], include_in_schema=False)
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="feishu-webhook")

    async def receive(request: Request) -> Response:
        if settings.missing():  # without both secrets nothing could be verified: refuse all
            log.error("feishu webhook refused: %s", "; ".join(settings.missing()))
            return JSONResponse({"msg": "feishu webhook is not configured"}, status_code=503)
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            parsed = webhook_kit.json_object(body)
        except webhook_kit.BadInput as exc:
            return _refuse(request, 400, f"malformed JSON: {exc}")
        if not isinstance(parsed.get("encrypt"), str):
            # With an Encrypt Key set Feishu encrypts every request, the URL challenge
            # included; lark-oapi would take a plain body (signed with the same key), which
            # the docs say is refused (tester s27 A-11).
            return _refuse(request, 400, "plain (unencrypted) request refused: expected encrypt")
        if inbound.stale(headers):
            return _refuse(request, 401, "stale or future request timestamp")
        missing = [name for name in _SIGNATURE_HEADERS if name.lower() not in headers]
        secret = settings.encrypt_key.get_secret_value() if settings.encrypt_key else ""
        if not missing and not _signed(headers, body, secret):
            # Checked before anything is decrypted (lark-oapi decrypts first and checks the
            # signature after): a caller without the key learns nothing of the ciphertext.
            return _refuse(request, 401, "signature verification failed")
        collected: list[InboundMessage] = []
        raw = RawRequest()
        raw.uri = request.url.path
        raw.body = body
        # lark-oapi reads the canonical header names.
        raw.headers = {
            name: headers[name.lower()] for name in _SIGNATURE_HEADERS if name.lower() in headers
        }
        result = await run_in_threadpool(inbound.handler(collected.append).do, raw)
        if result.status_code != 200:
            reason = _reason(result.content)
            if missing:
                # Unsigned, only the URL challenge may pass. Every other failure gets one answer,
                # whatever lark-oapi met while decrypting (its padding and JSON errors told a
                # caller without the key about the plaintext: a CBC padding oracle, tester s27
                # C-7; its TypeError text, A-11); the log keeps the detail.
                said = "missing signature headers: " + ", ".join(missing)
                return _refuse(request, 401, f"{said} ({reason})", said=said)
            return _refuse(request, _status_for(reason), reason)
        for message in collected:
            error = await webhook_kit.record_then_ack(
                executor,
                record=partial(inbound.record, message),
                process=partial(inbound.process, message=message),
                what=f"feishu event {message.event_id}",
            )
            if error is not None:
                log.error(
                    "feishu event %s could not be handled; Feishu will redeliver",
                    message.event_id,
                    exc_info=error,
                )
                return JSONResponse({"msg": "try again"}, status_code=503)
        return Response(content=result.content, media_type="application/json")

    router.add_api_route(EVENTS_PATH, receive, methods=["POST"])
    router.add_api_route(CARD_PATH, receive, methods=["POST"])
    return router


def _names(ports: Ports) -> Callable[[str], str] | None:
    """A sender's Feishu name ('' when it cannot be known), from the ``Directory`` port."""
    if not ports.has(Directory):
        return None
    directory = ports.get(Directory)

    def name(open_id: str) -> str:
        user = directory.user(platform=Platform.FEISHU.value, tenant_key="", user_key=open_id)
        return user.name if user is not None else ""

    return name


def _long_connection_router(settings: FeishuSettings, inbound: FeishuInbound) -> APIRouter:
    from teamassist.adapters.feishu.longconn import LongConnection

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        connection = LongConnection(settings, inbound)
        connection.start()
        try:
            yield
        finally:
            connection.stop()

    return APIRouter(lifespan=lifespan)


def _reason(content: bytes | None) -> str:
    try:
        return str(json.loads(content or b"{}").get("msg", "refused"))
    except ValueError:
        return "refused"


def _status_for(reason: str) -> int:
    """401 for a signature that is wrong or missing, 403 for a wrong verification token,
    400 for anything else the SDK refused."""
    if "verification_token" in reason:
        return 403
    if "signature" in reason:
        return 401
    return 400  # bad ciphertext, malformed payload, unknown event type


def _signed(headers: dict[str, str], body: bytes, encrypt_key: str) -> bool:
    """Whether ``X-Lark-Signature`` is SHA-256 of timestamp + nonce + Encrypt Key + the raw
    body (Feishu's event signature, as lark-oapi checks it; compared in constant time)."""
    timestamp = headers.get("x-lark-request-timestamp", "")
    nonce = headers.get("x-lark-request-nonce", "")
    signature = headers.get("x-lark-signature", "")
    expected = hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())


def _refuse(request: Request, status: int, reason: str, *, said: str | None = None) -> Response:
    """Log ``reason`` and answer ``status`` with ``said`` (default: the reason itself)."""
    client = request.client.host if request.client else "?"
    log.warning(
        "feishu webhook %s from %s refused (%s): %s", request.url.path, client, status, reason
    )
    return JSONResponse({"msg": reason if said is None else said}, status_code=status)
