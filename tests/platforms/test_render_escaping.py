"""Reporter text stays text in every renderer; only the product's mentions are live (#10 B)."""

from __future__ import annotations

import json

import pytest
from markdown_it import MarkdownIt

from teamassist.adapters.feishu.render import card
from teamassist.adapters.qq.protocol import Address
from teamassist.adapters.qq.render import message_body
from teamassist.adapters.wecom.render import markdown as wecom_markdown
from teamassist.chat.render import to_html, to_markdown, to_plain
from teamassist.chat.types import Person, Reply, ReplyField, user_text
from teamassist.outbox.models import OutboxMessage
from tests.support.chat import ChatDriver

HOSTILE = [
    "<at id=all></at>",
    "[登录](https://evil.example)",
    "<@all>",
    "<qqbot-at-everyone />",
    '<qqbot-at-user id="MO-BOSS" />',
    "**粗体**",
    '<font color="warning">红字</font>',
    '<a href="https://evil.example">点我</a>',
    "`代码`",
    "@所有人",
    "# 标题",
    "<@m:1>",  # our own mention token, typed by a user
]
PERSON = Person(name="张三", identities={"feishu": "ou_z", "wecom": "zs", "qq": "MO-Z"})
# Markup that would be live if it reached a platform: mass mentions, links, tags, emphasis.
LIVE = [
    "<at id=all",
    "](https://evil.example)",
    "<@all>",
    "<qqbot-at-everyone",
    '<qqbot-at-user id="MO-BOSS"',
    "**粗体**",
    '<font color="warning">红字',
    "<a href",
    "`代码`",
    "\n# 标题",
]


def _reply(text: str) -> Reply:
    reply = Reply(
        title="反馈 " + user_text(text),
        quote=text,
        fields=[ReplyField(label="内容", value=user_text(text))],
    )
    reply.body = f"负责人：{reply.mention(1, PERSON)}\n反馈内容：{user_text(text)}"
    return reply


def _card_markdown(reply: Reply) -> str:
    """Every markdown element of the card (the header and buttons are plain_text: literal)."""
    elements = card(reply)["body"]["elements"]
    return "\n".join(e["content"] for e in elements if e["tag"] == "markdown")


def _renderings(reply: Reply) -> dict[str, str]:
    return {
        "feishu card": _card_markdown(reply),
        "wecom markdown": wecom_markdown(reply),
        "qq group markdown": json.dumps(
            message_body(reply, Address("group", "G"), markdown=True), ensure_ascii=False
        ),
        "qq channel markdown": json.dumps(
            message_body(reply, Address("channel", "C"), markdown=True), ensure_ascii=False
        ),
    }


def _commonmark_html(reply: Reply) -> str:
    """The REST ``markdown`` rendering as a CommonMark reader shows it (raw HTML allowed)."""
    html: str = MarkdownIt("commonmark").render(to_markdown(reply))
    return html


# In HTML, markup is live only as elements: the escaped text may show any characters.
HTML_LIVE = ["<a ", "<at", "<font", "<strong>粗体", "<code>", "<h1>", "<qqbot"]


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_is_inert_in_every_renderer(text: str) -> None:
    for renderer, output in _renderings(_reply(text)).items():
        for live in LIVE:
            assert live not in output.replace('\\"', '"'), (renderer, text, live)
    for html in (to_html(_reply(text)), _commonmark_html(_reply(text))):
        assert not [live for live in HTML_LIVE if live in html], (text, html)


def test_the_products_own_mentions_stay_live() -> None:
    out = _renderings(_reply("<at id=all></at>"))
    assert "<at id=ou_z></at>" in out["feishu card"]
    assert "<@zs>" in out["wecom markdown"]
    assert '<qqbot-at-user id=\\"MO-Z\\" />' in out["qq group markdown"]
    assert "<@!MO-Z>" in out["qq channel markdown"]
    assert "@张三" in to_markdown(_reply("x")) and "@张三" in to_html(_reply("x"))


def test_a_typed_mention_token_is_not_a_mention() -> None:
    reply = Reply(people={1: PERSON}, body="说：" + user_text("<@m:1>"))
    assert "ou_z" not in _card_markdown(reply)
    assert "<@zs>" not in wecom_markdown(reply)
    assert to_plain(reply) == "说：<@m:1>"  # plain text keeps the user's words as written


def test_html_shows_the_link_as_text() -> None:
    html = to_html(_reply("[登录](https://evil.example)"))
    assert "<a " not in html and "[登录](https://evil.example)" in html


def test_plain_text_keeps_user_text_exactly() -> None:
    text = "**粗体** <at id=all></at> `x`"
    assert to_plain(Reply(body="内容：" + user_text(text))) == f"内容：{text}"


def test_platform_tags_in_unmarked_text_are_made_inert_too() -> None:
    reply = Reply(body="<at id=all></at> <@all> <qqbot-at-everyone />")
    for output in _renderings(reply).values():
        for tag in ("<at id=all", "<@all>", "<qqbot-at-everyone"):
            assert tag not in output


def test_a_hostile_display_name_is_inert() -> None:
    reply = Reply()
    reply.body = "负责人：" + reply.mention(2, Person(name="<at id=all></at>**王**"))
    for renderer, output in _renderings(reply).items():
        assert "<at id=all" not in output and "**王**" not in output, renderer


def test_reported_text_reaches_every_platform_inert(sqlite_chat: ChatDriver) -> None:
    text = "登录不了 <at id=all></at> [登录](https://evil.example) <@all> <qqbot-at-everyone />"
    sqlite_chat.text(f"/问题反馈 {text}", as_="zhangsan")
    with sqlite_chat.runtime.factory() as session:
        payloads = [row.payload for row in session.query(OutboxMessage)]
    assert payloads  # the desk announced the new item
    for payload in payloads:
        reply = Reply.model_validate(payload)
        for renderer, output in _renderings(reply).items():
            for live in ("<at id=all", "](https://evil.example)", "<@all>", "<qqbot-at-everyone"):
                assert live not in output, (renderer, live)
        assert "<at id=all></at>" in to_plain(reply)  # shown, as written


def test_what_a_user_typed_is_inert_in_error_replies(sqlite_chat: ChatDriver) -> None:
    unknown = sqlite_chat.say("/[登录](https://evil.example)", as_="zhangsan")
    not_a_number = sqlite_chat.say("/标注解决 <at id=all></at>", as_="admin")
    for reply in (unknown, not_a_number):
        assert reply is not None and reply.is_error
        for renderer, output in _renderings(reply).items():
            for live in ("](https://evil.example)", "<at id=all"):
                assert live not in output, (renderer, live)
    assert unknown is not None and "[登录](https://evil.example)" in to_plain(unknown)
