"""/复盘 lines and the director's acknowledgement, again and at once (tester B-17, session 26):
a line sent twice is kept once; appends at once all land; one acknowledgement."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.okr import retros
from teamassist.okr.models import Objective
from teamassist.okr.rhythm_models import Retro
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.workdays.china import ChinaWorkdays
from tests.okr.support import at, demo, set_clock
from tests.support.chat import ChatDriver
from tests.support.races import Work, side_by_side

NOW = at("2026-10-05 10:00")  # 2026Q3's grading window


def _quarter(chat: ChatDriver) -> int:
    """张三's published O-1 of 2026Q3 (admin is the director); its id."""
    set_clock(chat.runtime, "2026-07-06 10:00")
    assert "O-1" in chat.text("/新建目标 三季度复盘", as_="zhangsan")
    chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    chat.text("/新建KR O-1 营收 起始 100 目标 200 单位 万元 权重 50%", as_="zhangsan")
    assert "已发布" in chat.text("/发布OKR", as_="zhangsan")
    with demo(chat.runtime) as given:
        given.team.director_id = given.member("admin").id
    set_clock(chat.runtime, "2026-10-05 10:00")
    with chat.runtime.factory() as session:
        found = session.scalar(select(Objective.id).where(Objective.title == "三季度复盘"))
        assert found is not None
        return found


def _retro(chat: ChatDriver, objective_id: int) -> Retro:
    with chat.runtime.factory() as session:
        row = session.scalar(select(Retro).where(Retro.objective_id == objective_id))
        assert row is not None
        return row


def test_a_line_sent_again_is_kept_once(chat: ChatDriver) -> None:
    objective_id = _quarter(chat)
    assert "已记下" in chat.text("/复盘 O-1 做得好 沟通顺畅", as_="zhangsan")
    for text in ("/复盘 O-1 做得好 沟通顺畅", "/复盘 O-1 做得好 沟通 顺畅。"):
        again = chat.text(text, as_="zhangsan")
        assert "「做得好」里已经记下过这一行了：「沟通" in again, again
    assert "已记下" in chat.text("/复盘 O-1 待改进 沟通顺畅", as_="zhangsan")  # another section
    assert "已记下" in chat.text("/复盘 O-1 做得好 测试充分", as_="zhangsan")
    retro = _retro(chat, objective_id)
    assert (retro.went_well, retro.to_improve) == ("沟通顺畅\n测试充分", "沟通顺畅")


def _in_team(session: Session) -> tuple[Team, Member, Member, Objective]:
    workspace = team_service.get_workspace_by_key(session, key="demo")
    assert workspace is not None
    team = team_service.default_team(session, workspace_id=workspace.id)
    people = [
        team_service.get_member_by_handle(session, workspace_id=workspace.id, handle=handle)
        for handle in ("zhangsan", "admin")
    ]
    objective = session.scalar(select(Objective).where(Objective.title == "三季度复盘"))
    assert people[0] is not None and people[1] is not None and objective is not None
    return team, people[0], people[1], objective


def _fill(line: str) -> Work:
    def work(session: Session) -> None:
        team, owner, _director, objective = _in_team(session)
        retros.fill(
            session,
            team=team,
            objective=objective,
            actor=owner,
            privileged=False,
            section=retros.Section.WENT_WELL,
            text=line,
            today=NOW.date(),
            now=NOW,
            workdays=ChinaWorkdays(),
            append=True,
        )

    return work


def _acknowledge(session: Session) -> None:
    team, _owner, director, objective = _in_team(session)
    retros.acknowledge(
        session,
        team=team,
        objective=objective,
        actor=director,
        director=True,
        today=NOW.date(),
        now=NOW,
        workdays=ChinaWorkdays(),
    )


def test_lines_and_acknowledgements_at_once(chat: ChatDriver) -> None:
    """On PostgreSQL 20 appends at once kept 3 lines; 20 acknowledgements answered 7 times."""
    objective_id = _quarter(chat)
    chat.text("/复盘 O-1", as_="zhangsan")  # the retrospective's row exists

    lines = [f"第{n}行" for n in range(6)]
    outcome = side_by_side(chat.runtime, [_fill(line) for line in lines] + [_fill("第0行")])
    assert outcome == ["ok"] * 6 + ["okr_rhythm.error.line_repeat"], outcome
    assert sorted(_retro(chat, objective_id).went_well.splitlines()) == lines

    outcome = side_by_side(chat.runtime, [_acknowledge] * 5)
    assert outcome == ["ok"] + ["okr_rhythm.error.acknowledged"] * 4, outcome
