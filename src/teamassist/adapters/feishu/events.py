"""Feishu event payloads → :class:`InboundMessage`."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from lark_oapi.api.im.v1 import P2ImMessageReceiveV1

from teamassist.chat.types import ChatType, InboundMessage, Mention
from teamassist.enums import Platform

log = logging.getLogger(__name__)

_CHAT_TYPES = {"p2p": ChatType.DIRECT, "group": ChatType.GROUP}


def mention_token(open_id: str) -> str:
    """How a Feishu mention is written into the text for the core parser (``<@!ou_x>``)."""
    return f"<@!{open_id}>"


def message_from_event(
    data: P2ImMessageReceiveV1, *, bot_open_id: str = "", now: datetime | None = None
) -> InboundMessage | None:
    """The chat message inside an ``im.message.receive_v1`` event (None: nothing to handle)."""
    header, event = data.header, data.event
    if header is None or event is None or event.message is None or event.sender is None:
        return None
    sender, message = event.sender, event.message
    if sender.sender_type not in (None, "user"):
        return None  # other bots and apps: never answer machines
    open_id = sender.sender_id.open_id if sender.sender_id else None
    if not open_id or not message.chat_id:
        return None
    text = _text_of(message.message_type or "", message.content or "")
    if text is None:
        log.info("feishu: %s message %s ignored", message.message_type, message.message_id)
        return None
    mentions: list[Mention] = []
    # Replace "@_user_1" keys by tokens the parser reads; longest key first (@_user_10).
    for item in sorted(message.mentions or [], key=lambda m: len(m.key or ""), reverse=True):
        mentioned = item.id.open_id if item.id else None
        if not item.key or not mentioned:
            continue
        text = text.replace(item.key, mention_token(mentioned))
        mentions.append(
            Mention(
                user_key=mentioned,
                display=item.name or "",
                is_bot=bool(bot_open_id) and mentioned == bot_open_id,
            )
        )
    inbound = InboundMessage(
        platform=Platform.FEISHU,
        tenant_key=header.tenant_key or sender.tenant_key or "",
        chat_key=message.chat_id,
        chat_type=_CHAT_TYPES.get(message.chat_type or "", ChatType.GROUP),
        sender_key=open_id,
        text=text,
        mentions=mentions,
        event_id=header.event_id or f"message:{message.message_id}",
        message_id=message.message_id or "",
    )
    if now is not None:
        inbound.received_at = now
    return inbound


def _text_of(message_type: str, content: str) -> str | None:
    try:
        parsed: Any = json.loads(content)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    if message_type == "text":
        text = parsed.get("text")
        return text if isinstance(text, str) else None
    if message_type == "post":
        return _post_text(parsed)
    return None


def _post_text(post: dict[str, Any]) -> str | None:
    """Flatten a rich-text post: text runs, links and @mentions, one line per paragraph."""
    if "content" not in post:  # wrapped by locale: {"zh_cn": {...}}
        post = next((v for v in post.values() if isinstance(v, dict) and "content" in v), {})
    paragraphs = post.get("content")
    if not isinstance(paragraphs, list):
        return None
    lines: list[str] = []
    for paragraph in paragraphs:
        runs: list[str] = []
        for run in paragraph if isinstance(paragraph, list) else []:
            if not isinstance(run, dict):
                continue
            tag = run.get("tag")
            if tag in ("text", "a", "md"):
                runs.append(str(run.get("text", "")))
            elif tag == "at":
                user = str(run.get("user_id", ""))
                runs.append(user if user.startswith("@_") else mention_token(user))
        lines.append("".join(runs))
    return "\n".join(lines).strip()
