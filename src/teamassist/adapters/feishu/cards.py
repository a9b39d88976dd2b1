"""Card button callbacks (``card.action.trigger``): run the button's command as the presser and
answer synchronously with a toast and the updated card."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from lark_oapi.event.callback.model.p2_card_action_trigger import (
    P2CardActionTrigger,
    P2CardActionTriggerResponse,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from teamassist.adapters.feishu.render import COMMAND_KEY, card, form_command, summary
from teamassist.chat.dispatcher import Dispatcher
from teamassist.chat.types import ChatType, InboundMessage, Reply
from teamassist.clock import Clock
from teamassist.enums import Platform
from teamassist.i18n import t
from teamassist.outbox.models import OutboxMessage

log = logging.getLogger(__name__)


def message_from_action(data: P2CardActionTrigger, *, now: datetime) -> InboundMessage | None:
    """The command a button press stands for, sent by the person who pressed it."""
    header, event = data.header, data.event
    if event is None or event.action is None or event.operator is None:
        return None
    value: Any = event.action.value or {}
    command = value.get(COMMAND_KEY) if isinstance(value, dict) else None
    if isinstance(value, dict) and event.action.form_value is not None:
        command = form_command(value, event.action.form_value)
    open_id = event.operator.open_id
    chat_id = event.context.open_chat_id if event.context else None
    if not isinstance(command, str) or not command.strip() or not open_id:
        return None
    message_id = (event.context.open_message_id if event.context else None) or ""
    event_id = header.event_id if header and header.event_id else f"card:{event.token}"
    return InboundMessage(
        platform=Platform.FEISHU,
        tenant_key=(header.tenant_key if header else None) or event.operator.tenant_key or "",
        chat_key=chat_id or open_id,
        chat_type=ChatType.GROUP if chat_id else ChatType.DIRECT,
        sender_key=open_id,
        text=command.strip(),
        event_id=event_id,
        message_id=message_id,
        is_action=True,
        received_at=now,
    )


class CardActions:
    """Handles button presses on the cards the sender posted."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        factory: sessionmaker[Session],
        clock: Clock,
        *,
        names: Callable[[str], str] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.factory = factory
        self.clock = clock
        self.names = names

    def __call__(self, data: P2CardActionTrigger) -> P2CardActionTriggerResponse:
        """Run the command; the toast says how it went, the card shows the answer below."""
        message = message_from_action(data, now=self.clock())
        if message is None:
            return _toast("warning", t("feishu.card.unknown_button"))
        if self.names is not None:
            message.sender_name = self.names(message.sender_key)
        try:
            result = self.dispatcher.handle(message, reply_via_outbox=False)
        except Exception:  # the dispatcher records its own failures; never fail the callback
            log.exception("feishu card action %s failed", message.event_id)
            return _toast("error", t("core.error.internal", error_id="-"))
        if result.duplicate:
            return _toast("info", t("feishu.card.already_handled"))
        reply = result.reply
        if reply is None:
            return _toast("success", t("feishu.card.done"))
        if reply.is_error:
            return _toast("error", summary(reply, limit=100))
        response: dict[str, Any] = {"toast": {"type": "success", "content": summary(reply)}}
        original = self._original(message.message_id)
        if original is not None:
            response["card"] = {"type": "raw", "data": card(original, result=reply)}
        return P2CardActionTriggerResponse(response)

    def _original(self, message_id: str) -> Reply | None:
        """The notice the pressed card was rendered from (found by Feishu's message id)."""
        if not message_id:
            return None
        with self.factory() as session:
            payload = session.scalar(
                select(OutboxMessage.payload)
                .where(
                    OutboxMessage.platform == Platform.FEISHU.value,
                    OutboxMessage.external_id == message_id,
                )
                .limit(1)
            )
        return Reply.model_validate(payload) if payload else None


def _toast(kind: str, content: str) -> P2CardActionTriggerResponse:
    return P2CardActionTriggerResponse({"toast": {"type": kind, "content": content}})
