"""Feishu webhooks: events (``im.message.receive_v1``) and card callbacks.

lark-oapi's :class:`EventDispatcherHandler` decrypts the body (AES-256-CBC, key SHA-256 of the
Encrypt Key), checks the verification token, answers the URL challenge and verifies
``X-Lark-Signature``. It answers every failure with HTTP 500; here they become 4xx and are logged.
Message events go through the dispatcher in a worker thread; the answer waits for it at most
two seconds (``webhook_kit.ack_within``; Feishu wants an answer within 3 s). By then the event
is in the inbox, so a crash is replayed by the scheduler; when it could not even be recorded
the answer is 503 and Feishu redelivers. The inbox drops a redelivered ``event_id`` and a
message pushed again under a new one. Card callbacks are answered
synchronously (toast + updated card).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

import lark_oapi as lark
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from lark_oapi.api.im.v1 import P2ImMessageReceiveV1
from lark_oapi.core.model import RawRequest
from starlette.concurrency import run_in_threadpool

from teamassist.adapters import webhook_kit
from teamassist.adapters.feishu.cards import CardActions
from teamassist.adapters.feishu.client import build_client
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.events import message_from_event
from teamassist.adapters.feishu.names import UserNames
from teamassist.chat.dispatcher import Dispatcher
from teamassist.chat.types import InboundMessage
from teamassist.clock import Clock

if TYPE_CHECKING:
    from teamassist.runtime import Runtime

log = logging.getLogger(__name__)

EVENTS_PATH = "/webhooks/feishu/events"
CARD_PATH = "/webhooks/feishu/card"
_SIGNATURE_HEADERS = (
    "X-Lark-Request-Timestamp",
    "X-Lark-Request-Nonce",
    "X-Lark-Signature",
)


class FeishuInbound:
    """Turns verified Feishu requests into dispatcher calls (shared by webhook and long conn)."""

    def __init__(
        self,
        settings: FeishuSettings,
        dispatcher: Dispatcher,
        cards: CardActions,
        clock: Clock,
        names: Callable[[str], str] | None = None,
    ) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self.cards = cards
        self.clock = clock
        self.names = names

    def handler(self, on_message: Callable[[InboundMessage], None]) -> lark.EventDispatcherHandler:
        """An SDK handler whose message events go to ``on_message`` and buttons to the cards."""
        encrypt_key = _secret(self.settings.encrypt_key)
        token = _secret(self.settings.verification_token)

        def _message(data: P2ImMessageReceiveV1) -> None:
            try:
                message = message_from_event(
                    data, bot_open_id=self.settings.bot_open_id, now=self.clock()
                )
            except Exception:  # a payload we cannot read: acknowledge it, do not retry forever
                log.exception("feishu: unreadable im.message.receive_v1 event")
                return
            if message is not None:
                on_message(message)

        return (
            lark.EventDispatcherHandler.builder(encrypt_key, token)
            .register_p2_im_message_receive_v1(_message)
            .register_p2_card_action_trigger(self.cards)
            .build()
        )

    def dispatch(self, message: InboundMessage) -> None:
        """Handle one message, never raising (long connection: Feishu does not redeliver)."""
        try:
            self.handle(message)
        except Exception:  # recorded as "received" (or not at all): the replay job retries it
            log.exception("feishu: dispatching event %s failed", message.event_id)

    def handle(self, message: InboundMessage) -> None:
        """Handle one message; the reply goes out through the outbox."""
        if self.names is not None and not message.sender_name:
            message.sender_name = self.names(message.sender_key)
        log.info(
            "feishu event %s: %s message from %s in chat %s",
            message.event_id,
            message.chat_type.value,
            message.sender_key,
            message.chat_key,
        )
        result = self.dispatcher.handle(message, reply_via_outbox=True)
        if result.duplicate:
            log.info("feishu: event %s redelivered, ignored", message.event_id)

    def stale(self, headers: dict[str, str]) -> bool:
        """True when a signed request's timestamp is too far from now (a replay)."""
        stamp = headers.get("x-lark-request-timestamp")
        if stamp is None:
            return False
        try:  # strictly digits: float() would take "nan", which is never "too far" from now
            sent = webhook_kit.unix_seconds(stamp, name="X-Lark-Request-Timestamp")
        except webhook_kit.BadInput:
            return True
        now = self.clock().timestamp()
        return abs(now - sent) > self.settings.max_request_age_seconds


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


def build_router(runtime: Runtime) -> APIRouter:
    """Feishu's inbound side: webhook routes, or (long connection) a lifespan that connects."""
    settings = runtime.settings.feishu
    # A short timeout: names are looked up while Feishu waits for the answer (3 s at most).
    names = UserNames(build_client(settings, timeout=1.5)) if settings.lookup_names else None
    inbound = FeishuInbound(
        settings,
        runtime.dispatcher,
        CardActions(runtime.dispatcher, runtime.factory, runtime.clock, names=names),
        runtime.clock,
        names=names,
    )
    if settings.mode == "long_connection":
        return _long_connection_router(settings, inbound)
    router = APIRouter(tags=["feishu"], include_in_schema=False)
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="feishu-webhook")

    async def receive(request: Request) -> Response:
        if settings.missing():  # without both secrets nothing could be verified: refuse all
            log.error("feishu webhook refused: %s", "; ".join(settings.missing()))
            return JSONResponse({"msg": "feishu webhook is not configured"}, status_code=503)
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            webhook_kit.json_object(body)
        except webhook_kit.BadInput as exc:
            return _refuse(request, 400, f"malformed JSON: {exc}")
        if inbound.stale(headers):
            return _refuse(request, 401, "stale or future request timestamp")
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
            unsigned = any(name not in raw.headers for name in _SIGNATURE_HEADERS)
            return _refuse(request, _status_for(reason, unsigned), reason)
        for message in collected:
            error = await webhook_kit.ack_within(
                executor,
                partial(inbound.handle, message),
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


def _status_for(reason: str, unsigned: bool) -> int:
    if "verification_token" in reason:
        return 403
    if "signature" in reason or (unsigned and "NoneType" in reason):
        return 401
    return 400  # bad ciphertext, malformed payload, unknown event type


def _refuse(request: Request, status: int, reason: str) -> Response:
    client = request.client.host if request.client else "?"
    log.warning(
        "feishu webhook %s from %s refused (%s): %s", request.url.path, client, status, reason
    )
    return JSONResponse({"msg": reason}, status_code=status)
