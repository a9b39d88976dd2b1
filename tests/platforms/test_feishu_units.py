"""Feishu pieces on their own: event → InboundMessage, addresses, rendering."""

from __future__ import annotations

import json

import lark_oapi as lark
from lark_oapi.api.im.v1 import P2ImMessageReceiveV1

from teamassist.adapters.feishu.events import message_from_event
from teamassist.adapters.feishu.render import card, summary
from teamassist.adapters.feishu.sender import dedupe_id, receive_id
from teamassist.chat.types import ChatType, Person, Reply, ReplyField
from tests.platforms.fakes import feishu as fk


def _event(payload: dict[str, object]) -> P2ImMessageReceiveV1:
    return lark.JSON.unmarshal(json.dumps(payload), P2ImMessageReceiveV1)


def test_mentions_become_parser_tokens_and_the_bot_is_marked() -> None:
    payload = fk.message_event(
        "@_user_1 /交接 @_user_2 @_user_10",
        mentions=[
            ("@_user_1", "ou_bot", "小助理"),
            ("@_user_2", "ou_li", "李四"),
            ("@_user_10", "ou_ten", "十号"),
        ],
    )
    message = message_from_event(_event(payload), bot_open_id="ou_bot")
    assert message is not None
    assert message.text == "<@!ou_bot> /交接 <@!ou_li> <@!ou_ten>"
    assert {(m.user_key, m.display, m.is_bot) for m in message.mentions} == {
        ("ou_bot", "小助理", True),
        ("ou_li", "李四", False),
        ("ou_ten", "十号", False),
    }
    assert message.tenant_key == fk.TENANT_KEY and message.chat_type is ChatType.GROUP
    assert message.event_id == payload["header"]["event_id"]
    assert message.message_id == "om_in_1" and message.sender_key == "ou_zhang"


def test_p2p_chat_is_direct() -> None:
    message = message_from_event(_event(fk.message_event("/帮助", chat_type="p2p")))
    assert message is not None and message.chat_type is ChatType.DIRECT


def test_rich_text_post_is_flattened() -> None:
    post = {
        "title": "",
        "content": [
            [
                {"tag": "at", "user_id": "@_user_1", "user_name": "bot"},
                {"tag": "text", "text": " /问题反馈 登录失败"},
            ],
            [{"tag": "text", "text": "第二行"}],
        ],
    }
    payload = fk.message_event(
        "", message_type="post", content=post, mentions=[("@_user_1", "ou_bot", "bot")]
    )
    message = message_from_event(_event(payload))
    assert message is not None and message.text == "<@!ou_bot> /问题反馈 登录失败\n第二行"


def test_images_and_messages_from_other_bots_are_ignored() -> None:
    image = fk.message_event("", message_type="image", content={"image_key": "img_x"})
    assert message_from_event(_event(image)) is None
    from_bot = fk.message_event("/帮助")
    from_bot["event"]["sender"]["sender_type"] = "app"
    assert message_from_event(_event(from_bot)) is None


def test_receive_id_types() -> None:
    assert receive_id("oc_abc") == ("chat_id", "oc_abc")
    assert receive_id("ou_abc") == ("open_id", "ou_abc")
    assert receive_id("on_abc") == ("union_id", "on_abc")
    assert receive_id("dev@example.com") == ("email", "dev@example.com")
    assert receive_id("user_id:u123") == ("user_id", "u123")


def test_dedupe_id_is_stable_and_short() -> None:
    key = "reply:feishu:tenant:" + "x" * 200
    assert dedupe_id(key) == dedupe_id(key) and len(dedupe_id(key)) <= 50


def test_card_renders_fields_errors_and_unknown_people() -> None:
    reply = Reply(
        title="出错了",
        body="找不到 <@m:3>",
        is_error=True,
        fields=[ReplyField(label="成员", value="<@m:4>")],
    )
    reply.people[4] = Person(name="王五")
    rendered = card(reply)
    assert rendered["header"]["template"] == "red"
    assert rendered["body"]["elements"][0]["content"] == "找不到 @?\n\n**成员**：@王五"
    assert summary(Reply(body="x" * 100), limit=10) == "x" * 9 + "…"
