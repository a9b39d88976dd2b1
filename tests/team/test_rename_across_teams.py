"""A rename is checked against every name of the workspace, since mentions are (tester s24 F5:
孙七 renamed 鲍勃 in 开发者社区 made 「@鲍勃」 ambiguous for 运维组, whose 鲍勃 he is)."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from tests.conftest import load_demo
from tests.support.chat import ChatDriver
from tests.team.support import second_team


def test_a_name_of_another_teams_member_is_refused(runtime: Runtime) -> None:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        second_team(session)  # 二队成员 (m2) is in 第二团队 only
    chat = ChatDriver(runtime)
    reply = chat.text("/改名 @sunqi 二队成员", as_="admin")
    assert reply.startswith("「二队成员」已经是 @m2 的名字"), reply
    with runtime.factory() as session:
        names = session.scalars(select(Member.handle).where(Member.display_name == "二队成员"))
        assert list(names) == ["m2"]
    # his own team's admin still reaches the one 二队成员 and renames him
    renamed = chat.text("/改名 @二队成员 二队成员甲", as_="boss2")
    assert renamed.startswith("已把 二队成员 改名为「二队成员甲」"), renamed
