"""QQ webhook protocol, done by nonebot-adapter-qq's own code without starting NoneBot.

The adapter's ``Adapter`` needs an initialised NoneBot driver, but the pieces that matter here do
not: the ed25519 key derivation (bot secret repeated to 32 bytes), the op 13 callback answer, the
``X-Signature-Ed25519`` check over ``timestamp + body``, the payload models and the event
classes. :class:`QQProtocol` borrows exactly those methods, so a change of QQ's rules that the
adapter follows reaches us with the adapter upgrade. What the adapter does not do, this module
adds: a freshness check on the signature timestamp, and a refusal to answer op 13 for anything
that could be the start of a signed event (see :func:`plausible_validation`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from nonebot.adapters.qq.adapter import Adapter as _NoneBotQQAdapter
from nonebot.adapters.qq.config import BotInfo
from nonebot.adapters.qq.event import (
    EVENT_CLASSES,
    AtMessageCreateEvent,
    C2CMessageCreateEvent,
    Event,
    GroupAtMessageCreateEvent,
)
from nonebot.adapters.qq.models import (
    Dispatch,
    GroupMentionUser,
    Payload,
    PayloadType,
    WebhookVerify,
)
from nonebot.adapters.qq.utils import unescape
from nonebot.compat import type_validate_json
from nonebot.drivers import Request as NoneBotRequest

from teamassist.chat.parser import MENTION
from teamassist.chat.types import ChatType, InboundMessage, Mention
from teamassist.enums import Platform

CHANNEL, GROUP, C2C = "channel", "group", "c2c"

# QQ's op 13 plain tokens are short random strings and event_ts a unix time; anything else is
# not QQ asking, and signing it would hand out signatures (see plausible_validation).
# fullmatch and ASCII classes: "$" matches before a final newline, "\d" any script's digits.
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_\-]{1,128}")
_DIGITS = re.compile(r"[0-9]{1,20}")


class QQProtocol:
    """The adapter's signature code, bound to one bot's credentials."""

    _get_ed25519_key = _NoneBotQQAdapter._get_ed25519_key
    _webhook_verify = _NoneBotQQAdapter._webhook_verify
    _check_signature = _NoneBotQQAdapter._check_signature

    def __init__(self, app_id: str, secret: str) -> None:
        if not secret:
            # The adapter pads the seed by repeating the secret: an empty one never ends.
            raise ValueError("the QQ bot secret is empty")
        self.app_id = app_id
        # The adapter's methods only read ``bot.bot_info.secret``.
        self._bot = SimpleNamespace(bot_info=BotInfo(id=app_id, secret=secret))

    def answer_validation(self, payload: WebhookVerify) -> tuple[int, bytes]:
        """The op 13 answer: ``{"plain_token", "signature"}`` signed with the bot's key."""
        response = self._webhook_verify(self._bot, payload)  # type: ignore[misc, arg-type]
        content = response.content or b""
        return response.status_code, content.encode() if isinstance(content, str) else content

    def signature_problem(self, headers: dict[str, str], body: bytes) -> str | None:
        """Why the request's ed25519 signature does not hold, or None when it does."""
        request = NoneBotRequest(
            "POST", "http://qq.local/qq/webhook", headers=headers, content=body
        )
        try:
            response = self._check_signature(self._bot, request)  # type: ignore[misc, arg-type]
        except (ValueError, TypeError) as exc:  # e.g. a signature that is not hex
            return f"bad signature header: {exc}"
        if response is None:
            return None
        content = response.content
        return content.decode() if isinstance(content, bytes) else str(content)


def plausible_validation(payload: WebhookVerify) -> bool:
    """Is this op 13 request shaped like QQ's (digits + a short token)?

    The op 13 answer signs ``event_ts + plain_token`` with the same key that signs events
    (``timestamp + body``). Answering any op 13 therefore signs any text an attacker chooses:
    ``event_ts="1700000000", plain_token='{"op":0,...}'`` yields a valid signature for a forged
    event. Events are JSON objects, so a token without ``{`` can never be one.
    """
    return bool(
        _DIGITS.fullmatch(str(payload.data.event_ts))
        and _PLAIN_TOKEN.fullmatch(payload.data.plain_token)
    )


def parse_payload(body: bytes) -> Payload:
    """Read a webhook body into the adapter's payload models (raises ValueError when bad)."""
    return type_validate_json(PayloadType, body)  # type: ignore[arg-type]


def known_event_type(event_type: str) -> bool:
    """Does the adapter have an event class for this dispatch type?

    (Its fallback for unknown types builds the abstract ``Event`` and raises TypeError.)
    """
    return event_type in EVENT_CLASSES


def payload_to_event(payload: Dispatch) -> Event:
    """The adapter's event for a dispatch (a plain ``Event`` for unknown types)."""
    return _NoneBotQQAdapter.payload_to_event(payload)


def is_json_object(body: bytes) -> bool:
    """Does the body hold a JSON object?"""
    try:
        return isinstance(json.loads(body), dict)
    except (ValueError, UnicodeDecodeError):
        return False


