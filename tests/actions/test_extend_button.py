"""The 延期 (extend) button on an owner's 销项 notice, through the dispatcher on every backend:
pressing it asks for the date with a form (typed on QQ/WeCom: the command to reply with); a
card extends an item once, so a stale press or two presses at once change the due time once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import select

from teamassist.actions import flows, service
from teamassist.actions.models import ActionEvent, ActionItem
from teamassist.database import transaction
from teamassist.exceptions import Conflict
from teamassist.runtime import Runtime
from teamassist.team.models import Member, Team
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver

NEW_DUE = datetime(2026, 12, 11, 10, 0, tzinfo=UTC)  # 2026-12-11 18:00 Beijing


def _new(chat: ChatDriver) -> int:
    set_clock(chat.runtime, "2026-11-30 09:00")  # a Monday
    reply = chat.text("/销项 @lisi 完成接口文档 2026-12-04", as_="zhangsan")
    assert "已创建销项 #" in reply, reply
    return int(reply.split("#")[1].split("：")[0])


def test_the_notice_offers_extend_and_the_press_asks_for_the_date(chat: ChatDriver) -> None:
    # given a new item owned by lisi
    item_id = _new(chat)
    [notice] = [m for m in chat.queued() if m.idempotency_key.startswith("actions.assigned")]
    # then the owner's notice has "完成" and "延期"
    commands = [(b["label"], b["command"]) for b in notice.payload["buttons"]]
    assert commands == [("完成", f"/完成销项 {item_id}"), ("延期", f"/延期销项 {item_id}")]

    # when the owner presses 延期 (the button sends the command without a date)
    prompt = chat.text(f"/延期销项 {item_id}", as_="lisi")
    # then a prompt, pre-filled a week after the due date, with the command to reply with
    assert "现在的期限是 2026年12月4日 18:00" in prompt, prompt
    assert f"/延期销项 {item_id} <新期限> <原因>" in prompt, prompt
    form = chat.last.form if chat.last is not None else None
    assert form is not None and form.prefilled() == f"/延期销项 {item_id} 2026-12-11"
    # and nothing changed
    with chat.runtime.factory() as session:
        item = session.get(ActionItem, item_id)
        assert item is not None and item.due_at == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)

    # a member who is no party is refused at the press, before any form
    assert "只有负责人、提出人" in chat.text(f"/延期销项 {item_id}", as_="wangwu")

    # when the form is filled (as Feishu submits it), the item is extended
    done = chat.text(f"/延期销项 {item_id} 2026-12-11 等评审", as_="lisi")
    assert "2026年12月11日 18:00" in done, done


def test_a_press_on_a_closed_item_is_refused_kindly(chat: ChatDriver) -> None:
    item_id = _new(chat)
    chat.text(f"/完成销项 {item_id}", as_="lisi")
    chat.text(f"/确认销项 {item_id}", as_="zhangsan")
    # when the old notice's 延期 is pressed after the item was closed
    assert chat.text(f"/延期销项 {item_id}", as_="lisi") == f"销项 #{item_id} 已经关闭了。"


def _press(
    runtime: Runtime,
    item_id: int,
    outcome: list[str],
    *,
    after: threading.Event | None = None,
    flushed: threading.Event | None = None,
) -> None:
    """One submit of the card ``om_card_7`` in its own transaction; the first (``flushed``)
    holds its transaction open after writing while the second (``after``) runs."""
    try:
        if after is not None:
            assert after.wait(timeout=30)
        with transaction(runtime.factory) as session:
            row = session.get(ActionItem, item_id)
            assert row is not None
            team = session.get(Team, row.team_id)
            assert team is not None
            item = service.get(session, team=team, item_id=item_id, lock=True)
            owner = session.get(Member, item.owner_id)
            assert owner is not None
            flows.extend(
                session,
                team=team,
                item=item,
                actor=owner,
                admin=False,
                due_at=NEW_DUE,
                reason="等评审",
                now=datetime(2026, 11, 30, 2, 0, tzinfo=UTC),
                origin="om_card_7",
            )
            if flushed is not None:
                flushed.set()
                time.sleep(1.0)
        outcome.append("extended")
    except Conflict as refused:
        outcome.append(refused.key)
    except Exception as crashed:  # a lost update or a deadlock would land here
        outcome.append(type(crashed).__name__)
    finally:
        if flushed is not None:
            flushed.set()


def test_two_presses_of_one_card_at_once_extend_once(chat: ChatDriver) -> None:
    item_id = _new(chat)
    runtime = chat.runtime
    outcome: list[str] = []
    flushed = threading.Event()
    presses = [
        threading.Thread(
            target=_press, args=(runtime, item_id, outcome), kwargs={"flushed": flushed}
        ),
        threading.Thread(
            target=_press, args=(runtime, item_id, outcome), kwargs={"after": flushed}
        ),
    ]
    for press in presses:
        press.start()
    for press in presses:
        press.join(timeout=60)
    assert sorted(outcome) == ["actions.error.card_used", "extended"]
    with runtime.factory() as session:
        kinds = session.scalars(
            select(ActionEvent.kind).where(ActionEvent.item_id == item_id).order_by(ActionEvent.id)
        ).all()
        item = session.get(ActionItem, item_id)
        assert item is not None and item.due_at == NEW_DUE
    assert kinds == ["created", "extended"]
