"""The workspace ports on the demo team (every backend): action items mirrored as tasks, a task
completed on the platform closing its item's loop, meetings put in calendars and moved, the
report pack's link coming from the Documents port; a team elsewhere gets the built-ins."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from teamassist.actions.models import ActionEvent, ActionItem
from teamassist.database import transaction
from teamassist.events import PlatformTaskCompleted, publish
from teamassist.meetings.models import MeetingOccurrence
from teamassist.ports import Tasks
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Member, Team
from teamassist.team.platform_tools import BuiltinTasks, TeamTasks
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.workspace.support import record_for


def _member_id(chat: ChatDriver, handle: str) -> int:
    with chat.runtime.factory() as session:
        found = session.scalar(select(Member.id).where(Member.handle == handle))
        assert found is not None
        return found


def _new_item(chat: ChatDriver) -> int:
    reply = chat.text("/销项 @lisi 完成接口文档 2026-12-04", as_="zhangsan")
    assert "已创建销项 #" in reply, reply
    return int(reply.split("#")[1].split("：")[0])


def test_items_are_mirrored_on_every_change(chat: ChatDriver) -> None:
    # Given the demo team served by a recording Tasks port
    set_clock(chat.runtime, "2026-11-30 09:00")
    recorder = record_for(chat.runtime, "web")
    lisi, zhangsan = _member_id(chat, "lisi"), _member_id(chat, "zhangsan")
    # When an item is created, then extended, then marked done
    item_id = _new_item(chat)
    [(_, created)] = recorder.tasks
    assert created.key == f"actions.item:{item_id}"
    assert (created.title, created.assignee_id, created.done) == ("完成接口文档", lisi, False)
    assert created.follower_ids == (zhangsan,)  # the requester; the demo has no director
    assert created.due_at == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    reply = chat.text(f"/延期销项 {item_id} 2026-12-08 等评审", as_="lisi")
    assert "#" in reply, reply
    assert recorder.tasks[-1][1].due_at == datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    chat.text(f"/完成销项 {item_id}", as_="lisi")
    # Then each change reached the port, the last one done
    assert len(recorder.tasks) == 3 and recorder.tasks[-1][1].done is True


def test_a_task_completed_on_the_platform_marks_the_item_done_once(chat: ChatDriver) -> None:
    set_clock(chat.runtime, "2026-11-30 09:00")
    item_id = _new_item(chat)
    with chat.runtime.factory() as session:
        workspace_id = session.get(ActionItem, item_id).workspace_id  # type: ignore[union-attr]
    at = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    event = PlatformTaskCompleted(
        workspace_id=workspace_id, key=f"actions.item:{item_id}", member_id=None, at=at
    )
    # When the platform says so twice (events are redelivered), and once for a foreign key
    for _ in range(2):
        with transaction(chat.runtime.factory) as session:
            publish(session, event)
    with transaction(chat.runtime.factory) as session:
        publish(session, PlatformTaskCompleted(workspace_id, "okr.kr:1", None, at))
        publish(session, PlatformTaskCompleted(workspace_id + 1, event.key, None, at))
    # Then the item is done once, as if its owner said so, and the requester is asked to check
    with chat.runtime.factory() as session:
        item = session.get(ActionItem, item_id)
        assert item is not None and (item.state, item.done_at) == ("done", at)
        dones = session.scalar(
            select(func.count()).where(ActionEvent.item_id == item_id, ActionEvent.kind == "done")
        )
    assert dones == 1
    asks = [m for m in chat.queued() if m.idempotency_key.startswith("actions.done")]
    assert len(asks) == 1


def test_meetings_reach_the_calendar_at_the_notice_and_when_moved_or_cancelled(
    chat: ChatDriver,
) -> None:
    recorder = record_for(chat.runtime, "web")
    set_clock(chat.runtime, "2026-11-06 08:30")
    chat.runtime.scheduler.tick()  # the notice of the week of 11-06
    with chat.runtime.factory() as session:
        weekly = session.scalars(
            select(MeetingOccurrence).where(MeetingOccurrence.key == "weekly:2026-11-06")
        ).one()
        occ_id, start = weekly.id, weekly.start_at
    [(_, announced)] = [e for e in recorder.entries if e[1].key == f"meetings.occurrence:{occ_id}"]
    assert (announced.sequence, announced.cancelled, announced.start_at) == (0, False, start)
    assert announced.attendee_ids  # the core group
    set_clock(chat.runtime, "2026-11-06 09:00")
    chat.text(f"/reschedule {occ_id} 11-11", as_="admin")
    moved = recorder.entries[-1][1]
    assert moved.key == announced.key and moved.sequence == 1
    assert moved.start_at == datetime(2026, 11, 11, 0, 30, tzinfo=UTC)  # 08:30 Beijing
    chat.text(f"/取消会议 {occ_id}", as_="admin")
    assert recorder.entries[-1][1].cancelled is True and recorder.entries[-1][1].sequence == 2


def test_the_notice_links_the_pack_the_documents_port_published(chat: ChatDriver) -> None:
    recorder = record_for(chat.runtime, "web")
    set_clock(chat.runtime, "2026-11-06 08:30")
    chat.runtime.scheduler.tick()
    [(_, draft)] = recorder.drafts
    assert draft.key.startswith("reports.pack:") and "周报" in draft.title
    assert draft.markdown.startswith("#") and "/reports/" in draft.local_url
    assert any(recorder.link in t for t in chat.queued_texts("core-room"))


def test_a_team_on_qq_gets_the_built_in_tools_and_one_on_feishu_the_feishu_ones(
    sqlite_chat: ChatDriver,
) -> None:
    runtime = sqlite_chat.runtime
    feishu = record_for(runtime, "feishu")
    chooser = runtime.ports.get(Tasks)
    assert isinstance(chooser, TeamTasks)
    with transaction(runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        for key, platform in (("on-qq", "qq"), ("on-feishu", "feishu")):
            team = team_service.create_team(
                session, workspace=workspace, key=key, name=key, timezone="Asia/Shanghai"
            )
            session.add(
                Channel(
                    workspace_id=workspace.id,
                    team_id=team.id,
                    platform=platform,
                    address=f"{key}-chat",
                    purpose="team",
                )
            )
        session.flush()
        on_qq = session.scalars(select(Team).where(Team.key == "on-qq")).one()
        on_feishu = session.scalars(select(Team).where(Team.key == "on-feishu")).one()
        assert isinstance(chooser.choose(session, on_qq), BuiltinTasks)
        assert chooser.choose(session, on_feishu) is feishu