@dataclass(frozen=True)
class Address:
    """Where a QQ message goes: ``channel:<id>``, ``group:<openid>`` or ``c2c:<openid>``."""

    kind: str
    target: str

    @classmethod
    def parse(cls, value: str) -> Address:
        """Read an address; a bare id is a guild channel (as channel rows may store it)."""
        kind, sep, target = value.partition(":")
        if not sep:
            return cls(CHANNEL, value)
        if kind not in (CHANNEL, GROUP, C2C) or not target:
            raise ValueError(f"not a QQ address: {value!r}")
        return cls(kind, target)

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}"


# QQ's default guild role ids and group member roles → stable role codes (ports.DirectoryUser).
GUILD_ROLES = {"4": "qq:owner", "2": "qq:admin", "5": "qq:channel_admin", "1": ""}
GROUP_ROLES = {"owner": "qq:group_owner", "admin": "qq:group_admin", "member": ""}


def guild_role_codes(ids: Iterable[str] | None) -> tuple[str, ...]:
    """Role codes of guild role ids ("qq:role:<id>" for a guild's own roles)."""
    codes = (GUILD_ROLES.get(i, f"qq:role:{i}") for i in ids or ())
    return tuple(c for c in codes if c)


def group_role_codes(role: str | None) -> tuple[str, ...]:
    """Role codes of a QQ group member role."""
    code = GROUP_ROLES.get(role or "member", "")
    return (code,) if code else ()


def _strip_bot(text: str, bot_ids: set[str]) -> str:
    """Drop mentions of the bot, in whichever of QQ's syntaxes (``<@!id>``, ``<qqbot-at-user>``)."""
    if not bot_ids:
        return text.strip()

    def _keep(match: re.Match[str]) -> str:
        return "" if (match.group("qq") or match.group("qqat")) in bot_ids else match.group(0)

    return MENTION.sub(_keep, text).strip()


def to_inbound(
    event: Event,
    *,
    app_id: str,
    admin_role_ids: list[str],
    admin_group_roles: list[str],
    received_at: datetime,
) -> InboundMessage | None:
    """Translate a QQ message event into the neutral message; None for events we do not handle.

    Keys: a guild message is ``tenant_key=guild_id``, ``chat_key="channel:<channel_id>"`` and
    the sender's guild user id; a group message ``tenant_key=group_openid``,
    ``chat_key="group:<group_openid>"`` and the member_openid (QQ scopes it to the group); a C2C
    message ``tenant_key=app_id``, ``chat_key="c2c:<user_openid>"`` (openids are per bot).
    """
    common: dict[str, Any] = {
        "platform": Platform.QQ,
        "received_at": received_at,
    }
    # Only @-messages: with MESSAGE_CREATE also subscribed, an @-message would arrive twice under
    # two event ids and be answered twice.
    if isinstance(event, AtMessageCreateEvent):
        users = event.mentions or []
        bot_ids = {u.id for u in users if u.bot}
        mentions = [Mention(user_key=u.id, display=u.username or "") for u in users if not u.bot]
        roles = set(event.member.roles or []) if event.member else set()
        name = (event.member.nick if event.member else None) or event.author.username or ""
        return InboundMessage(
            **common,
            tenant_key=event.guild_id,
            chat_key=str(Address(CHANNEL, event.channel_id)),
            chat_type=ChatType.GROUP,
            sender_key=event.author.id,
            sender_name=name,
            text=_strip_bot(unescape(event.content or ""), bot_ids),
            mentions=mentions,
            event_id=event.event_id or event.id,
            message_id=event.id,
            sender_is_platform_admin=bool(roles & set(admin_role_ids)),
        )
    if isinstance(event, GroupAtMessageCreateEvent):
        group_mentions = [m for m in event.mentions or [] if isinstance(m, GroupMentionUser)]
        bot_ids = {m.member_openid for m in group_mentions if m.bot or m.is_you}
        return InboundMessage(
            **common,
            tenant_key=event.group_openid,
            chat_key=str(Address(GROUP, event.group_openid)),
            chat_type=ChatType.GROUP,
            sender_key=event.author.member_openid,
            sender_name=event.author.username or "",
            text=_strip_bot(unescape(event.content), bot_ids),
            mentions=[
                Mention(user_key=m.member_openid, display=m.username)
                for m in group_mentions
                if not (m.bot or m.is_you)
            ],
            event_id=event.event_id or event.id,
            message_id=event.id,
            sender_is_platform_admin=event.author.member_role in admin_group_roles,
        )
    if isinstance(event, C2CMessageCreateEvent):
        return InboundMessage(
            **common,
            tenant_key=app_id,
            chat_key=str(Address(C2C, event.author.user_openid)),
            chat_type=ChatType.DIRECT,
            sender_key=event.author.user_openid,
            sender_name=event.author.username or "",
            text=unescape(event.content).strip(),
            event_id=event.event_id or event.id,
            message_id=event.id,
        )
    return None
