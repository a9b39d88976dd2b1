"""Verified Feishu requests into dispatcher calls: shared by the webhook and the long connection."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from lark_oapi.api.im.v1 import P2ImMessageReceiveV1
from lark_oapi.api.task.v2 import P2TaskTaskUpdateUserAccessV2
from lark_oapi.event.dispatcher_handler import EventDispatcherHandler

from teamassist.adapters import webhook_kit
from teamassist.adapters.feishu.cards import CardActions
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.events import message_from_event
from teamassist.chat.dispatcher import Dispatcher
from teamassist.chat.types import InboundMessage
from teamassist.clock import Clock

log = logging.getLogger(__name__)


class FeishuInbound:
    """Turns verified Feishu requests into dispatcher calls (shared by webhook and long conn)."""

    def __init__(
        self,
        settings: FeishuSettings,
        dispatcher: Dispatcher,
        cards: CardActions,
        clock: Clock,
        names: Callable[[str], str] | None = None,
        task_events: Callable[[P2TaskTaskUpdateUserAccessV2], None] | None = None,
    ) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self.cards = cards
        self.clock = clock
        self.names = names
        self.task_events = task_events

    def handler(self, on_message: Callable[[InboundMessage], None]) -> EventDispatcherHandler:
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

        builder = (
            EventDispatcherHandler.builder(encrypt_key, token)
            .register_p2_im_message_receive_v1(_message)
            .register_p2_card_action_trigger(self.cards)
        )
        if self.task_events is not None:
            builder = builder.register_p2_task_task_update_user_access_v2(self.task_events)
        return builder.build()

    def dispatch(self, message: InboundMessage) -> None:
        """Handle one message, never raising (long connection: Feishu does not redeliver)."""
        try:
            self.handle(message)
        except Exception:  # recorded as "received" (or not at all): the replay job retries it
            log.exception("feishu: dispatching event %s failed", message.event_id)

    def handle(self, message: InboundMessage) -> None:
        """Record, then handle one message; the reply goes out through the outbox."""
        row_id = self.record(message)
        if row_id is not None:
            self.process(row_id, message)

    def record(self, message: InboundMessage) -> int | None:
        """Put one message in the inbox; its row id, None when Feishu sent it before."""
        log.info(
            "feishu event %s: %s message from %s in chat %s",
            message.event_id,
            message.chat_type.value,
            message.sender_key,
            message.chat_key,
        )
        row_id = self.dispatcher.record(message)
        if row_id is None:
            log.info("feishu: event %s redelivered, ignored", message.event_id)
        return row_id

    def process(self, row_id: int, message: InboundMessage) -> None:
        """Handle a recorded message (the sender's name looked up first: a Feishu call that
        may be slow, so it is not made before the event is safely in the inbox)."""
        if self.names is not None and not message.sender_name:
            message.sender_name = self.names(message.sender_key)
        self.dispatcher.process(row_id, message, reply_via_outbox=True)

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
