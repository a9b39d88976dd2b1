"""有事儿找组织: named and anonymous messages to the director, relayed replies, limits."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.org_contact.models import OrgMessage
from teamassist.team import org, people, workspaces
from teamassist.team import service as team_service
from tests.okr.support import set_clock
from tests.outreach.support import ids, set_up_groups
from tests.support.chat import ChatDriver


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)  # 李华 directs the demo team
    return chat


def _ws(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        return workspace.id


def _to(chat: ChatDriver, handle: str) -> list[str]:
    member_id = ids(chat.runtime)[handle]
    return [
        text
        for m, text in zip(chat.queued(), chat.queued_texts(), strict=True)
        if m.idempotency_key.startswith("org_contact.")
        and m.idempotency_key.endswith(f":m{member_id}")
    ]


def test_anonymous_message_reaches_the_director_without_the_name(
    desk: ChatDriver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    reply = desk.text("/找组织 匿名 加班太多", as_="sunqi")
    assert "已匿名转给李总（编号 R-1）" in reply, reply
    [notice] = _to(desk, "lihua")
    assert "匿名同事（#R-1）：加班太多" in notice
    assert "孙七" not in notice and "sunqi" not in notice
    inbox = desk.text("/组织来信", as_="lihua")
    assert "R-1" in inbox and "匿名同事" in inbox and "孙七" not in inbox
    assert "孙七" not in caplog.text
    # The director answers through the relay; the sender gets it, the director learns nothing.
    assert "已把回复转达给 R-1" in desk.text("/回复 R-1 周五聊", as_="lihua")
    [relayed] = _to(desk, "sunqi")
    assert "李总回复了您的来信（R-1）：周五聊" in relayed
    # Only the recipient may answer.
    assert "只有收信人可以回复" in desk.text("/回复 R-1 我来回", as_="zhangsan")
    assert "没有编号为 R-99" in desk.text("/回复 R-99 hi", as_="lihua")


def test_a_sentence_starting_with_the_word_is_kept_whole(desk: ChatDriver) -> None:
    """Tester F9 (session 18): ``/找组织 匿名的意见：食堂太差`` arrived as 「的意见：食堂太差」. The
    word starting a sentence keeps the text whole (still anonymous: the sender may mean it);
    as a word of its own (匿名：…, 匿名 …) it is taken off as before."""
    reply = desk.text("/找组织 匿名的意见：食堂太差", as_="sunqi")
    assert "已匿名转给" in reply, reply
    [notice] = _to(desk, "lihua")
    assert "匿名同事（#R-1）：匿名的意见：食堂太差" in notice, notice
    desk.text("/找组织 匿名：加班太多", as_="wangwu")
    assert any("匿名同事（#R-2）：加班太多" in n for n in _to(desk, "lihua"))


def test_named_message_gets_the_seed_acknowledgement(desk: ChatDriver) -> None:
    assert desk.text("/找组织 想聊聊转岗", as_="wangwu") == "收到，稍晚李总会直接找您：）"
    [notice] = _to(desk, "lihua")
    assert "王五（R-1）：想聊聊转岗" in notice


def test_the_address_is_the_directors_own_when_set(desk: ChatDriver) -> None:
    with transaction(desk.runtime.factory) as session:
        lihua = team_service.get_member_by_handle(session, workspace_id=_ws(desk), handle="lihua")
        assert lihua is not None
        lihua.address_as = "华哥"
    assert desk.text("/找组织 想聊聊", as_="wangwu") == "收到，稍晚华哥会直接找您：）"


def test_daily_limit_and_empty_text(desk: ChatDriver) -> None:
    for n in range(5):
        assert "收到" in desk.text(f"/找组织 第{n}条", as_="zhaoliu")
    assert "今天已经发了 5 条" in desk.text("/找组织 第6条", as_="zhaoliu")
    assert "请写上要对组织说的话" in desk.text("/找组织 匿名", as_="zhaoliu")
    # The next local day the limit starts again.
    set_clock(desk.runtime, "2026-12-01 00:05")
    assert "收到" in desk.text("/找组织 新的一天", as_="zhaoliu")
    with desk.runtime.factory() as session:
        assert len(session.scalars(select(OrgMessage)).all()) == 6


def test_small_team_warning(desk: ChatDriver) -> None:
    with transaction(desk.runtime.factory) as session:
        team = team_service.default_team(session, workspace_id=_ws(desk))
        team.settings = {"org_contact": {"small_team": 10}}
    assert "团队人数很少" in desk.text("/找组织 匿名 有点累", as_="sunqi")


def test_seed_form_checks_membership(desk: ChatDriver) -> None:
    reply = desk.text("###产品核心群###***我有事儿找组织***工位太吵", as_="zhaoliu")
    assert reply == "收到，稍晚李总会直接找您：）"
    assert "赵六（R-1）：工位太吵" in _to(desk, "lihua")[0]
    assert "找不到群组「外星群」" in desk.text("###外星群###***我有事儿找组织***x", as_="zhaoliu")


def test_seed_form_honours_anonymous(desk: ChatDriver, caplog: pytest.LogCaptureFixture) -> None:
    # Tester s16 M9: the seed form with a leading 匿名 named its sender to the director.
    with transaction(desk.runtime.factory) as session:
        team_service.default_team(session, workspace_id=_ws(desk)).name = "核心团队"
    caplog.set_level(logging.INFO)
    reply = desk.text("###核心团队###***我有事儿找组织***匿名 能匿名吗", as_="zhaoliu")
    assert "已匿名转给李总（编号 R-1）" in reply, reply
    [notice] = _to(desk, "lihua")
    assert "匿名同事（#R-1）：能匿名吗" in notice
    assert "赵六" not in notice and "zhaoliu" not in notice
    inbox = desk.text("/组织来信", as_="lihua")
    assert "R-1" in inbox and "匿名同事" in inbox and "赵六" not in inbox
    assert "赵六" not in caplog.text
    with desk.runtime.factory() as session:
        [row] = session.scalars(select(OrgMessage)).all()
        # The flag is what the REST inbox, the dashboard and the export withhold the name by.
        assert row.anonymous and row.text == "能匿名吗"
    # The director's answer still reaches the sender.
    desk.text("/回复 R-1 周五聊", as_="lihua")
    assert "李总回复了您的来信（R-1）：周五聊" in _to(desk, "zhaoliu")[0]
    # Without the word, the seed form stays named, as the seed had it.
    desk.text("###核心团队###***我有事儿找组织***想聊聊", as_="zhaoliu")
    assert any("赵六（R-2）：想聊聊" in n for n in _to(desk, "lihua"))


def _rows(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        return len(session.scalars(select(OrgMessage)).all())


def test_the_only_admin_is_told_they_would_read_it_themself(chat: ChatDriver) -> None:
    """Tester O1 (session 16): the only admin of a team with no director or leader sent
    ``/找组织 管理员自己找组织`` and was told the team had no admin."""
    set_clock(chat.runtime, "2026-11-30 09:00")
    reply = chat.text("/找组织 管理员自己找组织", as_="admin")
    assert "能接收来信的管理员只有您自己" in reply, reply
    assert "还没有负责人、组长或管理员" not in reply
    assert _rows(chat) == 0


def _team(chat: ChatDriver, name: str, admin: str, *, under_default: bool = False) -> None:
    """A team ``name`` whose only admin is the new member ``admin`` (no director, no leader),
    under the demo team in the org chart when ``under_default``."""
    with transaction(chat.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = workspaces.add_team(
            session, workspace=workspace, name=name, timezone="Asia/Shanghai"
        )
        people.add_member(
            session, workspace=workspace, team=team, handle=admin, display_name=f"{name}头",
            role=Role.ADMIN,
        )  # fmt: skip
        if under_default:
            org.set_parent(
                session,
                team=team,
                parent=team_service.default_team(session, workspace_id=workspace.id),
            )


def test_a_stranger_teams_admin_never_reads_it(chat: ChatDriver) -> None:
    """Tester F-12 (session 25): with no other reader in the team, the message went to the
    admin of whichever team came first by id, a team the sender has nothing to do with. The
    only admin of the default team, with no parent team, is told they would read it."""
    set_clock(chat.runtime, "2026-11-30 09:00")
    _team(chat, "产品组", "pl1")  # a top-level team of its own
    reply = chat.text("/找组织 管理员自己找组织", as_="admin")
    assert "能接收来信的管理员只有您自己" in reply, reply
    assert _to(chat, "pl1") == []
    assert _rows(chat) == 0


def test_a_sub_teams_only_admin_reaches_the_parent_team(chat: ChatDriver) -> None:
    """A sub-team with no other reader goes up the org chart: the parent team's stand-in
    (王管理, the demo team's admin) reads it, and the sender is told who and why."""
    set_clock(chat.runtime, "2026-11-30 09:00")
    _team(chat, "三组", "pl3")  # a stranger team, made first: never asked
    _team(chat, "产品组", "pl1", under_default=True)
    reply = chat.text("/找组织 子团队找组织", as_="pl1")
    assert reply.startswith("收到，稍晚王管理会直接找您"), reply
    assert "转给了上级团队「开发者社区」的王管理" in reply, reply
    [notice] = _to(chat, "admin")
    assert "子团队找组织" in notice
    assert _to(chat, "pl3") == []


def test_a_top_level_teams_only_admin_reaches_the_workspace_admin(chat: ChatDriver) -> None:
    """F-12's setting: 二组 has no director or leader and boss2 is its only admin; 王管理 is
    the default team's admin (the workspace's). The message reaches him as the workspace's
    admin, the reply says so, and REST answers the same route."""
    set_clock(chat.runtime, "2026-11-30 09:00")
    _team(chat, "二组", "boss2")
    reply = chat.text("/找组织 重复找组织", as_="boss2")
    assert "转给了工作区管理员王管理（「开发者社区」的管理员）" in reply, reply
    [notice] = _to(chat, "admin")
    assert "重复找组织" in notice
    assert _rows(chat) == 1


def test_the_same_message_again_is_not_sent_twice(desk: ChatDriver) -> None:
    """Session 26's worth-issue list (F-12's follow-up): the same /找组织 text twice reached the
    director twice. Retyped (case, width, blanks, a closing mark) within ten minutes it is the
    first message: one row, one notice, and the sender is told it arrived."""
    first = desk.text("/找组织 匿名 加班太多 OT", as_="sunqi")
    assert "编号 R-1" in first, first
    again = desk.text("/找组织 匿名 加班太多ｏｔ。", as_="sunqi")
    assert again == "这条刚才已经转给李总了（编号 R-1），10 分钟内相同的内容不会再发一次。", again
    assert len(_to(desk, "lihua")) == 1
    # named and anonymous are different messages; so is another text
    assert desk.text("/找组织 加班太多 OT", as_="sunqi") == "收到，稍晚李总会直接找您：）"
    assert "编号 R-3" in desk.text("/找组织 匿名 加班太多了", as_="sunqi")
    # after the window the same text is a new message
    set_clock(desk.runtime, "2026-11-30 09:11")
    assert "编号 R-4" in desk.text("/找组织 匿名 加班太多 OT", as_="sunqi")
    assert len(_to(desk, "lihua")) == 4
    with desk.runtime.factory() as session:
        assert len(session.scalars(select(OrgMessage)).all()) == 4


def test_a_repeat_of_the_last_message_of_the_day_is_not_refused(desk: ChatDriver) -> None:
    for n in range(5):
        assert "收到" in desk.text(f"/找组织 第{n}条", as_="zhaoliu")
    assert "已经转给李总" in desk.text("/找组织 第4条", as_="zhaoliu")
    assert "今天已经发了 5 条" in desk.text("/找组织 第5条", as_="zhaoliu")
