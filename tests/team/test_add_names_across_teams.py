"""Adding a person is checked against every name of the workspace, as a rename is (tester s25
F-9): 第二团队's admin added a 张三 (and an "admin") through chat, REST and the CLI, and in
开发者社区, which he is not in, 「@张三」 then answered 「有多位成员叫「张三」」. Every add path
goes through ``people.add_person``; on every backend."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in
from tests.team.support import second_team


def _named(runtime: Runtime, name: str) -> list[str]:
    with runtime.factory() as session:
        return list(session.scalars(select(Member.handle).where(Member.display_name == name)))


def test_an_added_person_may_not_take_a_name_or_handle_of_the_workspace(
    runtime: Runtime,
) -> None:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        team2 = second_team(session).id
    chat = ChatDriver(runtime)
    with runtime.factory() as session:
        people = session.scalar(select(func.count()).select_from(Member))
    # chat: 张三 is the name of @zhangsan of 开发者社区
    reply = chat.text("/添加成员 @zs4 成员 张三", as_="boss2")
    assert reply == (
        "「张三」已经是 @zhangsan 的名字：再添加一位叫「张三」的人，@张三 就分不清是谁了，"
        "这次没有添加。请换一个能区分的名字，例如「张三2」；要把 @zhangsan 本人加进这个团队，"
        "请直接添加 @zhangsan。"
    ), reply
    # and admin is 王管理's handle
    reply = chat.text("/添加成员 @zs5 成员 admin", as_="boss2")
    assert reply == (
        "「admin」是 王管理 的账号名（@admin）：用它做新成员的名字，@admin 仍会找到 王管理，"
        "这次没有添加。请换一个名字。"
    ), reply
    # REST, the same check
    give_account(runtime, "boss2")
    with TestClient(create_app(runtime, start_background=False)) as boss2:
        sign_in(boss2, "boss2", "pw-boss2")
        refused = boss2.post(
            f"/api/v1/teams/{team2}/members", json={"handle": "zs2", "display_name": "张三"}
        )
    assert refused.status_code == 409
    assert refused.json()["error"] == "people.error.new_name_taken"
    # nobody was added, and 「@张三」 in 开发者社区 still finds the one 张三
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == people
    assert _named(runtime, "张三") == ["zhangsan"]
    # a name of its own is added as before
    added = chat.text("/添加成员 @zs6 成员 张三丰", as_="boss2")
    assert added.startswith("已把 张三丰（zs6）加入「第二团队」"), added
    assert _named(runtime, "张三丰") == ["zs6"]
