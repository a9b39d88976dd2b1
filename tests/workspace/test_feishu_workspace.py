"""The workspace tools on a Feishu team, end to end against the fake Feishu Open API (every
backend): a weekly meeting's calendar event with its attendees and video link, one Task v2
task per action item with the director following, a task completed in Feishu closing its
item's loop, a moved meeting patching the event, and Feishu's errors, lost answers and rate
limits leaving no duplicates. A team not on Feishu keeps the built-in tools."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.actions.models import ActionEvent, ActionItem
from teamassist.adapters.feishu.webhook import EVENTS_PATH
from teamassist.adapters.feishu.workspace import PLATFORM
from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.meetings import calendar_sync, report_tasks
from teamassist.meetings.models import MeetingOccurrence
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team.models import Member, Team, TeamMembership
from tests.careers.support import without_demo_plans
from tests.okr.support import set_clock
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu
from tests.support.chat import ChatDriver
from tests.workspace.feishu_team import OPEN_IDS, FeishuTeam, feishu_runtime


def _new_item(chat: ChatDriver, text: str = "/销项 @lisi 完成接口文档 2026-12-04") -> int:
    reply = chat.text(text, as_="zhangsan")
    assert "已创建销项 #" in reply, reply
    return int(reply.split("#")[1].split("：")[0])


def _weekly(runtime: Runtime, key: str = "weekly:2026-11-06") -> MeetingOccurrence:
    with runtime.factory() as session:
        row = session.scalars(select(MeetingOccurrence).where(MeetingOccurrence.key == key)).one()
        session.expunge(row)
        return row


def test_weekly_cycle_puts_the_meeting_in_calendars_and_items_in_tasks(team: FeishuTeam) -> None:
    # Given the demo team on Feishu; when the weekly notice goes out and an item is opened
    set_clock(team.runtime, "2026-11-06 08:30")
    team.runtime.scheduler.tick()
    weekly = _weekly(team.runtime)
    assert weekly.notice_sent_at is not None
    item_id = _new_item(team.chat)
    team.deliver()
    # Then one calendar event on the bot's calendar, with the core group invited and a VC link
    [event] = team.fake.workspace.events.values()
    assert event["summary"] == weekly.title
    assert event["start_time"]["timestamp"] == str(int(weekly.start_at.timestamp()))
    # the demo meeting has its own video link; without one Feishu makes a VC (vc_type "vc")
    assert event["vchat"] == {"vc_type": "third_party", "meeting_url": weekly.video_url}
    invited = sorted(a["user_id"] for a in event["attendees"])
    assert invited and set(invited) <= set(OPEN_IDS.values())
    assert len(team.fake.workspace.of("POST", "/attendees")) == 1
    # And one task per core member for their weekly report, the director 李华 following
    tasks = team.fake.workspace.tasks.values()
    with team.runtime.factory() as session:
        community = session.scalars(select(Team).where(Team.key == "community")).one()
        core = calendar_sync.attendees(session, team=community, occ=weekly)
        reports = _report_items(session, weekly.id)
    assert sorted(r.owner_id for r in reports) == sorted(core) and len(core) >= 2
    assert {r.due_at for r in reports} == {weekly.due_at}
    asked = [t for t in tasks if t["summary"] == f"填写《{weekly.report_title}》"]
    assert sorted(_role(t, "assignee") for t in asked) == sorted(invited)
    assert all(
        _role(t, "follower") == "ou_lihua" for t in asked if _role(t, "assignee") != "ou_lihua"
    )
    # And one Task v2 task for the item: 李四 assigned, 张三 (who asked) and 李华 following
    [task] = [t for t in tasks if t not in asked]
    assert task["summary"] == "完成接口文档"
    members = {(m["role"], m["id"]) for m in task["members"]}
    assert members == {("assignee", "ou_lisi"), ("follower", "ou_zhang"), ("follower", "ou_lihua")}
    assert task["due"] == {"timestamp": 1796378400000, "is_all_day": False}  # 12-04 18:00 +8
    assert team.fake.workspace.subscriptions == 1  # completion events asked for
    # And nothing is left to send, nothing was sent twice
    assert all(op.status == "sent" for op in team.ops())
    assert team.item(item_id).state == "open"
    # When the notice's report items are asked for again (a re-run), nothing is doubled
    with transaction(team.runtime.factory) as session:
        community = session.scalars(select(Team).where(Team.key == "community")).one()
        occ = session.get(MeetingOccurrence, weekly.id)
        assert occ is not None
        report_tasks.ask_core_members(session, team=community, occ=occ, now=team.clock())
    team.runtime.scheduler.tick()
    team.deliver()
    with team.runtime.factory() as session:
        assert len(_report_items(session, weekly.id)) == len(reports)
    assert len(team.fake.workspace.tasks) == len(asked) + 1


def _report_items(session: Session, occurrence_id: int) -> list[ActionItem]:
    return list(
        session.scalars(
            select(ActionItem).where(
                ActionItem.source_kind == "meeting", ActionItem.source_id == occurrence_id
            )
        )
    )


def _director(session: Session) -> int | None:
    return session.scalars(select(Team.director_id).where(Team.key == "community")).one()


def _role(task: dict[str, Any], role: str) -> str:
    """The open_id holding ``role`` on ``task`` (the first; "" when none)."""
    return next((m["id"] for m in task["members"] if m["role"] == role), "")


def _task_event(guid: str, *, event_id: str) -> dict[str, object]:
    return {
        "schema": "2.0",
        "header": fk.header("task.task.update_user_access_v2", event_id=event_id),
        "event": {"task_guid": guid, "event_types": ["task_completed_update"]},
    }


def test_a_task_completed_in_feishu_marks_the_item_done_once(team: FeishuTeam) -> None:
    set_clock(team.runtime, "2026-11-30 09:00")
    item_id = _new_item(team.chat)
    team.deliver()
    [guid] = team.fake.workspace.tasks
    # When 李四 completes the task in Feishu and Feishu tells us (twice: it redelivers)
    team.fake.workspace.tasks[guid]["completed_at"] = "1796000400000"  # 2026-11-30 09:00 Beijing
    for _ in range(2):
        body, headers = fk.signed(
            _task_event(guid, event_id="ev-task-1"), timestamp=team.clock().timestamp()
        )
        assert team.http.post(EVENTS_PATH, content=body, headers=headers).status_code == 200
    # Then the item is done once, and 张三 is asked to check it
    item = team.item(item_id)
    assert item.state == "done"
    with team.runtime.factory() as session:
        dones = session.scalar(
            select(func.count()).where(ActionEvent.item_id == item_id, ActionEvent.kind == "done")
        )
    assert dones == 1
    assert len([m for m in team.chat.queued() if m.idempotency_key.startswith("actions.done")]) == 1
    # And the mirror of "done" does not complete the task in Feishu a second time
    team.deliver()
    patches = team.fake.workspace.of("PATCH", f"/tasks/{guid}")
    assert patches and all("completed_at" not in p.body["update_fields"] for p in patches)
    assert team.fake.workspace.tasks[guid]["completed_at"] == "1796000400000"


def test_a_task_uncompleted_in_feishu_opens_its_done_item_again(team: FeishuTeam) -> None:
    """Session 13's tester: 李四 completed the task in Feishu, then un-completed it; the item
    stayed done and 张三 was still asked to check it. Feishu sends the same event type for
    both, so the task is read back: completed_at 0 now means open again, once."""
    set_clock(team.runtime, "2026-11-30 09:00")
    item_id = _new_item(team.chat)
    team.deliver()
    [guid] = team.fake.workspace.tasks
    team.fake.workspace.tasks[guid]["completed_at"] = "1796000400000"  # 2026-11-30 09:00 Beijing
    body, headers = fk.signed(
        _task_event(guid, event_id="ev-task-done"), timestamp=team.clock().timestamp()
    )
    assert team.http.post(EVENTS_PATH, content=body, headers=headers).status_code == 200
    assert team.item(item_id).state == "done"
    team.deliver()
    # When 李四 un-completes it in Feishu (and Feishu delivers that twice)
    team.clock.set(team.clock() + timedelta(minutes=5))
    team.fake.workspace.tasks[guid]["completed_at"] = "0"
    for _ in range(2):
        body, headers = fk.signed(
            _task_event(guid, event_id="ev-task-undone"), timestamp=team.clock().timestamp()
        )
        assert team.http.post(EVENTS_PATH, content=body, headers=headers).status_code == 200
    # Then the item is open again, once, recorded as 李四's own reopen from the task
    item = team.item(item_id)
    assert (item.state, item.done_at) == ("open", None)
    with team.runtime.factory() as session:
        reopens = list(
            session.scalars(
                select(ActionEvent).where(
                    ActionEvent.item_id == item_id, ActionEvent.kind == "reopened"
                )
            )
        )
    assert len(reopens) == 1 and reopens[0].detail == {"reason": "", "via": "task"}
    assert reopens[0].actor_id == item.owner_id
    # and 张三 hears there is nothing to check any more
    undone = [m for m in team.chat.queued() if m.idempotency_key.startswith("actions.undone")]
    assert len(undone) == 1
    assert "取消了销项" in to_plain(Reply.model_validate(undone[0].payload))
    # and the mirror does not touch the task's completion again
    team.deliver()
    patches = team.fake.workspace.of("PATCH", f"/tasks/{guid}")
    assert all("completed_at" not in p.body["update_fields"] for p in patches)
    assert team.fake.workspace.tasks[guid]["completed_at"] == "0"


def test_a_checked_item_stays_closed_when_its_task_is_uncompleted(team: FeishuTeam) -> None:
    set_clock(team.runtime, "2026-11-30 09:00")
    item_id = _new_item(team.chat)
    team.chat.text(f"/完成销项 {item_id}", as_="lisi")
    team.chat.text(f"/确认销项 {item_id}", as_="zhangsan")
    team.deliver()
    [guid] = team.fake.workspace.tasks
    team.fake.workspace.tasks[guid]["completed_at"] = "0"
    body, headers = fk.signed(
        _task_event(guid, event_id="ev-task-late"), timestamp=team.clock().timestamp()
    )
    assert team.http.post(EVENTS_PATH, content=body, headers=headers).status_code == 200
    assert team.item(item_id).state == "closed"  # checked is final; the product says so


def test_a_done_item_reopened_in_the_product_reopens_the_task(team: FeishuTeam) -> None:
    set_clock(team.runtime, "2026-11-30 09:00")
    item_id = _new_item(team.chat)
    team.chat.text(f"/完成销项 {item_id}", as_="lisi")
    team.deliver()
    [guid] = team.fake.workspace.tasks
    assert team.fake.workspace.tasks[guid]["completed_at"] not in ("0", 0, None)
    team.chat.text(f"/退回销项 {item_id} 还缺示例", as_="zhangsan")
    team.deliver()
    assert team.fake.workspace.tasks[guid]["completed_at"] == 0


def test_a_moved_meeting_patches_its_event_and_a_cancelled_one_deletes_it(team: FeishuTeam) -> None:
    set_clock(team.runtime, "2026-11-06 08:30")
    team.runtime.scheduler.tick()
    team.deliver()
    weekly = _weekly(team.runtime)
    [event_id] = team.fake.workspace.events
    set_clock(team.runtime, "2026-11-06 09:00")
    team.chat.text(f"/reschedule {weekly.id} 11-11", as_="admin")
    team.deliver()
    [patch] = team.fake.workspace.of("PATCH", f"/events/{event_id}")
    moved = _weekly(team.runtime)
    assert patch.body["start_time"]["timestamp"] == str(int(moved.start_at.timestamp()))
    assert len(team.fake.workspace.events) == 1  # the same event, moved
    assert len(team.fake.workspace.of("POST", "/attendees")) == 1  # nobody invited twice
    # When the core group shrinks to 李华 and 张三 and the meeting moves again
    with transaction(team.runtime.factory) as session:
        for row in session.scalars(select(TeamMembership)):
            member = session.get(Member, row.member_id)
            row.core = member is not None and member.handle in ("lihua", "zhangsan")
        before = sorted(a["user_id"] for a in team.fake.workspace.events[event_id]["attendees"])
    team.chat.text(f"/reschedule {weekly.id} 11-12", as_="admin")
    team.deliver()
    # Then whoever left the core group is taken off the event (one delete call), only the
    # newcomer is added, nobody twice
    after = sorted(a["user_id"] for a in team.fake.workspace.events[event_id]["attendees"])
    assert after == ["ou_lihua", "ou_zhang"] and set(before) - set(after)
    [removal] = team.fake.workspace.of("POST", "/attendees/batch_delete")
    gone = sorted(d["user_id"] for d in removal.body["delete_ids"])
    assert gone == sorted(set(before) - set(after))
    adds = team.fake.workspace.of("POST", f"/events/{event_id}/attendees")
    adds = [c for c in adds if c.path.endswith("/attendees")]
    added = [a["user_id"] for c in adds[1:] for a in c.body["attendees"]]
    assert sorted(added) == sorted(set(after) - set(before))
    team.chat.text(f"/取消会议 {weekly.id}", as_="admin")
    team.deliver()
    assert team.fake.workspace.events[event_id]["status"] == "cancelled"
    assert len(team.fake.workspace.of("DELETE", f"/events/{event_id}")) == 1


def test_rate_limits_lost_answers_and_errors_leave_no_duplicates(team: FeishuTeam) -> None:
    set_clock(team.runtime, "2026-11-06 08:30")
    ws = team.fake.workspace
    # Feishu says "too many requests" to the first task create...
    ws.fail(
        "/task/v2/tasks",
        429,
        {"code": 99991400, "msg": "request trigger frequency limit"},
        headers={"x-ogw-ratelimit-reset": "3"},
    )
    # ...makes the next task but loses its answer (the retry sends the same client_token)...
    ws.fail("/task/v2/tasks", 500, {"code": 1000004, "msg": "internal error"}, after=True)
    # ...and makes the event but loses its answer, then adds attendees but loses that answer
    ws.fail("/events", 500, {"code": 1000004, "msg": "internal error"}, after=True)
    ws.fail("/attendees", 500, {"code": 1000004, "msg": "internal error"}, after=True)
    team.runtime.scheduler.tick()  # the weekly notice: a report task per core member
    _new_item(team.chat)  # and one action item
    with team.runtime.factory() as session:
        wanted = len(_report_items(session, _weekly(team.runtime).id)) + 1
    team.deliver()
    assert len(ws.tasks) == wanted - 1  # one waits out the limit
    for _ in range(4):  # later passes retry what failed
        team.clock.set(team.clock() + timedelta(minutes=5))
        team.deliver()
    # Then one task per item, one event, each attendee once; every operation done
    assert len(ws.tasks) == wanted and len(ws.events) == 1
    assert len({t["summary"] + _role(t, "assignee") for t in ws.tasks.values()}) == wanted
    [event] = ws.events.values()
    invited = [a["user_id"] for a in event["attendees"]]
    assert len(invited) == len(set(invited))
    creates = [c for c in ws.of("POST", "/task/v2/tasks") if c.path.endswith("/tasks")]
    assert len(creates) == wanted + 2  # the limited one and the lost answer asked again
    assert all(op.status == "sent" for op in team.ops()), [
        (op.status, op.last_error) for op in team.ops()
    ]


def _saying(team: FeishuTeam, text: str) -> list[fk.Call]:
    """The messages the bot sent whose body contains ``text``."""
    return [m for m in team.fake.messages() if text in json.dumps(m.body, ensure_ascii=False)]


_NO_SCOPE = {
    "code": 99991672,
    "msg": "Access denied. One of the following scopes is required: [task:task:read]",
}


def test_a_missing_scope_gives_up_saying_which(team: FeishuTeam) -> None:
    set_clock(team.runtime, "2026-11-30 09:00")
    team.fake.workspace.fail(
        "/task/v2/task_v2/task_subscription",
        400,
        _NO_SCOPE,
    )
    _new_item(team.chat)
    team.deliver()
    [op] = team.ops()
    assert op.status == "dead" and "99991672" in (op.last_error or "")
    assert not team.fake.workspace.tasks
    # And the workspace's admin is told once, by DM, with Feishu's code and what to do
    team.deliver()
    [dm] = _saying(team, "99991672")
    assert dm.query["receive_id_type"] == "open_id" and dm.body["receive_id"] == "ou_admin"
    text = json.dumps(dm.body, ensure_ascii=False)
    assert "task:task:read" in text and "发布" in text and "config check" in text
    # When an admin retries it and Feishu refuses again, nobody is told a second time
    team.fake.workspace.fail("/task/v2/task_v2/task_subscription", 400, _NO_SCOPE)
    with transaction(team.runtime.factory) as session:
        assert outbox_service.retry(session, outbox_id=op.id, now=team.clock())
    team.deliver()
    team.deliver()
    assert [o.status for o in team.ops()] == ["dead"]
    assert len(_saying(team, "99991672")) == 1


def test_a_task_deleted_in_feishu_stops_being_mirrored_quietly(team: FeishuTeam) -> None:
    set_clock(team.runtime, "2026-11-30 09:00")
    item_id = _new_item(team.chat)
    team.deliver()
    # Given someone deleted the item's task in Feishu
    [guid] = team.fake.workspace.tasks
    del team.fake.workspace.tasks[guid]
    # When the item is extended, done, reopened and handed on in the product
    for command, who in (
        (f"/延期销项 {item_id} 2026-12-10 等评审", "zhangsan"),
        (f"/完成销项 {item_id}", "lisi"),
        (f"/退回销项 {item_id} 还缺示例", "zhangsan"),
        (f"/转交销项 {item_id} @admin", "zhangsan"),
    ):
        team.chat.text(command, as_=who)
        team.deliver()
        team.clock.set(team.clock() + timedelta(minutes=2))
        team.deliver()
    # Then no operation went dead, Feishu was asked once (the first 404), nothing was made
    # again, and no admin was told of a missing permission (the tester's admin got five DMs)
    tasks = [o for o in team.ops() if o.payload.get("title") == "task"]
    assert tasks and all(o.status == "sent" for o in tasks)
    assert len(team.fake.workspace.of("PATCH", f"/tasks/{guid}")) == 1
    assert not team.fake.workspace.tasks
    assert not _saying(team, "飞书任务")
    # while the item itself went on in the product
    assert team.item(item_id).owner_id != team.item(item_id).requester_id


def test_an_operation_out_of_attempts_tells_the_admins(team: FeishuTeam) -> None:
    # Given Feishu keeps failing a calendar event with a busy error (worth retrying)
    set_clock(team.runtime, "2026-11-06 08:30")
    attempts = team.runtime.settings.outbox.max_attempts
    for _ in range(attempts + 2):
        team.fake.workspace.fail("/events", 500, {"code": 1000004, "msg": "internal error"})
    team.runtime.scheduler.tick()
    # When every attempt is spent
    for _ in range(attempts + 1):
        team.deliver()
        team.clock.set(team.clock() + timedelta(hours=3))
    # Then the operation is dead and the admin heard about it once, with the code
    [event_op] = [o for o in team.ops() if o.payload.get("title") == "event"]
    assert event_op.status == "dead" and event_op.attempts == attempts
    team.deliver()
    told = _saying(team, "1000004")
    assert len(told) == 1 and told[0].body["receive_id"] == "ou_admin"
    assert "飞书日程" in json.dumps(told[0].body, ensure_ascii=False)
    assert not team.fake.workspace.events


def test_a_team_not_on_feishu_keeps_the_built_in_tools(
    fake: FakeFeishu, db_url: str, clock: FrozenClock
) -> None:
    fake.reset()
    runtime = feishu_runtime(fake, db_url, clock, tenant="qq")
    try:
        chat = ChatDriver(runtime)
        set_clock(runtime, "2026-11-06 08:30")
        runtime.scheduler.tick()
        _new_item(chat)
        runtime.deliver()
        with runtime.factory() as session:
            queued = session.scalar(select(func.count()).where(OutboxMessage.platform == PLATFORM))
        assert queued == 0 and not fake.workspace.calls
        # And the weekly notice's report items are plain action items there: the same flow
        with runtime.factory() as session:
            weekly = session.scalars(
                select(MeetingOccurrence).where(MeetingOccurrence.key == "weekly:2026-11-06")
            ).one()
            reports = _report_items(session, weekly.id)
            assert reports and all(r.requester_id == _director(session) for r in reports)
    finally:
        runtime.close()


def test_the_report_pack_becomes_one_shared_feishu_doc(team: FeishuTeam) -> None:
    ws = team.fake.workspace
    # Given Feishu makes the first folder but its answer is lost
    ws.fail("/create_folder", 500, {"code": 1000004, "msg": "internal error"}, after=True)
    # When the weekly notice asks for its pack, and the outbox runs (and retries)
    set_clock(team.runtime, "2026-11-06 08:30")
    team.runtime.scheduler.tick()
    team.deliver()
    team.clock.set(team.clock() + timedelta(minutes=5))
    team.deliver()
    # Then one folder path 开发者社区/OKR报告/2026 holds one docx, filled and shared
    folders = [f for f in ws.files.values() if f["type"] == "folder"]
    assert sorted(f["name"] for f in folders) == ["2026", "OKR报告", "开发者社区"]
    [doc] = [f for f in ws.files.values() if f["type"] == "docx"]
    year = next(f for f in folders if f["name"] == "2026")
    assert doc["parent_token"] == year["token"] and "周报" in doc["name"]
    text = "\n".join(
        e["text_run"]["content"] for b in ws.blocks[doc["token"]] for e in b["text"]["elements"]
    )
    assert doc["name"] in text
    shares = {(s["member_id"], s["perm"]) for s in ws.shares[doc["token"]]}
    assert ("ou_lihua", "edit") in shares and ("ou_lisi", "view") in shares
    assert len(ws.shares[doc["token"]]) == len(shares)  # nobody shared twice
    assert all(op.status == "sent" for op in team.ops())
    assert "生成于 2026-11-06 08:30" in text
    # And the report-due notice links the Feishu doc
    set_clock(team.runtime, "2026-11-09 17:30")
    team.runtime.scheduler.tick()
    assert any(doc["url"] in t for t in team.chat.queued_texts())
    # When the pack is rebuilt then (the reports are in) and Feishu loses the delete's answer
    ws.fail("/children/batch_delete", 500, {"code": 1000004, "msg": "internal error"}, after=True)
    team.deliver()
    team.clock.set(team.clock() + timedelta(minutes=5))
    team.deliver()
    # Then the same document holds the new content, once, and no second document was made
    assert [f["token"] for f in ws.files.values() if f["type"] == "docx"] == [doc["token"]]
    assert len([c for c in ws.of("POST", "/docx/") if c.path.endswith("/documents")]) == 1
    text = "\n".join(
        e["text_run"]["content"] for b in ws.blocks[doc["token"]] for e in b["text"]["elements"]
    )
    assert "生成于 2026-11-09 17:30" in text and "生成于 2026-11-06" not in text
    assert text.count("生成于") == 1  # the old content is gone, the new one is in once
    assert len(ws.shares[doc["token"]]) == len(shares)
    assert all(op.status == "sent" for op in team.ops())


def test_a_leavers_plan_task_is_made_anew_when_they_return(team: FeishuTeam) -> None:
    """李四's career-plan item closes when 李四 leaves and its Feishu task is deleted; when
    李四 is re-enabled the item opens again, and so must the task: a new one (Feishu answers a
    reused client token with the deleted task), assigned to 李四, open. Session 20 left this."""
    set_clock(team.runtime, "2026-11-30 09:00")
    without_demo_plans(team.runtime)
    started = team.chat.text("/职业规划 发起 @lisi 截止 2026-12-31 18:00", as_="lihua")
    assert "发起" in started, started
    team.deliver()
    [first] = team.fake.workspace.tasks
    team.chat.text("/停用成员 @lisi", as_="admin")
    team.deliver()
    assert team.fake.workspace.tasks[first].get("deleted") is True

    back = team.chat.text("/启用成员 @lisi", as_="admin")
    team.deliver()

    assert "已重新打开" in back, back
    plan_tasks = [g for g, t in team.fake.workspace.tasks.items() if "职业发展规划" in t["summary"]]
    made = [g for g in plan_tasks if g != first]
    assert len(made) == 1, plan_tasks
    task = team.fake.workspace.tasks[made[0]]
    assert not task.get("deleted") and task.get("completed_at") in (None, "0", 0), task
    assert {m["id"] for m in task["members"] if m["role"] == "assignee"} == {"ou_lisi"}
    tasks = [o for o in team.ops() if o.payload.get("title") == "task"]
    assert tasks and all(o.status == "sent" for o in tasks)
    # a second delivery pass makes nothing more
    count = len(team.fake.workspace.tasks)
    team.deliver()
    assert len(team.fake.workspace.tasks) == count
