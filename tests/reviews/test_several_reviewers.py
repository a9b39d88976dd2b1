"""/360评价人 with several reviewers in one message (tester s25 F-19: 「/360评价人 @bob2 @zs2 @zs4
@carol2 同事」 was refused as 「多余的内容」, the pool word with it): each named reviewer is taken,
in the pool given, with a line each; one refused is said on its line and the others are added;
all refused for one reason is that reason, once, with nothing added. Every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teamassist.reviews.models import ReviewRequest
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from tests.okr.support import demo
from tests.reviews.support import set_up
from tests.support.chat import ChatDriver

NEW = {"n1": "新一", "n2": "新二", "n3": "新三", "n4": "新四"}


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    set_up(chat.runtime)
    chat.text("/发起360 @zhangsan 2026-12-04", as_="lihua")
    with demo(chat.runtime) as d:  # people who joined after the start: no pool asked them
        ws = team_service.get_workspace_by_key(d.session, key="demo")
        assert ws is not None
        for handle, name in NEW.items():
            team_service.create_member(
                d.session, workspace=ws, handle=handle, display_name=name, team=d.team
            )
    return chat


def _asked(runtime: Runtime) -> dict[str, tuple[str, str]]:
    """The newcomers asked: handle → (pool, status)."""
    with demo(runtime) as d:
        people = {
            m.id: m.handle
            for m in team_service.get_members(d.session, workspace_id=d.team.workspace_id)
        }
        rows = d.session.scalars(select(ReviewRequest)).all()
        return {
            people[r.reviewer_id]: (r.pool, r.status)
            for r in rows
            if people.get(r.reviewer_id) in NEW
        }


def test_several_reviewers_are_each_asked_in_the_pool_given(desk: ChatDriver) -> None:
    reply = desk.text("/360评价人 @zhangsan @n1 @n2 @n3 下属", as_="lihua")
    assert reply == "\n".join(f"已邀请 {NEW[h]} 评价 张三（下属）。" for h in ("n1", "n2", "n3"))
    assert _asked(desk.runtime) == dict.fromkeys(("n1", "n2", "n3"), ("report", "invited"))


def test_one_refused_is_said_and_the_others_are_added(desk: ChatDriver) -> None:
    desk.text("/360评价人 @zhangsan @n1", as_="lihua")
    reply = desk.text("/360评价人 @zhangsan @n1 @n4 同事", as_="lihua")
    assert reply == "没有添加 新一：新一 已经在评价人名单里了。\n已邀请 新四 评价 张三（同事）。"
    assert _asked(desk.runtime) == {"n1": ("peer", "invited"), "n4": ("peer", "invited")}


def test_all_refused_for_one_reason_says_it_once(desk: ChatDriver) -> None:
    # the reviewee nominates peers only
    reply = desk.text("/360评价人 @zhangsan @n1 @n2 上级", as_="zhangsan")
    assert reply == "被评人只能提名同事，请负责人添加上级或下属。"
    assert _asked(desk.runtime) == {}
    # and nominating two peers works as one did
    two = desk.text("/360评价人 @zhangsan @n1 @n2", as_="zhangsan")
    assert two.count("等负责人批准后才会邀请") == 2, two
    assert _asked(desk.runtime) == dict.fromkeys(("n1", "n2"), ("peer", "nominated"))
