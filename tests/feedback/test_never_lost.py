"""An item is never lost between being received and being recorded.

The dispatcher writes every inbound event to the inbox in its own transaction before handling
it; the handler's work and the inbox's "done" mark commit together. Here the process "dies"
in the middle of recording the item: a ``before_cursor_execute`` hook on the engine raises a
``BaseException`` (as a killed process or a lost connection would end the transaction) on the
INSERT into ``feedback_item``, once. This is a controlled, database-level failure: none of our
own functions is replaced. The transaction rolls back, the inbox row stays "received", and the
replay (run by every scheduler tick) records the item exactly once and answers the reporter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from teamassist.chat.models import InboundEvent
from teamassist.clock import FrozenClock
from teamassist.enums import Platform
from teamassist.runtime import Runtime
from tests.feedback.support import items, outbox
from tests.support.chat import ChatDriver


class ProcessDied(BaseException):
    """Stands for the process being killed mid-transaction."""


@contextmanager
def dies_once_while_recording(runtime: Runtime) -> Iterator[None]:
    fired = {"done": False}

    def hook(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not fired["done"] and statement.lstrip().upper().startswith("INSERT INTO FEEDBACK_ITEM"):
            fired["done"] = True
            raise ProcessDied

    event.listen(runtime.engine, "before_cursor_execute", hook)
    try:
        yield
    finally:
        event.remove(runtime.engine, "before_cursor_execute", hook)
    assert fired["done"], "the simulated crash never happened"


def _statuses(runtime: Runtime) -> list[str]:
    with runtime.factory() as session:
        return list(session.scalars(select(InboundEvent.status).order_by(InboundEvent.id)))


def test_crash_while_recording_is_replayed_exactly_once(
    chat: ChatDriver, clock: FrozenClock
) -> None:
    before = len(items(chat.runtime))
    # when the process dies while recording a QQ user's bug
    with dies_once_while_recording(chat.runtime), pytest.raises(ProcessDied):
        chat.say(
            "/问题反馈 崩溃前收到的反馈 💥",
            as_="u-42",
            platform=Platform.QQ,
            chat_key="chan-1",
            tenant_key="guild-1",
        )
    # then nothing was recorded, but the event is kept, unfinished
    assert len(items(chat.runtime)) == before
    assert _statuses(chat.runtime)[-1] == "received"
    # when the next tick replays unfinished events (older than a minute)
    clock.set(clock() + timedelta(minutes=2))
    chat.runtime.scheduler.tick()
    chat.runtime.scheduler.tick()
    assert chat.runtime.dispatcher.replay_pending() == 0
    # then the item exists exactly once, text intact, and the reporter got the receipt
    recorded = [i for i in items(chat.runtime) if i.text == "崩溃前收到的反馈 💥"]
    assert len(recorded) == 1
    assert _statuses(chat.runtime)[-1] == "done"
    receipts = [m for m in outbox(chat.runtime) if m.address == "chan-1"]
    assert len(receipts) == 1 and "小助理收到你的反馈" in chat.queued_texts("chan-1")[0]
