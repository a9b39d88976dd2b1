"""What /360评价人 and /批准360 say when the request is not what they can do: the reviewee as their
own reviewer names the self pool (not a bad pool), someone already asked is named once, and an
approval that is not waiting names the people, the pool and where it stands, never a request
id; the director's list of nominations names people and pools and the command to send."""

from __future__ import annotations

import re

import pytest

from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from tests.okr.support import demo
from tests.reviews.support import set_up
from tests.support.chat import ChatDriver


@pytest.fixture
def desk(sqlite_chat: ChatDriver) -> ChatDriver:
    set_up(sqlite_chat.runtime)
    sqlite_chat.text("/发起360 @zhangsan 2026-12-04", as_="lihua")
    return sqlite_chat


def _newcomer(runtime: Runtime) -> None:
    """Someone who joins after the cycle started, so the default pools did not ask them."""
    with demo(runtime) as d:
        ws = team_service.get_workspace_by_key(d.session, key="demo")
        assert ws is not None
        team_service.create_member(
            d.session, workspace=ws, handle="newbie", display_name="新同事", team=d.team
        )


@pytest.mark.parametrize("who", ["lihua", "zhangsan"])
def test_the_reviewee_as_their_own_reviewer_is_the_self_pool(desk: ChatDriver, who: str) -> None:
    # When the director, or 张三 himself, names 张三 as 张三's reviewer
    reply = desk.text("/360评价人 @zhangsan @zhangsan", as_=who)
    # Then the reply gives the real reason, from the catalogue, naming him once
    assert reply == (
        "不能把被评人自己加为评价人：张三 的自评已经在「自评」组里了，请 @ 另一位同事。"
    )
    assert "评价组" not in reply


def test_someone_already_asked_is_named_once(desk: ChatDriver) -> None:
    _newcomer(desk.runtime)
    desk.text("/360评价人 @zhangsan @newbie", as_="lihua")
    # When the director asks the newcomer a second time
    reply = desk.text("/360评价人 @zhangsan @newbie", as_="lihua")
    # Then the reply says so, naming the newcomer once
    assert reply == "新同事 已经在评价人名单里了。"


def test_approvals_name_people_and_pools_never_a_request_id(desk: ChatDriver) -> None:
    _newcomer(desk.runtime)
    desk.text("/360评价人 @zhangsan @newbie", as_="zhangsan")
    # The director's /360 names both people, the pool and the exact command to send
    mine = desk.text("/360", as_="lihua")
    assert "· 新同事 评价 张三（同事）：发送 /批准360 @zhangsan @newbie" in mine, mine
    assert "已邀请 新同事 评价 张三（同事）。" in desk.text(
        "/批准360 @zhangsan @newbie", as_="lihua"
    )
    # When it is approved a second time
    again = desk.text("/批准360 @zhangsan @newbie", as_="lihua")
    # Then the reply names the people, the pool and its state, and points to /360: no id
    assert again == (
        "新同事 评价 张三（同事）现在是「待填写」，不在待批准状态，不用再批准。"
        "待批准的提名见 /360。"
    )
    assert re.search(r"#\d", again) is None
