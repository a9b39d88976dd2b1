"""A local speaker's inbox row keeps the reply only when a retry can ask for it: the caller
named the message (``event_id``). /帮助's reply was 25 KB of JSON written with every call that
nothing ever read back (issue #9). A message nobody named whose command changed nothing leaves
no row at all: nothing could read it back. Given/when/then, on every backend."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat.models import InboundEvent
from teamassist.chat.service import send_as
from teamassist.chat.types import InboundMessage
from teamassist.enums import Platform
from teamassist.feedback.models import FeedbackItem
from teamassist.http import auth
from teamassist.http.auth import Principal
from teamassist.runtime import Runtime


def _owner(session: Session, /, *, placed_on: str | None = None) -> Principal:
    """The global API token's principal, as ``POST /api/v1/chat`` looks it up."""
    found = auth.token_principal(session, placed_on=placed_on)
    assert found is not None
    return found


def _stored_replies(rt: Runtime) -> list[tuple[str, bool]]:
    """(status, whether a reply is stored) of every inbox row, oldest first."""
    with rt.factory() as session:
        rows = session.execute(
            select(InboundEvent.status, InboundEvent.reply).order_by(InboundEvent.id)
        ).all()
    return [(status, reply is not None) for status, reply in rows]


def test_a_reply_is_stored_only_for_a_message_the_caller_named(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    # given the demo workspace and the owner speaking through the REST path
    # when /帮助 is sent once without a retry key and once with one
    plain = send_as(rt.dispatcher, principal=_owner, handle=None, text="/帮助")
    named = send_as(rt.dispatcher, principal=_owner, handle=None, text="/帮助", event_id="h-1")
    # then both callers get the whole help
    assert plain.reply is not None and named.reply is not None
    assert plain.reply == named.reply and "/帮助" in plain.reply.body
    # and only the named message has a row, which keeps it (the other changed nothing)
    assert _stored_replies(rt) == [("done", True)]
    # when the named message is sent again (a retry after a lost answer)
    again = send_as(rt.dispatcher, principal=_owner, handle=None, text="/帮助", event_id="h-1")
    # then it is answered from the row, with the same reply, and nothing new is written
    assert again.duplicate and again.reply == named.reply
    assert _stored_replies(rt) == [("done", True)]


def test_a_refused_named_message_keeps_its_answer_for_the_retry(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    # given a command that refuses (a feedback item that does not exist: its changes are
    # rolled back and the answer is recorded on its own)
    text = "/确认反馈 999999"
    # when it is sent with a retry key, and once without
    first = send_as(rt.dispatcher, principal=_owner, handle=None, text=text, event_id="r-1")
    unnamed = send_as(rt.dispatcher, principal=_owner, handle=None, text=text)
    # then the refusal is answered both times, and kept only for the named message (the
    # unnamed one changed nothing: no row)
    assert first.reply is not None and first.reply.is_error and "999999" in first.reply.body
    assert unnamed.reply == first.reply
    assert _stored_replies(rt) == [("done", True)]
    # and the retry gets the same refusal back
    again = send_as(rt.dispatcher, principal=_owner, handle=None, text=text, event_id="r-1")
    assert again.duplicate and again.reply == first.reply


def test_long_retry_keys_that_differ_at_the_end_are_different_messages(
    demo_runtime: Runtime,
) -> None:
    """Today's third tester: the speaker prefix made a 128-character ``event_id`` longer than
    the inbox column, and cutting it to fit made keys differing only at the end one key: ten
    distinct feedback messages stored one item, nine answered as its retries."""
    rt = demo_runtime
    keys = ["q" * 125 + f"{i:03d}" for i in range(3)]
    results = [
        send_as(
            rt.dispatcher, principal=_owner, handle=None, text=f"/问题反馈 长键 {i}", event_id=k
        )
        for i, k in enumerate(keys)
    ]
    assert [r.duplicate for r in results] == [False, False, False]
    # and a retry of one of them is still a retry, answered with its own reply
    again = send_as(
        rt.dispatcher, principal=_owner, handle=None, text="/问题反馈 长键 1", event_id=keys[1]
    )
    assert again.duplicate and again.reply == results[1].reply
    assert len(_stored_replies(rt)) == 3


def test_a_retry_key_reused_for_another_text_is_no_retry(demo_runtime: Runtime) -> None:
    """Session 14's testers: the same ``event_id`` with another text answered the first reply
    as a retry, and the second message was lost without a word."""
    rt = demo_runtime
    first = send_as(
        rt.dispatcher, principal=_owner, handle=None, text="/问题反馈 键一 甲", event_id="k-1"
    )
    assert first.reply is not None and not first.duplicate and not first.reused
    # when another text comes under the same key
    other = send_as(
        rt.dispatcher, principal=_owner, handle=None, text="/问题反馈 键一 乙", event_id="k-1"
    )
    # then it is told apart from a retry, with no reply to replay, and nothing is kept of it
    assert (other.duplicate, other.reused, other.reply) == (True, True, None)
    assert len(_stored_replies(rt)) == 1
    with rt.factory() as session:
        texts = session.scalars(select(FeedbackItem.text).where(FeedbackItem.text.like("键一%")))
        assert list(texts) == ["键一 甲"]
    # and the real retry still replays the first answer
    again = send_as(
        rt.dispatcher, principal=_owner, handle=None, text="/问题反馈 键一 甲", event_id="k-1"
    )
    assert (again.duplicate, again.reused, again.reply) == (True, False, first.reply)


def test_a_platform_event_again_with_another_text_is_dropped_and_logged(
    demo_runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """A platform redelivers an event with its own body; another text under its id is a broken
    relay or a forgery, not the sender's doing: dropped (nothing said in the chat), logged."""
    rt = demo_runtime

    def event(text: str) -> InboundMessage:
        return InboundMessage(
            platform=Platform.QQ,
            tenant_key="guild-x",
            chat_key="qq:channel-x",
            sender_key="u-1",
            text=text,
            event_id="qq-evt-1",
        )

    assert not rt.dispatcher.handle(event("大家好")).duplicate
    with caplog.at_level(logging.WARNING, logger="teamassist.chat.dispatcher"):
        same = rt.dispatcher.handle(event("大家好"))
        assert same.duplicate and not caplog.records  # a real redelivery: nothing to say
        other = rt.dispatcher.handle(event("/问题反馈 换了内容"))
    assert (other.duplicate, other.reply) == (True, None)
    (warned,) = caplog.records
    assert "qq-evt-1" in warned.getMessage() and "another text" in warned.getMessage()
    assert len(_stored_replies(rt)) == 1


def test_an_unnamed_message_has_a_row_only_when_its_command_wrote(demo_runtime: Runtime) -> None:
    """Issue 9: the inbox row of a local message nobody named was a statement of every read
    (/今日值班) and every double tap; nothing reads it. A command that writes keeps it."""
    rt = demo_runtime
    # given the demo workspace, the owner speaking through the REST path, nothing sent yet
    assert _stored_replies(rt) == []
    # when a read, a refusal and zhangsan's second sign-in are sent without a retry key
    who = send_as(rt.dispatcher, principal=_owner, handle=None, text="/今日值班")
    refused = send_as(rt.dispatcher, principal=_owner, handle=None, text="/确认反馈 999999")
    signed = send_as(rt.dispatcher, principal=_owner, handle="zhangsan", text="/值班签到")
    again = send_as(rt.dispatcher, principal=_owner, handle="zhangsan", text="/值班签到")
    # then each is answered, and only the sign-in that wrote left a row
    assert who.reply is not None and not who.reply.is_error
    assert refused.reply is not None and refused.reply.is_error
    assert signed.reply is not None and not signed.reply.is_error
    assert again.reply is not None and again.reply.is_error
    assert _stored_replies(rt) == [("done", False)]
    # when a report is sent without a retry key
    report = send_as(rt.dispatcher, principal=_owner, handle=None, text="/问题反馈 无键的反馈")
    # then its item and its row are kept, once each
    assert report.reply is not None and not report.reply.is_error
    assert _stored_replies(rt) == [("done", False), ("done", False)]
    with rt.factory() as session:
        texts = session.scalars(select(FeedbackItem.text).where(FeedbackItem.text == "无键的反馈"))
        assert list(texts) == ["无键的反馈"]
