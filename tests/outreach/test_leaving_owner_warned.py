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
