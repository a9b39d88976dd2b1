"""有事儿找组织 where storage matters, on every backend: two sends at the daily limit at once
(only one may pass), the longest text and emoji kept exactly, an over-long one refused."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.database import transaction
from teamassist.org_contact import service
from teamassist.org_contact.models import OrgMessage
from teamassist.org_contact.settings import DAILY_LIMIT
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member
from tests.okr.support import set_clock
from tests.outreach.support import ids, set_up_groups
from tests.support.chat import ChatDriver
from tests.support.races import side_by_side


def _send(runtime: Runtime, session: Session, sender_id: int, text: str) -> str:
    # (ids are looked up before: a second session here would wait for SQLite's writer lock)
    workspace = team_service.get_workspace_by_key(session, key="demo")
    assert workspace is not None
    sender = session.get(Member, sender_id)
    assert sender is not None
    sent = service.reach(
        session,
        team=team_service.default_team(session, workspace_id=workspace.id),
        sender=sender,
        text=text,
        anonymous=True,
        now=runtime.clock(),
    )
    return sent.message.code


def _read_messages(session: Session) -> None:
    session.scalars(select(OrgMessage.id)).all()


def _count(runtime: Runtime, handle: str) -> int:
    with runtime.factory() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OrgMessage)
                .where(OrgMessage.sender_id == ids(runtime)[handle])
            )
            or 0
        )


def test_two_sends_at_the_limit_at_once_let_one_through(chat: ChatDriver) -> None:
    # given 赵六 has sent all but one of today's messages
    runtime = chat.runtime
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime)
    zhaoliu = ids(runtime)["zhaoliu"]
    for n in range(DAILY_LIMIT - 1):
        with transaction(runtime.factory) as session:
            _send(runtime, session, zhaoliu, f"第{n}条")

    def one(text: str) -> Callable[[Session], str]:
        return lambda session: _send(runtime, session, zhaoliu, text)

    # when two more are sent at the same moment (both have read, MariaDB's snapshot taken,
    # before either counts)
    outcome = side_by_side(runtime, [one("甲 😀"), one("乙 😀")], read=_read_messages)

    # then one passes and the other meets the limit
    assert outcome[1] == "org_contact.error.limit", outcome
    assert outcome[0].startswith("R-"), outcome
    assert _count(runtime, "zhaoliu") == DAILY_LIMIT


def test_the_same_message_sent_at_once_is_kept_once(chat: ChatDriver) -> None:
    """A double tap reaching two workers: every send sees the other's row (the sender's row
    lock), so one message is stored and every caller gets its code."""
    runtime = chat.runtime
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime)
    sunqi = ids(runtime)["sunqi"]
    texts = ["加班太多", "加班太多。", "加班 太多", "加班太多"]
    outcome = side_by_side(
        runtime,
        [partial(_send, runtime, sender_id=sunqi, text=text) for text in texts],
        read=_read_messages,
    )
    with runtime.factory() as session:
        [code] = session.scalars(select(OrgMessage.code)).all()
    assert outcome == [code] * len(texts), outcome


def test_the_longest_text_and_emoji_are_kept_exactly(chat: ChatDriver) -> None:
    runtime = chat.runtime
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime)
    longest = ("加班太多😮‍💨🙏𝄞" * 400)[: service.MAX_TEXT]
    assert len(longest) == service.MAX_TEXT
    sunqi = ids(runtime)["sunqi"]
    with transaction(runtime.factory) as session:
        code = _send(runtime, session, sunqi, longest)
    with runtime.factory() as session:
        stored = session.scalars(select(OrgMessage).where(OrgMessage.code == code)).one()
        assert stored.text == longest
    # one character more is refused, and nothing is written
    too_long = chat.text(f"/找组织 匿名 {longest}x", as_="sunqi")
    assert "2000" in too_long, too_long
    assert _count(runtime, "sunqi") == 1
    # the director reads it back whole
    with runtime.factory() as session:
        lihua = session.get(Member, ids(runtime)["lihua"])
        assert lihua is not None
        [(message, name, replies)] = service.inbox(session, recipient=lihua)
        assert (message.text, name, replies) == (longest, None, 0)
