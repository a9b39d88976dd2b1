"""Issue 14 (case 20): nominate with evidence, one vote per voter that a second vote replaces,
no self-vote, only nominees, counts hidden until close, the result announced once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from teamassist.database import transaction
from teamassist.team import service as team_service
from teamassist.team.models import Workspace
from tests.awards.support import announced, ids, round_of, set_up_groups, votes
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver

LINK = "https://git.example.com/pay/pull/42"


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    # Given the demo team with 李华 as director, a team group chat, and June's round open
    # for nominations (the demo nominated 张三, 王五 and 赵六).
    set_up_groups(chat.runtime)
    set_clock(chat.runtime, "2026-06-10 10:00")
    return chat


def _start_voting(desk: ChatDriver) -> None:
    assert "开始投票" in desk.text("/专家评选 投票", as_="lihua")


def test_nomination_keeps_reason_and_link(desk: ChatDriver) -> None:
    # When 王管理 nominates 孙七 with the words and a link.
    reply = desk.text(f"/提名 @sunqi 主导支付重构 {LINK}", as_="admin")
    # Then the receipt names the nominee, the reason and one piece of evidence,
    assert "已提名 孙七：主导支付重构（证据 1 条）" in reply, reply
    # and the status lists the reason with who nominated, and shows no count.
    status = desk.text("/专家评选", as_="zhangsan")
    assert "孙七：主导支付重构（王管理 提名，证据 1 条）" in status, status
    assert re.search(r"\d+ 票", status) is None, status


def test_one_vote_per_voter_and_a_second_vote_replaces_it(desk: ChatDriver) -> None:
    _start_voting(desk)
    people = ids(desk.runtime)
    # When 孙七 votes for 张三, then again for 王五.
    assert "已投票给 张三" in desk.text("/投票 @zhangsan", as_="sunqi")
    reply = desk.text("/投票 @wangwu", as_="sunqi")
    # Then one row holds the later choice.
    assert "已改投 王五（原先投给 张三）" in reply, reply
    assert votes(desk.runtime) == [(people["sunqi"], people["wangwu"])]
    # The same vote twice is still one row.
    desk.text("/投票 @wangwu", as_="sunqi")
    assert votes(desk.runtime) == [(people["sunqi"], people["wangwu"])]


def test_self_vote_and_non_nominee_are_refused_and_change_nothing(desk: ChatDriver) -> None:
    _start_voting(desk)
    # 张三 is a nominee but may not vote for himself.
    assert "不能投给自己" in desk.text("/投票 @zhangsan", as_="zhangsan")
    # 李四 was not nominated this month.
    assert "李四 没有被提名" in desk.text("/投票 @lisi", as_="sunqi")
    assert votes(desk.runtime) == []


def test_no_vote_before_voting_and_no_nomination_after(desk: ChatDriver) -> None:
    assert "还没有开始投票" in desk.text("/投票 @zhangsan", as_="sunqi")
    _start_voting(desk)
    assert "不在提名阶段" in desk.text(f"/提名 @sunqi 文档 {LINK}", as_="admin")
    assert votes(desk.runtime) == []


def test_bad_nominations_are_refused(desk: ChatDriver) -> None:
    # Nominating oneself is off by default; a reason is required; once per nominator.
    assert "不能提名自己" in desk.text("/提名 @sunqi 我很棒", as_="sunqi")
    assert "请写上提名理由" in desk.text(f"/提名 @sunqi {LINK}", as_="admin")
    # a reason of only invisible characters (format, spaces) is no reason either
    assert "请写上提名理由" in desk.text("/提名 @sunqi \u202e\u200b\u3000", as_="admin")
    assert "已经提名过 张三" in desk.text("/提名 @zhangsan 再提一次", as_="lihua")
    status = desk.text("/专家评选", as_="admin")
    assert "· 孙七：" not in status, status


def test_last_months_winner_cannot_be_nominated(desk: ChatDriver) -> None:
    # 李四 won May (the demo history); the default cap is one month running.
    reply = desk.text(f"/提名 @lisi 继续优化 CI {LINK}", as_="wangwu")
    assert "李四 已连续 1 个月当选（最近一次 2026-05）" in reply, reply
    assert "本月不能再被提名" in reply
    # 张三 won April, not May: he may run (the demo already nominated him once).
    assert "已提名 张三" in desk.text("/提名 @zhangsan 支付稳定", as_="sunqi")


def test_counts_stay_hidden_from_everyone_until_close(desk: ChatDriver) -> None:
    _start_voting(desk)
    desk.text("/投票 @zhangsan", as_="sunqi")
    desk.text("/投票 @zhangsan", as_="lisi")
    for who in ("admin", "lihua", "zhangsan", "sunqi"):
        status = desk.text("/专家评选", as_=who)
        assert re.search(r"\d+ 票", status) is None and "计票" not in status, (who, status)
        assert "各人得票在截止后公布" in status
    assert "您投给了 张三" in desk.text("/专家评选", as_="sunqi")
    assert announced(desk) == []


def test_close_announces_winner_and_tally_once(desk: ChatDriver) -> None:
    _start_voting(desk)
    for voter, nominee in (("sunqi", "zhangsan"), ("lisi", "zhangsan"), ("admin", "wangwu")):
        desk.text(f"/投票 @{nominee}", as_=voter)
    # When the director closes the round.
    status = desk.text("/专家评选 截止", as_="lihua")
    # Then the reply and the team group carry the winner and the tally.
    assert "当选：张三" in status and "计票：张三 2 票 · 王五 1 票 · 赵六 0 票" in status, status
    [notice] = announced(desk)
    assert "2026年6月月度技术专家：张三（2 票）" in notice, notice
    assert "计票：张三 2 票 · 王五 1 票 · 赵六 0 票" in notice
    # Closing again is refused and queues nothing more; votes are refused after close.
    assert "没有进行中的技术专家评选" in desk.text("/专家评选 截止", as_="lihua")
    assert "没有进行中的" in desk.text("/投票 @wangwu", as_="zhaoliu")
    assert len(announced(desk)) == 1
    assert round_of(desk.runtime, "2026-06").winner_id == ids(desk.runtime)["zhangsan"]
    history = desk.text("/专家评选 历史", as_="zhaoliu")
    assert history.splitlines()[1:4] == [
        "· 2026年6月：张三",
        "· 2026年5月：李四",
        "· 2026年4月：张三",
    ]


def test_only_the_director_or_an_admin_moves_the_round(desk: ChatDriver) -> None:
    assert "只有「开发者社区」的负责人或管理员" in desk.text("/专家评选 投票", as_="zhangsan")
    assert "只有「开发者社区」的负责人或管理员" in desk.text("/专家评选 截止", as_="zhangsan")
    assert round_of(desk.runtime, "2026-06").phase == "nominating"
    assert "不认识「重来」" in desk.text("/专家评选 重来", as_="lihua")


def test_a_departed_nominee_gets_no_vote_and_cannot_win(desk: ChatDriver) -> None:
    # Given the vote open and 李四 voting for 赵六 before 赵六 is deactivated.
    _start_voting(desk)
    people = ids(desk.runtime)
    assert "已投票给 赵六" in desk.text("/投票 @zhaoliu", as_="lisi")
    desk.text("/投票 @zhangsan", as_="sunqi")
    desk.text("/停用成员 @zhaoliu", as_="admin")
    # When 王五 then votes for 赵六, the vote is refused and nothing changes.
    reply = desk.text("/投票 @zhaoliu", as_="wangwu")
    assert "赵六 已不在「开发者社区」里" in reply, reply
    assert votes(desk.runtime) == [
        (people["lisi"], people["zhaoliu"]),
        (people["sunqi"], people["zhangsan"]),
    ]
    # And at the close 赵六's earlier vote is dropped: he is neither winner nor listed, and the
    # 1:1 tie he would have forced does not arise; 张三 wins with his one vote.
    status = desk.text("/专家评选 截止", as_="lihua")
    assert "当选：张三" in status and "计票：张三 1 票 · 王五 0 票" in status, status
    assert round_of(desk.runtime, "2026-06").winner_id == people["zhangsan"]


@pytest.mark.parametrize("link", ["ftp://x", "javascript:alert(1)", "FILE:///etc/passwd"])
def test_a_non_http_link_in_a_nomination_is_refused(desk: ChatDriver, link: str) -> None:
    # When 王管理 nominates 孙七 with a link that is not http(s).
    reply = desk.text(f"/提名 @sunqi 理由 {link}", as_="admin")
    # Then the reply names the link and nothing is recorded.
    assert f"「{link}」不是有效的链接" in reply, reply
    assert "· 孙七：" not in desk.text("/专家评选", as_="admin")
    # A reason with an ordinary colon and an http link is still fine.
    assert "已提名 孙七" in desk.text(f"/提名 @sunqi 原因:重构 {LINK}", as_="admin")


def test_a_vote_for_someone_of_another_team_says_only_that(desk: ChatDriver) -> None:
    # Given the vote open, 孙七 deactivated although never nominated, and 外人 of another team.
    _start_voting(desk)
    with transaction(desk.runtime.factory) as session:
        workspace = session.scalars(select(Workspace).limit(1)).one()
        other = team_service.create_team(
            session, workspace=workspace, key="ov", name="海外团队", timezone="Asia/Tokyo"
        )
        team_service.create_member(
            session, workspace=workspace, handle="outsider", display_name="外人", team=other
        )
    desk.text("/停用成员 @sunqi", as_="admin")
    # When 李四 votes for either, the reply says they are not in the team and whom one may
    # vote for; it tells no one that they left or were deactivated (tester s29 F-6).
    for handle, name in (("outsider", "外人"), ("sunqi", "孙七")):
        reply = desk.text(f"/投票 @{handle}", as_="lisi")
        assert f"{name} 不在「开发者社区」里，不能为其投票：只能投给本轮的候选人" in reply, reply
        assert "已停用或离开" not in reply, reply
    assert votes(desk.runtime) == []
