"""Work given to a person set to leave says so, whichever way it is given (tester s25 F-6):
/销项, /转交销项 and /指派反馈 warned; /通知 and /群发 with a deadline, and REST's action items,
reassignments, feedback assignments and announcements, said nothing. One rule
(``team.people.leaves_by``), the same lines in a chat reply and in REST ``warnings``. Every
backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from tests.okr.support import set_clock
from tests.one_on_ones.support import item_id, make_director, pair_id
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver
from tests.web.test_member_scope import member_client

# 李四 leaves on 2026-12-02; the items below are due on 12-04, after it.
ITEM = (
    "注意：李四 将于 2026-12-02 停用，期限在那之后；"
    "到时这个销项会转交给提出人（或团队负责人）。要换人请用 /转交销项。"
)
ANNOUNCED = (
    "注意：李四 将于 2026-12-02 停用，期限在那之后；"
    "到时 TA 的这个销项会转交给提出人（或团队负责人）。要换人请用 /转交销项。"
)
FEEDBACK = (
    "注意：李四 将于 2026-12-02 停用，到时 TA 还没处理完的反馈会转给当时值班的人"
    "（或团队的默认跟进人）。要换人请再 /指派反馈。"
)


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    # Monday 2026-11-30 09:00 Beijing; 李四 (core) is set to leave on Wednesday.
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    assert "将于 2026-12-02 停用" in chat.text("/停用成员 @lisi 2026-12-02", as_="admin")
    return chat


def _team_id(runtime: Runtime) -> int:
    with runtime.factory() as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        return team_service.default_team(session, workspace_id=workspace.id).id


@pytest.fixture
def lihua(desk: ChatDriver) -> Iterator[TestClient]:
    with member_client(desk.runtime, "lihua") as client:
        yield client


def test_a_bulk_dm_with_a_deadline_names_the_owner_who_leaves_first(desk: ChatDriver) -> None:
    reply = desk.text("/群发 产品核心群 请交材料 截止 2026-12-04 17:30", as_="lihua")
    assert "已排队群发" in reply and "各布置一个销项" in reply, reply
    assert reply.count("停用") == 1 and ANNOUNCED in reply, reply  # 李四, not 张三
    # due before the departure: nothing to say
    early = desk.text("/群发 产品核心群 请交周报 截止 2026-12-01 17:30", as_="lihua")
    assert "已排队群发" in early and "停用" not in early, early


def test_a_notice_with_a_deadline_names_the_owner_who_leaves_first(desk: ChatDriver) -> None:
    reply = desk.text("/通知 开发者大群 @lisi 交报告 截止 2026-12-04 18:00", as_="lihua")
    assert "已排队通知" in reply and ANNOUNCED in reply, reply
    plain = desk.text("/通知 开发者大群 @zhangsan 交报告 截止 2026-12-04 18:00", as_="lihua")
    assert "已排队通知" in plain and "停用" not in plain, plain


def test_rest_announcement_carries_the_warning(desk: ChatDriver, lihua: TestClient) -> None:
    body = {"group": "产品核心群", "text": "REST 交材料", "kind": "bulk", "due_at": "2026-12-04"}
    created = lihua.post("/api/v1/announcements", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["warnings"] == [ANNOUNCED]
    # a read of it later is no answer to a send: nothing to warn of
    read = lihua.get(f"/api/v1/announcements/{created.json()['id']}")
    assert read.status_code == 200 and read.json()["warnings"] == []


def test_rest_action_item_and_reassignment_carry_the_warning(
    desk: ChatDriver, lihua: TestClient
) -> None:
    team = _team_id(desk.runtime)
    url = f"/api/v1/actions?team_id={team}"
    made = lihua.post(url, json={"owner": "lisi", "title": "REST 销项", "due": "2026-12-04"})
    assert made.status_code == 201, made.text
    assert made.json()["warnings"] == [ITEM]
    early = lihua.post(url, json={"owner": "lisi", "title": "离职前", "due": "2026-12-01"})
    assert early.status_code == 201 and early.json()["warnings"] == [], early.text
    other = lihua.post(url, json={"owner": "zhangsan", "title": "转交的", "due": "2026-12-04"})
    assert other.status_code == 201 and other.json()["warnings"] == [], other.text
    handed = lihua.post(
        f"/api/v1/actions/{other.json()['id']}/reassign?team_id={team}", json={"owner": "lisi"}
    )
    assert handed.status_code == 200, handed.text
    assert handed.json()["owner"] == "李四" and handed.json()["warnings"] == [ITEM]
    # chat says the same line
    reply = desk.text("/销项 @lisi 聊天销项 2026-12-04", as_="lihua")
    assert reply.endswith("\n" + ITEM), reply


def test_rest_feedback_assignment_carries_the_warning(desk: ChatDriver) -> None:
    desk.text("/问题反馈 登录页打不开", as_="zhangsan")
    with member_client(desk.runtime, "admin") as admin:
        [item] = [
            i
            for i in admin.get("/api/v1/feedback/items").json()["items"]
            if i["text"] == "登录页打不开"
        ]
        assigned = admin.post(f"/api/v1/feedback/items/{item['id']}/assign", json={"owner": "lisi"})
        assert assigned.status_code == 200, assigned.text
        assert assigned.json()["owner_name"] == "李四" and assigned.json()["warnings"] == [FEEDBACK]
        back = admin.post(f"/api/v1/feedback/items/{item['id']}/assign", json={"owner": "zhangsan"})
        assert back.status_code == 200 and back.json()["warnings"] == [], back.text


# 张三 leaves on 2026-12-02 in the tests below (the demo's 1on1: 李华 ↔ 张三).
TOPIC = (
    "注意：张三 将于 2026-12-02 停用，期限在那之后；"
    "到时这个销项会转交给提出人（或团队负责人）。要换人请用 /转交销项。"
)


@pytest.fixture
def leaving_report(chat: ChatDriver) -> ChatDriver:
    set_clock(chat.runtime, "2026-11-30 09:00")
    make_director(chat.runtime)
    assert "将于 2026-12-02 停用" in chat.text("/停用成员 @zhangsan 2026-12-02", as_="admin")
    return chat


def test_a_topic_turned_into_an_action_item_warns_of_the_departure(
    leaving_report: ChatDriver,
) -> None:
    """Tester s26 B-23: /议题销项 gave 丹 work due after his leaving day without a word."""
    chat = leaving_report
    for text in ("交接文档", "离职前谈话", "REST 交接"):
        chat.text(f"/议题 @张三 {text}", as_="lihua")
    reply = chat.text(f"/议题销项 {item_id(chat.runtime, '交接文档')} 2026-12-04", as_="lihua")
    assert "已转为销项" in reply and reply.endswith("\n" + TOPIC), reply
    early = chat.text(f"/议题销项 {item_id(chat.runtime, '离职前谈话')} 2026-12-01", as_="lihua")
    assert "已转为销项" in early and "停用" not in early, early
    # on the leaving day itself it is due after the departure (its start)
    team = _team_id(chat.runtime)
    pair = pair_id(chat.runtime)
    item = item_id(chat.runtime, "REST 交接")
    with member_client(chat.runtime, "lihua") as lihua:
        made = lihua.post(
            f"/api/v1/one-on-ones/{pair}/agenda/{item}/action?team_id={team}",
            json={"due": "2026-12-02"},
        )
        assert made.status_code == 200, made.text
        assert made.json()["warnings"] == [TOPIC]
        # asked again: the item made before, nothing new to warn of
        again = lihua.post(
            f"/api/v1/one-on-ones/{pair}/agenda/{item}/action?team_id={team}",
            json={"due": "2026-12-09"},
        )
        assert again.status_code == 200 and again.json()["warnings"] == [], again.text


def test_a_career_plan_due_after_the_departure_is_warned(leaving_report: ChatDriver) -> None:
    """Tester s26 B-23: /职业规划 发起 gave a plan and an action item due two weeks after the
    person left, no warning. (The demo's 2026 plans: 张三's written, 李四's and 王五's started;
    赵六 and 孙七 have none.)"""
    chat = leaving_report
    assert "将于 2026-12-02 停用" in chat.text("/停用成员 @zhaoliu 2026-12-02", as_="admin")
    reply = chat.text("/职业规划 发起 @赵六 @孙七 截止 2026-12-31 18:00", as_="lihua")
    assert "已为 2 人发起" in reply, reply
    assert reply.count("注意：") == 1, reply  # 赵六, not 孙七
    assert reply.endswith(
        "\n注意：赵六 将于 2026-12-02 停用，早于规划的截止时间 2026-12-31 18:00；"
        "TA 停用时还没写完的话，规划的销项随之关闭（只有本人能写规划）。"
    ), reply
    with chat.runtime.factory() as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        member = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle="zhaoliu"
        )
        assert member is not None
        zhaoliu = member.id
    with member_client(chat.runtime, "lihua") as lihua:
        url = f"/api/v1/career-plans?team_id={_team_id(chat.runtime)}"
        # 赵六's plan exists: a later deadline moves it, and the warning says so again
        body = {"member_ids": [zhaoliu], "due_at": "2027-01-08T18:00:00"}
        moved = lihua.post(url, json=body)
        assert moved.status_code == 201, moved.text
        assert moved.json()["warnings"] == [
            "注意：赵六 将于 2026-12-02 停用，早于规划的截止时间 2027-01-08 18:00；"
            "TA 停用时还没写完的话，规划的销项随之关闭（只有本人能写规划）。"
        ]
        # the same deadline again moves nothing: nothing new to warn of
        again = lihua.post(url, json=body)
        assert again.status_code == 201 and again.json()["warnings"] == [], again.text
