"""A deactivated owner's items on every backend: handed to the requester (else the director or
stand-in) with a history row by the assistant and a notice; closed items stay; heard twice,
nothing moves twice."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.actions import departures
from teamassist.actions.models import ActionEvent, ActionItem
from teamassist.database import transaction
from teamassist.events import MemberDeactivated
from teamassist.team import service as team_service
from tests.actions.test_commands import _new
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


def _owner_and_reassigns(chat: ChatDriver, item_id: int) -> tuple[str, list[ActionEvent]]:
    with chat.runtime.factory() as session:
        item = session.get(ActionItem, item_id)
        assert item is not None
        owner = team_service.members_by_id(session, [item.owner_id])[item.owner_id]
        events = session.scalars(
            select(ActionEvent).where(
                ActionEvent.item_id == item_id, ActionEvent.kind == "reassigned"
            )
        ).all()
        session.expunge_all()
        return owner.handle, list(events)


def test_items_go_to_the_requester_else_the_director(chat: ChatDriver) -> None:
    set_clock(chat.runtime, "2026-11-30 09:00")
    from_zhangsan = _new(chat)  # 张三 asks 李四
    second = _new(chat, "/销项 @lisi 补齐测试 2026-12-07")
    chat.text(f"/完成销项 {second}", as_="lisi")  # done, awaiting a check: moved as well
    done_and_closed = _new(chat, "/销项 @lisi 已经做完的 2026-12-05")
    chat.text(f"/完成销项 {done_and_closed}", as_="lisi")
    chat.text(f"/确认销项 {done_and_closed}", as_="zhangsan")
    # 张三, who asked for both, leaves first: they own nothing, nothing moves.
    with transaction(chat.runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        team = team_service.default_team(session, workspace_id=ws.id)
        stand_in = team_service.director_or_stand_in(session, team=team)[0].handle
    chat.text("/停用成员 @zhangsan", as_="admin")
    assert _owner_and_reassigns(chat, from_zhangsan) == ("lisi", [])
    chat.text("/停用成员 @lisi", as_="admin")
    # Both were asked for by 张三, who has left: they go to the director or stand-in.
    for item_id in (from_zhangsan, second):
        owner, [event] = _owner_and_reassigns(chat, item_id)
        assert owner == stand_in, item_id
        assert event.actor_id is None
        assert event.detail is not None and event.detail["reason"] == "原负责人已离开团队"
    # The closed one stays where it was.
    assert _owner_and_reassigns(chat, done_and_closed) == ("lisi", [])
    # (the demo's own items of 张三 and 李四 went to their requester 李华 the same way)
    mine = {f"actions.reassigned:{i}" for i in (from_zhangsan, second)}
    notices = [m for m in chat.queued() if ":".join(m.idempotency_key.split(":")[:2]) in mine]
    assert len(notices) == 2
    assert "原负责人已离开团队" in chat.queued_texts(notices[0].address)[0]


def test_to_the_requester_and_once_only(chat: ChatDriver) -> None:
    set_clock(chat.runtime, "2026-11-30 09:00")
    item_id = _new(chat)  # 张三 asks 李四
    chat.text("/停用成员 @lisi", as_="admin")
    owner, [event] = _owner_and_reassigns(chat, item_id)
    assert owner == "zhangsan" and event.detail is not None
    # A redelivered event: the departed member owns nothing any more, nothing moves.
    with transaction(chat.runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        left = team_service.get_member_by_handle(session, workspace_id=ws.id, handle="lisi")
        assert left is not None and not left.active
        again = MemberDeactivated(
            member_id=left.id, team_ids=(), at=chat.runtime.clock(), now=chat.runtime.clock()
        )
        assert departures.on_member_deactivated(session, again) == []
    assert len(_owner_and_reassigns(chat, item_id)[1]) == 1
