"""Render a neutral :class:`Reply` as a QQ message body (native markdown or plain text)."""

from __future__ import annotations

from typing import Any

from teamassist.adapters.qq.protocol import CHANNEL, GROUP, Address
from teamassist.chat.render import escape_markup, neutralize_tags, to_markdown, to_plain
from teamassist.chat.types import Person, Reply
from teamassist.enums import Platform


def _mention_for(kind: str) -> Any:
    def mention(person: Person) -> str:
        user_key = person.identities.get(Platform.QQ.value)
        if user_key and kind == CHANNEL:
            return f"<@!{user_key}>"
        if user_key and kind == GROUP:
            return f'<qqbot-at-user id="{user_key}" />'
        return "@" + escape_markup(person.name)

    return mention


def message_body(reply: Reply, address: Address, *, markdown: bool) -> dict[str, Any]:
    """The JSON body (without msg_id/msg_seq) for ``reply`` sent to ``address``.

    Guild channels take ``markdown`` without a ``msg_type``; groups and C2C (API v2) need
    ``msg_type`` 2 for markdown and 0 for text.
    """
    if markdown:
        content = to_markdown(
            reply, _mention_for(address.kind), escape=escape_markup, product=neutralize_tags
        )
        body: dict[str, Any] = {"markdown": {"content": content}}
        if address.kind != CHANNEL:
            body["msg_type"] = 2
        return body
    text = to_plain(reply)
    return {"content": text} if address.kind == CHANNEL else {"msg_type": 0, "content": text}
