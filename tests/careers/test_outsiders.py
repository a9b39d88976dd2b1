"""A team's career plans for its own people only: a caller outside the team named is refused
like on every other team route (tester s26 B-13: GET /career-plans?team_id=1 answered 200 []
to a member of another team), and /职业规划 查看 of someone outside the team says so (B-20:
「鲍勃 还没有职业发展规划」 of a person who has one in another team)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.runtime import Runtime
from teamassist.team import org, people
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in
from tests.team.support import demo


def _second_team(runtime: Runtime) -> None:
    """二组 beside the demo team: 艾琳 (erin) its admin and only member."""
    with transaction(runtime.factory) as session:
        d = demo(session)
        team = org.create_sub_team(
            session, workspace=d.workspace, parent=None, key="t2", name="二组"
        )
        people.add_member(
            session,
            workspace=d.workspace,
            team=team,
            handle="erin",
            display_name="艾琳",
            role=Role.ADMIN,
        )


def test_a_member_of_another_team_is_refused_the_team_s_plans(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-12-01 10:00")
    _second_team(sqlite_runtime)
    password = give_account(sqlite_runtime, "erin")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as erin:
        sign_in(erin, "erin", password)
        refused = erin.get("/api/v1/career-plans?team_id=1")
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "core.error.not_in_team"
        assert "开发者社区" in refused.json()["message"]
        assert erin.get("/api/v1/career-plans").status_code == 200
        assert erin.get("/api/v1/career-plans?team_id=2").json() == []


def test_viewing_someone_outside_the_team_says_so(chat: ChatDriver) -> None:
    set_up_groups(chat.runtime)
    set_clock(chat.runtime, "2026-12-01 10:00")
    _second_team(chat.runtime)
    reply = chat.text("/职业规划 查看 @zhangsan", as_="erin")
    assert reply == "张三 不在「二组」里，这里看不到 TA 的职业发展规划。", reply
    # the demo team's director still reads (or is told of no plan) as before
    assert "不在" not in chat.text("/职业规划 查看 @zhangsan", as_="lihua")
