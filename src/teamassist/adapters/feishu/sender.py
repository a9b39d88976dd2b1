"""Deliver outbox notices to Feishu chats as interactive cards.

A notice to a group the bot is not in (code 230002) makes the bot try to join it by itself
(``PATCH /open-apis/im/v1/chats/:chat_id/members/me_join``), then send once more. Feishu lets a
bot do that only in a PUBLIC group without join verification: a private group answers 232008
(chat type not supported), a public group that verifies joins 232075 (source: the "用户或机器人
主动加入群聊" reference's error table, mirrored at apifox.com/apidoc/docs-site/532425/api-9020976).
Then the notice stops with 230002 and Feishu's reason, and an admin must have a group owner or
manager add the bot (群设置 → 群机器人 → 添加机器人): a bot cannot add itself otherwise.
"""

from __future__ import annotations

import hashlib
import logging

import lark_oapi as lark
from lark_oapi.api.im.v1 import (
    CreateMessageRequest,
    CreateMessageRequestBody,
    MeJoinChatMembersRequest,
    ReplyMessageRequest,
    ReplyMessageRequestBody,
)

from teamassist.adapters.feishu import client as feishu_client
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.render import card
from teamassist.enums import Platform
from teamassist.outbox.senders import OutgoingMessage

log = logging.getLogger(__name__)

# The message answered was withdrawn or deleted: post into the chat instead of replying.
_REPLY_TARGET_GONE = {230011, 231003}
_ID_TYPES = {"ou_": "open_id", "on_": "union_id", "oc_": "chat_id"}
BOT_NOT_IN_CHAT = 230002  # "Bot/User can NOT be out of the chat."


def receive_id(address: str) -> tuple[str, str]:
    """``(receive_id_type, receive_id)`` of a channel address.

    ``oc_…`` is a chat, ``ou_…`` a user (open_id), ``on_…`` a union_id, an address with ``@`` an
    email; ``user_id:abc`` (or any ``<type>:<id>``) names the type explicitly.
    """
    kind, sep, rest = address.partition(":")
    if sep and kind in {"chat_id", "open_id", "union_id", "user_id", "email"}:
        return kind, rest
    for prefix, kind in _ID_TYPES.items():
        if address.startswith(prefix):
            return kind, address
    if "@" in address:
        return "email", address
    return "chat_id", address


def dedupe_id(idempotency_key: str) -> str:
    """Feishu's ``uuid`` (≤ 50 chars): the same notice sent twice within an hour is sent once."""
    return hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]


class FeishuSender:
    """Posts each notice as a card (JSON 2.0); answers to a message are sent as replies."""

    platform = Platform.FEISHU.value

    def __init__(self, settings: FeishuSettings, client: lark.Client | None = None) -> None:
        self.settings = settings
        self.client = client or feishu_client.build_client(settings)

    def send(self, message: OutgoingMessage) -> str | None:
        """Send one notice; returns Feishu's message id. Not in the group: join it if Feishu
        lets the bot (a public group), then send again (the same ``uuid``: never twice)."""
        try:
            return self._send(message)
        except feishu_client.FeishuApiError as exc:
            id_type, chat_id = receive_id(message.address)
            if exc.code != BOT_NOT_IN_CHAT or id_type != "chat_id":
                raise
            self._join(chat_id, exc)
            log.info("feishu: the bot joined the public group %s", chat_id)
            return self._send(message)

    def _join(self, chat_id: str, refused: feishu_client.FeishuApiError) -> None:
        """Join ``chat_id`` as the bot; raise the send's error (permanent, with the join's
        reason) when Feishu will not let it, or the join's own error when worth retrying."""
        request = MeJoinChatMembersRequest.builder().chat_id(chat_id).build()
        try:
            feishu_client.call(
                self.settings.app_id,
                "chat.me_join",
                self.client.im.v1.chat_members.me_join,
                request,
            )
        except feishu_client.FeishuApiError as exc:
            if exc.transient:
                raise
            raise feishu_client.FeishuApiError(
                f"{refused}; the bot cannot join by itself ({exc}): a group owner or manager "
                "adds it (群设置 → 群机器人 → 添加机器人)",
                code=BOT_NOT_IN_CHAT,
                transient=False,
            ) from exc

    def _send(self, message: OutgoingMessage) -> str | None:
        content = feishu_client.dumps(card(message.reply))
        uuid = dedupe_id(message.idempotency_key)
        if message.reply_to:
            try:
                return self._reply(message.reply_to, content, uuid)
            except feishu_client.FeishuApiError as exc:
                if exc.code not in _REPLY_TARGET_GONE:
                    raise
                log.info(
                    "feishu: %s is gone, posting to %s instead", message.reply_to, message.address
                )
        return self._create(message.address, content, uuid)

    def _create(self, address: str, content: str, uuid: str) -> str | None:
        id_type, target = receive_id(address)
        request = (
            CreateMessageRequest.builder()
            .receive_id_type(id_type)
            .request_body(
                CreateMessageRequestBody.builder()
                .receive_id(target)
                .msg_type("interactive")
                .content(content)
                .uuid(uuid)
                .build()
            )
            .build()
        )
        response = feishu_client.call(
            self.settings.app_id, "message.create", self.client.im.v1.message.create, request
        )
        return response.data.message_id if response.data else None

    def _reply(self, message_id: str, content: str, uuid: str) -> str | None:
        request = (
            ReplyMessageRequest.builder()
            .message_id(message_id)
            .request_body(
                ReplyMessageRequestBody.builder()
                .msg_type("interactive")
                .content(content)
                .uuid(uuid)
                .build()
            )
            .build()
        )
        response = feishu_client.call(
            self.settings.app_id, "message.reply", self.client.im.v1.message.reply, request
        )
        return response.data.message_id if response.data else None
