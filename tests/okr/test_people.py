"""Owners and contributors of Os and KRs from chat (``负责人 @张三 协作 @李四 @王五``,
``/负责人``) and REST (``owner``/``contributors``), one service; someone who left is flagged in
REST, chat and the page, and their Os stay. Every backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.okr.models import Contributor, KeyResult, Objective
from teamassist.runtime import Runtime
from teamassist.team import people as team_people
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.web import sign_in
from tests.team.support import second_team


@pytest.fixture
def okr_chat(chat: ChatDriver) -> ChatDriver:
    set_clock(chat.runtime, "2026-11-16 09:00")  # a Monday of 2026Q4
    return chat


def _handles(runtime: Runtime, target_type: str, target_id: int) -> list[str]:
    with runtime.factory() as session:
        ids = session.scalars(
            select(Contributor.member_id)
            .where(Contributor.target_type == target_type, Contributor.target_id == target_id)
            .order_by(Contributor.id)
        ).all()
        members = team_service.members_by_id(session, ids)
        return [members[i].handle for i in ids]


def _kr(runtime: Runtime, title: str) -> tuple[int, str | None]:
    with runtime.factory() as session:
        kr = session.scalars(
            select(KeyResult).where(KeyResult.title == title).order_by(KeyResult.id.desc())
        ).first()
        assert kr is not None, title
        owner = team_service.members_by_id(session, [kr.owner_id]).get(kr.owner_id or 0)
        return kr.id, owner.handle if owner else None


def _leave(runtime: Runtime, handle: str) -> None:
    with transaction(runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        member = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle=handle
        )
        assert member is not None
        team_people.deactivate(session, member=member, now=runtime.clock())


def test_new_kr_names_its_owner_and_contributors_and_they_change_later(
    okr_chat: ChatDriver,
) -> None:
    okr_chat.text("/新建目标 提升交付质量", as_="zhangsan")
    reply = okr_chat.text(
        "/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50% 负责人 @李四 协作 @王五 @赵六",
        as_="zhangsan",
    )
    assert "KR-1「线上缺陷数」" in reply and "50 → 10 个" in reply  # the title kept whole
    assert "负责人 李四，协作 王五、赵六" in reply
    kr_id, owner = _kr(okr_chat.runtime, "线上缺陷数")
    assert owner == "lisi"
    assert _handles(okr_chat.runtime, "key_result", kr_id) == ["wangwu", "zhaoliu"]

    # The KR's new owner may change its people; the old owner drops out of the contributors.
    reply = okr_chat.text("/负责人 KR-1 @王五", as_="lisi")
    assert "已更新 KR-1：负责人 王五，协作 赵六。" in reply
    reply = okr_chat.text("/KR负责人 KR-1 协作 @孙七、@李四", as_="wangwu")
    assert "负责人 王五，协作 孙七、李四" in reply
    assert _handles(okr_chat.runtime, "key_result", kr_id) == ["sunqi", "lisi"]
    assert "负责人 王五。" in okr_chat.text("/负责人 KR-1 协作 无", as_="wangwu")
    assert _handles(okr_chat.runtime, "key_result", kr_id) == []

    # An O's owner and contributors, from /新建目标 (a lead) and /负责人 O-n.
    reply = okr_chat.text("/新建目标 让新人一周内上手 负责人 @李四 协作 @王五", as_="lihua")
    assert "O-2「让新人一周内上手」" in reply and "负责人 李四，协作 王五" in reply
    reply = okr_chat.text("/负责人 O-1 @赵六 协作 @张三", as_="zhangsan")
    assert "已更新 O-1：负责人 赵六，协作 张三。" in reply
    with okr_chat.runtime.factory() as session:
        o1 = session.scalars(
            select(Objective).where(Objective.title == "提升交付质量").order_by(Objective.id.desc())
        ).first()
        assert o1 is not None
    assert _handles(okr_chat.runtime, "objective", o1.id) == ["zhangsan"]

    # /我的OKR lists what one works on, not only what one owns (okr engineer's finding):
    # 张三 contributes to O-1 (owned by 赵六), 王五 owns its KR-1 and contributes to O-2.
    assert "O-1" in okr_chat.text("/我的OKR", as_="zhangsan")
    wangwu = okr_chat.text("/我的OKR", as_="wangwu")
    assert "O-1" in wangwu and "O-2" in wangwu
    lihua = okr_chat.text("/我的OKR", as_="lihua")  # created O-2 for 李四; works on neither
    assert "O-1" not in lihua and "O-2" not in lihua, lihua


BAD_PEOPLE = [
    ("/负责人 KR-1 @不存在的人", "找不到成员「不存在的人」"),
    ("/负责人 KR-1 @李四 @王五", "负责人只能有一位（你 @ 了 2 位）"),
    ("/负责人 KR-1 协作", "「协作」后面请 @ 成员"),
    ("/负责人 KR-1", "/负责人 O-1|KR-3"),
    ("/负责人 KR-1 @孙七", "孙七 已离开团队"),
    ("/负责人 KR-9 @李四", "找不到关键结果 KR-9"),
    ("/新建目标 扩招 负责人 @李四", "只有团队负责人、管理员或主管可以替别人新建目标"),
    ("/新建KR O-1 新渠道营收 起始 1 目标 2 单位 个 协作 @孙七", "孙七 已离开团队"),
]


def test_bad_people_get_a_clear_reply_and_change_nothing(okr_chat: ChatDriver) -> None:
    okr_chat.text("/新建目标 提升交付质量", as_="zhangsan")
    okr_chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 协作 @王五", as_="zhangsan")
    _leave(okr_chat.runtime, "sunqi")
    kr_id, _owner = _kr(okr_chat.runtime, "线上缺陷数")
    with okr_chat.runtime.factory() as session:
        before = len(session.scalars(select(Objective.id)).all())
    for command, expected in BAD_PEOPLE:
        assert expected in okr_chat.text(command, as_="zhangsan"), command
        assert _kr(okr_chat.runtime, "线上缺陷数") == (kr_id, "zhangsan")
        assert _handles(okr_chat.runtime, "key_result", kr_id) == ["wangwu"]
    with okr_chat.runtime.factory() as session:
        assert len(session.scalars(select(Objective.id)).all()) == before
        made = session.scalars(select(KeyResult.id).where(KeyResult.title == "新渠道营收"))
        assert made.all() == []


@pytest.fixture
def api(demo_runtime: Runtime) -> Iterator[TestClient]:
    set_clock(demo_runtime, "2026-11-16 09:00")
    with TestClient(create_app(demo_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def _ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


def test_rest_owner_and_contributors_and_a_departed_owner_is_flagged(api: TestClient) -> None:
    runtime: Runtime = api.app.state.runtime  # type: ignore[attr-defined]
    created = _ok(
        api.post(
            "/api/v1/okr/objectives",
            json={"title": "提升交付质量", "owner": "zhangsan", "contributors": ["lisi"]},
        ),
        201,
    )
    assert [(p["name"], p["left"]) for p in created["contributors"]] == [("李四", False)]
    path = f"/api/v1/okr/objectives/{created['id']}/key-results"
    body = {"title": "线上缺陷数", "start": 50, "target": 10, "unit": "个", "weight": 50}
    answer = _ok(api.post(path, json={**body, "owner": "wangwu", "contributors": ["zhaoliu"]}), 201)
    [kr] = answer["key_results"]
    assert (kr["owner_name"], kr["owner_left"]) == ("王五", False)
    assert [p["name"] for p in kr["contributors"]] == ["赵六"]

    changed = _ok(
        api.patch(f"/api/v1/okr/key-results/{kr['id']}", json={"contributors": ["sunqi", "lisi"]})
    )
    assert [p["name"] for p in changed["contributors"]] == ["孙七", "李四"]
    moved = _ok(api.patch(f"/api/v1/okr/objectives/{created['id']}", json={"owner": "wangwu"}))
    assert (moved["owner_name"], [p["name"] for p in moved["contributors"]]) == ("王五", ["李四"])
    unknown = api.patch(f"/api/v1/okr/key-results/{kr['id']}", json={"owner": "nobody"})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "core.error.unknown_member")
    # a member's name, as chat takes it (s23 report 2 F12: 「小助理找不到成员「孙七」」)
    named = _ok(
        api.patch(
            f"/api/v1/okr/key-results/{kr['id']}", json={"owner": "孙七", "contributors": ["赵六"]}
        )
    )
    assert (named["owner_name"], [p["name"] for p in named["contributors"]]) == ("孙七", ["赵六"])
    _ok(api.patch(f"/api/v1/okr/key-results/{kr['id']}", json={"owner": "王五"}))

    _leave(runtime, "wangwu")
    found = _ok(api.get(f"/api/v1/okr/objectives/{created['id']}"))
    assert (found["owner_name"], found["owner_left"]) == ("王五", True)  # flagged, not lost
    assert found["key_results"][0]["owner_left"] is True
    listed = _ok(api.get("/api/v1/okr/objectives", params={"cycle": "2026Q4"}))
    assert [(o["ref"], o["owner_left"]) for o in listed["objectives"]] == [("O-1", True)]
    refused = api.patch(f"/api/v1/okr/key-results/{kr['id']}", json={"owner": "wangwu"})
    assert (refused.status_code, refused.json()["error"]) == (422, "okr.error.member_left")
    handed = _ok(api.patch(f"/api/v1/okr/objectives/{created['id']}", json={"owner": "lisi"}))
    assert (handed["owner_name"], handed["owner_left"]) == ("李四", False)
    # The team page marks the departed KR owner's O too (here the O has a new owner: not marked).
    page = api.get("/okr/team", params={"cycle": "2026Q4"})
    assert page.status_code == 200 and "李四" in page.text and "王五（已离开）" not in page.text


def test_an_owner_or_contributor_of_another_team_is_refused(okr_chat: ChatDriver) -> None:
    # given an O and a KR of 开发者社区, and 二队成员 only in 第二团队 (tester s23 F16)
    with transaction(okr_chat.runtime.factory) as session:
        second_team(session)
    okr_chat.text("/新建目标 提升交付质量", as_="zhangsan")
    okr_chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 协作 @王五", as_="zhangsan")
    kr_id, _owner = _kr(okr_chat.runtime, "线上缺陷数")
    refusal = "二队成员 不在「开发者社区」里：目标和关键结果的负责人、协作人只能是本团队的成员"
    for command, speaker in (
        ("/负责人 O-1 @二队成员", "zhangsan"),
        ("/负责人 KR-1 协作 @二队成员", "zhangsan"),
        ("/新建KR O-1 外队KR 起始 1 目标 2 单位 个 负责人 @二队成员", "zhangsan"),
        ("/新建目标 外队负责的目标 负责人 @二队成员", "lihua"),
    ):
        reply = okr_chat.text(command, as_=speaker)
        assert refusal in reply, (command, reply)
    # then nothing changed: the owners, the contributors, no new O or KR
    assert _kr(okr_chat.runtime, "线上缺陷数") == (kr_id, "zhangsan")
    assert _handles(okr_chat.runtime, "key_result", kr_id) == ["wangwu"]
    with okr_chat.runtime.factory() as session:
        titles = set(session.scalars(select(Objective.title))) | set(
            session.scalars(select(KeyResult.title))
        )
        owners = set(session.scalars(select(Objective.owner_id)))
        m2 = team_service.get_member_by_handle(session, workspace_id=1, handle="m2")
    assert "外队KR" not in titles and "外队负责的目标" not in titles
    assert m2 is not None and m2.id not in owners
