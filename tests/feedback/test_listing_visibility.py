"""REST and the board follow chat's rule: off the desk, a member lists only their own reports."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.http import auth
from teamassist.team import people, workspaces
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


def _account(chat: ChatDriver, handle: str) -> None:
    with transaction(chat.runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle=handle)
        auth.set_password(session, username=handle, password=f"pw-{handle}", member=member)


def test_member_off_the_desk_sees_only_own_items(sqlite_chat: ChatDriver) -> None:
    sqlite_chat.text("/问题反馈 孙七的问题", as_="sunqi")
    sqlite_chat.text("/问题反馈 王五的问题", as_="wangwu")
    _account(sqlite_chat, "sunqi")
    _account(sqlite_chat, "admin")
    with TestClient(create_app(sqlite_chat.runtime, start_background=False)) as http:
        sign_in(http, "sunqi", "pw-sunqi")
        own = http.get("/api/v1/feedback/items").json()
        assert {i["text"] for i in own["items"]} == {"孙七的问题"}
        csv = http.get("/api/v1/feedback/items.csv").text
        assert "孙七的问题" in csv and "王五的问题" not in csv
        board = http.get("/feedback").text
        assert "孙七的问题" in board and "王五的问题" not in board
        # asking for someone else's reports does not widen the view: none of theirs is shown
        other = http.get("/api/v1/feedback/items", params={"reporter": "wangwu"}).json()
        assert other["items"] == []
    with TestClient(create_app(sqlite_chat.runtime, start_background=False)) as http:
        sign_in(http, "admin", "pw-admin")
        everything = http.get("/api/v1/feedback/items", params={"limit": 200}).json()
        assert {"孙七的问题", "王五的问题"} <= {i["text"] for i in everything["items"]}


def test_the_boards_people_filters_offer_the_callers_teams_people(sqlite_chat: ChatDriver) -> None:
    """Tester s25 F-B7: erin, in team 2 only, found team 1's people in her board's 跟进人 and
    反馈人 filters. They offer the people of the teams she reads (and herself)."""
    with transaction(sqlite_chat.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = workspaces.add_team(
            session, workspace=workspace, name="二组", timezone="Asia/Shanghai"
        )
        people.add_member(
            session, workspace=workspace, team=team, handle="erin", display_name="艾琳"
        )
        people.add_member(
            session, workspace=workspace, team=team, handle="dan2", display_name="丹二"
        )
    _account(sqlite_chat, "erin")
    with TestClient(create_app(sqlite_chat.runtime, start_background=False)) as http:
        sign_in(http, "erin", "pw-erin")
        board = http.get("/feedback").text
    owners = _options(board, "owner")
    assert owners == _options(board, "reporter") == ["erin", "dan2"], owners
    with TestClient(create_app(sqlite_chat.runtime, start_background=False)) as http:
        sign_in(http, "admin", "admin")
        assert "zhangsan" in _options(http.get("/feedback").text, "owner")


def _options(page: str, name: str) -> list[str]:
    """The handles a board's select ``name`` offers (its 全部 option left out)."""
    select = page.split(f'<select name="{name}"', 1)[1].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]
