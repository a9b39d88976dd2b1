"""A reply of text alone is answered from a cache keyed by its parts, not by its JSON: the same
bytes as the JSON-keyed answer, and two replies share an answer only when every part is the
same (given/when/then)."""

from __future__ import annotations

import json

import pytest

from teamassist.chat import api
from teamassist.chat.types import Reply, user_text

REPLIES = [
    Reply(body="**值班**：张三"),
    Reply(title="帮助", body="**值班**：张三"),
    Reply(title="帮助", body="**值班**：张三", is_error=True),
    Reply(body=f"收到：{user_text('<b>登录页</b> *打不开*')}", quote="登录页打不开"),
    Reply(body=""),
]


@pytest.mark.parametrize("duplicate", [False, True])
def test_a_text_reply_is_answered_as_its_json_would_be(duplicate: bool) -> None:
    for reply in REPLIES:
        # given a reply of text alone
        # when it is answered by its parts and by its JSON
        by_parts = api._plain_json(reply.title, reply.body, reply.quote, reply.is_error, duplicate)
        by_json = api._handled_json(api._REPLY_JSON.to_json(reply), duplicate)
        # then the bytes are the same
        assert by_parts == by_json, reply


def test_replies_that_differ_in_any_part_get_their_own_answers() -> None:
    # given text replies that differ in one part each
    answers = [
        json.loads(api._plain_json(r.title, r.body, r.quote, r.is_error, False)) for r in REPLIES
    ]
    # then each answer is its own reply's
    for reply, answer in zip(REPLIES, answers, strict=True):
        assert answer["reply"]["title"] == reply.title
        assert answer["reply"]["is_error"] is reply.is_error
        assert answer["reply"]["quote"] == reply.quote
    assert len({json.dumps(a, sort_keys=True) for a in answers}) == len(REPLIES)
    # and the duplicate flag is part of the key
    first = REPLIES[0]
    again = json.loads(api._plain_json(first.title, first.body, first.quote, False, True))
    assert again["duplicate"] is True and answers[0]["duplicate"] is False
