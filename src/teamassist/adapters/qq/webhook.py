"""POST /webhooks/qq (or /qq/webhook): QQ's event callback, checked by the adapter's code.

Order of checks: the app id header, a JSON body, then either the op 13 callback validation or,
for everything else, a fresh timestamp and a valid ed25519 signature before the payload is read
into the adapter's models. A refused request is logged and answered 4xx; a signed event we do
not handle (unknown op or type, other notices) is logged and acknowledged with 200 so QQ does not
redeliver it. Message events become :class:`InboundMessage` and go through the dispatcher in a
worker thread; the answer waits for the inbox row, then for the handling, two seconds in all
(``webhook_kit.record_then_ack``: an acknowledged event is in the inbox, and a crash after
that is replayed by the scheduler). Headers and the
body are parsed strictly (``webhook_kit``): bad input is a 4xx with a reason, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from nonebot.adapters.qq.models import Dispatch, WebhookVerify
from sqlalchemy.orm import Session, sessionmaker

from teamassist.adapters import webhook_kit
from teamassist.adapters.qq import protocol
from teamassist.adapters.qq.config import QQSettings
from teamassist.chat.types import InboundMessage
from teamassist.clock import Clock
from teamassist.http.routes import Routes

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
ACK = {"op": 12, "d": 0}  # "HTTP Callback ACK"


def _refuse(status: int, reason: str, request: Request) -> Response:
    client = request.client.host if request.client else "?"
    log.warning("QQ webhook refused (%s) from %s: %s", status, client, reason)
    return JSONResponse({"error": reason}, status_code=status)


def build_router(
    settings: QQSettings,
    *,
    record: Callable[[InboundMessage], int | None],
    process: Callable[..., object],
    factory: sessionmaker[Session],
    clock: Clock,
) -> APIRouter:
    """The QQ webhook routes (QQ must be enabled). ``record(message)`` puts a message in the
    inbox (its row id, None for a redelivery); ``process(row_id, message=message)`` handles it
    and queues its reply in the outbox."""
    secret = settings.secret.get_secret_value() if settings.secret else ""
    qq = protocol.QQProtocol(settings.app_id, secret) if secret and settings.app_id else None
    if qq is None:
        log.error("QQ is enabled without app id or secret: its webhook refuses every request")
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="qq-webhook")
    router = Routes(tags=["qq"], include_in_schema=False)

    async def webhook(request: Request) -> Response:
        if qq is None:
            return _refuse(503, "QQ is not configured (see `teamassist config check`)", request)
        if request.headers.get("X-Bot-Appid") != settings.app_id:
            return _refuse(403, "unknown or missing X-Bot-Appid", request)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _refuse(413, "body too large", request)
        try:
            webhook_kit.json_object(body)
        except webhook_kit.BadInput as exc:
            return _refuse(400, str(exc), request)
        try:
            payload = protocol.parse_payload(body)
        except ValueError as exc:
            return _refuse(400, f"not a QQ payload: {str(exc).splitlines()[0]}", request)

        if isinstance(payload, WebhookVerify):
            if not protocol.plausible_validation(payload):
                return _refuse(400, "op 13 fields are not QQ's shape", request)
            status, content = qq.answer_validation(payload)
            log.info("QQ callback validation answered (%s)", status)
            return Response(content, status_code=status, media_type="application/json")

        headers = dict(request.headers.items())
        problem = _stale(request.headers.get("X-Signature-Timestamp"), clock, settings)
        problem = problem or qq.signature_problem(headers, body)
        if problem:
            return _refuse(403, problem, request)

        if not isinstance(payload, Dispatch):
            log.info("QQ webhook: op %s ignored", getattr(payload, "opcode", "?"))
            return JSONResponse(ACK)
        if not protocol.known_event_type(payload.type):
            log.warning("QQ event type %s (%s) unknown; ignored", payload.type, payload.id)
            return JSONResponse(ACK)
        try:
            event = protocol.payload_to_event(payload)
        except (ValueError, TypeError) as exc:
            log.warning("QQ event %s %s does not parse: %s", payload.type, payload.id, exc)
            return JSONResponse(ACK)
        message = protocol.to_inbound(
            event,
            app_id=settings.app_id,
            admin_role_ids=settings.admin_role_ids,
            admin_group_roles=settings.admin_group_roles,
            received_at=clock(),
        )
        if message is None:
            log.info("QQ event %s (%s) not handled", payload.type, payload.id)
            return JSONResponse(ACK)

        error = await webhook_kit.record_then_ack(
            executor,
            record=partial(_record, record, message),
            process=partial(process, message=message),
            what=f"QQ event {message.event_id}",
        )
        if error is not None:
            log.error(
                "QQ event %s could not be recorded (%r); QQ will redeliver", message.event_id, error
            )
            return JSONResponse({"error": "try again"}, status_code=503)
        return JSONResponse(ACK)

    # /webhooks/qq like the other platforms; /qq/webhook is where NoneBot's adapter listens, so a
    # bot moved over from a NoneBot deployment keeps its callback URL.
    for path in ("/webhooks/qq", "/qq/webhook", "/qq/webhook/"):
        router.add_api_route(path, webhook, methods=["POST"])
    return router


def _stale(timestamp: str | None, clock: Clock, settings: QQSettings) -> str | None:
    try:
        sent = webhook_kit.unix_seconds(timestamp, name="X-Signature-Timestamp")
    except webhook_kit.BadInput as exc:
        return str(exc)
    if settings.max_event_age_seconds <= 0:
        return None
    age = clock().timestamp() - sent
    if age > settings.max_event_age_seconds or age < -60:
        return f"timestamp {sent} is {age:.0f} s old (stale or replayed)"
    return None


def _record(record: Callable[[InboundMessage], int | None], message: InboundMessage) -> int | None:
    row_id = record(message)
    if row_id is None:
        log.info("QQ event %s redelivered; nothing to do", message.event_id)
    return row_id
