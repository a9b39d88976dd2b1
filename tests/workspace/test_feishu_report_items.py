"""The weekly meeting's report items follow the meeting, end to end against the fake Feishu
Open API through lark-oapi (every backend): moved, each item (and its Feishu task) is due at the
meeting's new report-due time; cancelled, the items are closed and their Feishu tasks deleted.
A QQ-only team sees the same on the action items themselves. And an owner without a Feishu
identity: the director takes the task as stand-in, and its title says for whom."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.actions.models import ActionItem
from teamassist.adapters.feishu.workspace import PLATFORM
from teamassist.clock import FrozenClock, local
from teamassist.meetings.models import MeetingOccurrence
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from tests.okr.support import set_clock
from tests.platforms.fakes.feishu import FakeFeishu
from tests.support.chat import ChatDriver
from tests.workspace.feishu_team import OPEN_IDS, FeishuTeam, feishu_runtime


def _weekly(runtime: Runtime) -> MeetingOccurrence:
    with runtime.factory() as session:
        row = session.scalars(
            select(MeetingOccurrence).where(MeetingOccurrence.key == "weekly:2026-11-06")
        ).one()
        session.expunge(row)
        return row


def _reports(session: Session, occurrence_id: int) -> list[ActionItem]:
    return list(
        session.scalars(
            select(ActionItem)
            .where(ActionItem.source_kind == "meeting", ActionItem.source_id == occurrence_id)
            .order_by(ActionItem.id)
        )
    )


def _move_before_due(chat: ChatDriver, runtime: Runtime, occ: MeetingOccurrence) -> None:
    """Move ``occ`` to two hours before its report-due time (so that due time moves too)."""
    start = local(occ.due_at, "Asia/Shanghai") - timedelta(hours=2)
    reply = chat.text(f"/改期 {occ.id} {start:%m-%d} {start:%H:%M}", as_="admin")
    assert "改" in reply, reply


def test_report_tasks_follow_a_moved_then_cancelled_meeting(team: FeishuTeam) -> None:
    # Given the weekly notice asked each core member for their report, as Feishu tasks
    set_clock(team.runtime, "2026-11-06 08:30")
    team.runtime.scheduler.tick()
    team.deliver()
    weekly = _weekly(team.runtime)
    ws = team.fake.workspace
    asked = {g: t for g, t in ws.tasks.items() if t["summary"] == f"填写《{weekly.report_title}》"}
    assert len(asked) >= 2
    # When the meeting is moved to before its report-due time
    set_clock(team.runtime, "2026-11-06 09:00")
    _move_before_due(team.chat, team.runtime, weekly)
    team.deliver()
    # Then every report item, and its task, is due at the new report-due time
    moved = _weekly(team.runtime)
    assert moved.due_at < weekly.due_at
    with team.runtime.factory() as session:
        items = _reports(session, weekly.id)
    assert items and {i.due_at for i in items} == {moved.due_at}
    due_ms = int(moved.due_at.timestamp() * 1000)
    assert all(int(ws.tasks[g]["due"]["timestamp"]) == due_ms for g in asked), [
        ws.tasks[g]["due"] for g in asked
    ]
    # When an unrelated item exists and the meeting is then cancelled (the event redelivered)
    reply = team.chat.text("/销项 @lisi 完成接口文档 2026-12-04", as_="zhangsan")
    assert "已创建销项" in reply
    team.chat.text(f"/取消会议 {weekly.id}", as_="admin")
    team.deliver()
    team.deliver()
    # Then the report items are closed, each report task deleted once; the other task stays
    with team.runtime.factory() as session:
        assert {i.state for i in _reports(session, weekly.id)} == {"closed"}
    assert all(ws.tasks[g].get("deleted") for g in asked)
    for guid in asked:
        assert len(ws.of("DELETE", f"/tasks/{guid}")) == 1
    [other] = [t for g, t in ws.tasks.items() if g not in asked]
    assert not other.get("deleted") and other["completed_at"] in ("0", 0)
    assert all(op.status == "sent" for op in team.ops()), [
        (op.status, op.last_error) for op in team.ops()
    ]
    # And each owner is told once, by Feishu DM, one message listing their closed items
    with team.runtime.factory() as session:
        told = _told(session, weekly.id)
        closed = _reports(session, weekly.id)
        open_id = {m.id: OPEN_IDS.get(m.handle) for m in session.scalars(select(Member))}
    assert sorted(told) == sorted({i.owner_id for i in closed})
    for item in closed:
        [dm] = told[item.owner_id]
        assert dm.platform == "feishu" and dm.address == open_id[item.owner_id]
        assert f"#{item.id}「" in str(dm.payload["body"]) and weekly.title in dm.payload["body"]
        assert dm.status == "sent"


def _told(session: Session, occurrence_id: int) -> dict[int, list[OutboxMessage]]:
    """The messages telling owners their items closed with the meeting, by owner id."""
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.idempotency_key.like(
                f"actions.source_cancelled:meeting:{occurrence_id}:%"
            )
        )
    )
    found: dict[int, list[OutboxMessage]] = {}
    for row in rows:
        found.setdefault(int(row.idempotency_key.rsplit(":m", 1)[1]), []).append(row)
    return found


def test_a_qq_team_moves_and_closes_the_items_themselves(
    fake: FakeFeishu, db_url: str, clock: FrozenClock
) -> None:
    fake.reset()
    runtime = feishu_runtime(fake, db_url, clock, tenant="qq", open_ids={})
    try:
        chat = ChatDriver(runtime)
        set_clock(runtime, "2026-11-06 08:30")
        runtime.scheduler.tick()
        weekly = _weekly(runtime)
        set_clock(runtime, "2026-11-06 09:00")
        _move_before_due(chat, runtime, weekly)
        moved = _weekly(runtime)
        with runtime.factory() as session:
            assert {i.due_at for i in _reports(session, weekly.id)} == {moved.due_at}
        chat.text(f"/取消会议 {weekly.id}", as_="admin")
        runtime.deliver()
        with runtime.factory() as session:
            items = _reports(session, weekly.id)
            queued = session.scalar(select(func.count()).where(OutboxMessage.platform == PLATFORM))
        assert items and {i.state for i in items} == {"closed"}
        assert queued == 0 and not fake.workspace.calls
        # And each owner is told once, on the team's own path (QQ, else the dashboard inbox)
        chat.text(f"/取消会议 {weekly.id}", as_="admin")  # again: nobody told twice
        runtime.deliver()
        with runtime.factory() as session:
            told = _told(session, weekly.id)
        assert sorted(told) == sorted({i.owner_id for i in items})
        for item in items:
            [dm] = told[item.owner_id]
            assert dm.platform in ("qq", "web") and f"#{item.id}「" in str(dm.payload["body"])
    finally:
        runtime.close()


def test_an_item_done_before_the_cancellation_stays_done(
    fake: FakeFeishu, db_url: str, clock: FrozenClock
) -> None:
    fake.reset()
    runtime = feishu_runtime(fake, db_url, clock, tenant="qq", open_ids={})
    try:
        chat = ChatDriver(runtime)
        set_clock(runtime, "2026-11-06 08:30")
        runtime.scheduler.tick()
        weekly = _weekly(runtime)
        with runtime.factory() as session:
            first = _reports(session, weekly.id)[0]
            handle = session.get(Member, first.owner_id).handle  # type: ignore[union-attr]
        # Given one owner has done their report (the tester: a task completed in Feishu)
        set_clock(runtime, "2026-11-06 09:00")
        assert "完成" in chat.text(f"/完成销项 {first.id}", as_=handle)
        # When the meeting is cancelled
        chat.text(f"/取消会议 {weekly.id}", as_="admin")
        runtime.deliver()
        # Then that item stays done (its Feishu task would be kept); the others are closed,
        # and its owner is not told it was closed
        with runtime.factory() as session:
            states = {i.id: i.state for i in _reports(session, weekly.id)}
            told = _told(session, weekly.id)
        assert states.pop(first.id) == "done"
        assert states and set(states.values()) == {"closed"}
        bodies = [str(m.payload["body"]) for ms in told.values() for m in ms]
        assert bodies and all(f"#{first.id}「" not in body for body in bodies)
    finally:
        runtime.close()


def test_an_owner_not_on_feishu_gets_the_director_as_stand_in(
    fake: FakeFeishu, db_url: str, clock: FrozenClock
) -> None:
    # Given 李四 has no Feishu identity on a Feishu team directed by 李华
    fake.reset()
    without = {h: o for h, o in OPEN_IDS.items() if h != "lisi"}
    runtime = feishu_runtime(fake, db_url, clock, tenant="feishu", open_ids=without)
    try:
        set_clock(runtime, "2026-11-30 09:00")
        # When 张三 gives 李四 an item
        reply = ChatDriver(runtime).text("/销项 @lisi 完成接口文档 2026-12-04", as_="zhangsan")
        assert "已创建销项" in reply
        runtime.deliver()
        # Then the Feishu task is 李华's, saying it stands in for 李四; 张三 follows it
        [task] = fake.workspace.tasks.values()
        assert task["summary"] == "完成接口文档（代李四，其未绑定飞书）"
        members = {(m["role"], m["id"]) for m in task["members"]}
        assert members == {("assignee", "ou_lihua"), ("follower", "ou_zhang")}
        # And 李四 still owns the action item itself
        with runtime.factory() as session:
            owner = session.scalar(
                select(Member.handle)
                .join(ActionItem, ActionItem.owner_id == Member.id)
                .where(ActionItem.title == "完成接口文档")
            )
        assert owner == "lisi"
    finally:
        runtime.close()
