"""Render a neutral :class:`Reply` as a QQ message body (native markdown or plain text), its
buttons as a QQ keyboard of command buttons where the bot may send one."""

from __future__ import annotations

from typing import Any

from teamassist.adapters.qq.protocol import C2C, CHANNEL, GROUP, Address
from teamassist.chat.render import escape_markup, neutralize_tags, to_markdown, to_plain
from teamassist.chat.types import ButtonStyle, Person, Reply
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


# QQ's keyboard: at most 5 rows of at most 5 buttons (QQ bot API, 消息按钮).
_ROW, _ROWS = 5, 5
# Action types: 0 link, 1 callback, 2 command (指令: puts ``data`` into the input box, or with
# ``enter`` sends it at once, C2C only); permission type 2: anyone in the chat may press (what a
# press may do is checked when the command arrives, as for a typed one). Styles: 0 grey, 1 blue.
_COMMAND, _ANYONE = 2, 2


def keyboard(reply: Reply, address: Address) -> dict[str, Any]:
    """The ``keyboard`` field for ``reply``'s buttons: one command button each, five a row.

    Pressing one makes the presser send the button's command (sent at once in C2C; in a group
    or channel it lands in their input box after the bot's mention, one tap to send), so the
    dispatcher handles it exactly as if it were typed.
    """
    rows = []
    buttons = reply.buttons[: _ROW * _ROWS]
    for start in range(0, len(buttons), _ROW):
        row = []
        for n, b in enumerate(buttons[start : start + _ROW], start=start):
            label = b.label
            row.append(
                {
                    "id": str(n),
                    "render_data": {
                        "label": label,
                        "visited_label": label,
                        "style": 1 if b.style == ButtonStyle.PRIMARY else 0,
                    },
                    "action": {
                        "type": _COMMAND,
                        "permission": {"type": _ANYONE},
                        "data": b.command,
                        "enter": address.kind == C2C,
                        "unsupport_tips": f"请发送：{b.command}",
                    },
                }
            )
        rows.append({"buttons": row})
    return {"content": {"rows": rows}}


def message_body(
    reply: Reply, address: Address, *, markdown: bool, buttons: bool = False
) -> dict[str, Any]:
    """The JSON body (without msg_id/msg_seq) for ``reply`` sent to ``address``.

    Guild channels take ``markdown`` without a ``msg_type``; groups and C2C (API v2) need
    ``msg_type`` 2 for markdown and 0 for text. With ``buttons`` (markdown only: QQ sends a
    keyboard with a markdown message) the reply's buttons become a ``keyboard`` and leave the
    text; otherwise each shows as the command to type.
    """
    if markdown and buttons and reply.buttons:
        with_keyboard = message_body(
            reply.model_copy(update={"buttons": []}), address, markdown=True, buttons=False
        )
        with_keyboard["keyboard"] = keyboard(reply, address)
        return with_keyboard
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
