"""The repeat guard of /新建目标 and /新建KR (tester B-28, session 26): the same O or KR sent
again within ten minutes, retyped or at once, is one item; the repeat is told which one."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.okr import cycles
from teamassist.okr import objectives as okr
from teamassist.okr.models import KeyResult, Objective
from teamassist.okr.objectives import KrInput
from teamassist.runtime import Runtime
from teamassist.team.models import Member, Team
from tests.conftest import load_demo
from tests.okr.support import at, second_team, set_clock, team_session
from tests.support.chat import ChatDriver
from tests.support.races import side_by_side

NOW = at("2026-11-16 09:00")  # inside 2026Q4


def _titles(runtime: Runtime, model: type[Objective] | type[KeyResult], title: str) -> int:
    with runtime.factory() as session:
        return (
            session.scalar(
                select(func.count()).select_from(model).where(model.title.like(f"%{title}%"))
            )
            or 0
        )


def test_a_new_objective_sent_again_is_one(chat: ChatDriver) -> None:
    set_clock(chat.runtime, "2026-11-16 09:00")
    first = chat.text("/新建目标 重复目标测试", as_="zhangsan")
    assert "已创建目标" in first, first
    said = []
    for second, text in enumerate(("/新建目标 重复目标测试", "/新建目标 重复目标测试。")):
        set_clock(chat.runtime, f"2026-11-16 09:00:{second + 1:02d}")
        said.append(chat.text(text, as_="zhangsan"))
    assert all("刚刚已经建过同样的目标了" in r and "「重复目标测试」" in r for r in said), said
    assert _titles(chat.runtime, Objective, "重复目标测试") == 1
    # another person's O of that title is theirs; the same O after the window is new
    assert "已创建目标" in chat.text("/新建目标 重复目标测试", as_="lisi")
    set_clock(chat.runtime, "2026-11-16 09:11")
    assert "已创建目标" in chat.text("/新建目标 重复目标测试", as_="zhangsan")
    assert _titles(chat.runtime, Objective, "重复目标测试") == 3


def test_a_new_kr_sent_again_is_one(chat: ChatDriver) -> None:
    set_clock(chat.runtime, "2026-11-16 09:00")
    made = chat.text("/新建目标 重复KR测试", as_="zhangsan")
    ref = made.split("目标 ", 1)[1].split("「", 1)[0]
    text = f"/新建KR {ref} 重复KR 起始 0 目标 5 单位 个 权重 50%"
    assert "重复KR" in chat.text(text, as_="zhangsan")
    set_clock(chat.runtime, "2026-11-16 09:00:30")
    again = chat.text(text, as_="zhangsan")
    assert "刚刚已经建过同样的KR了" in again, again
    # another target is another KR
    assert "刚刚" not in chat.text(
        f"/新建KR {ref} 重复KR 起始 0 目标 8 单位 个 权重 50%", as_="zhangsan"
    )
    with chat.runtime.factory() as session:
        rows = session.scalars(
            select(KeyResult).where(KeyResult.title == "重复KR").order_by(KeyResult.id)
        ).all()
        assert [(r.target_value, r.weight) for r in rows] == [(5, 50), (8, 50)]


def _team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    assert team is not None
    return team


def test_the_same_objective_and_kr_at_once_make_one_each(runtime: Runtime) -> None:
    """Twenty at once on PostgreSQL made twenty Os: each checked before any had committed."""
    load_demo(runtime)
    team_id = second_team(runtime)
    with team_session(runtime, team_id) as given:
        owner_id = given.member("zhangsan").id

    def new_objective(session: Session) -> str:
        team = _team(session, team_id)
        made = okr.create_objective(
            session,
            team=team,
            cycle=cycles.by_key(session, team=team, key="2026Q4"),
            owner=session.get(Member, owner_id),
            title="并发新建目标",
            now=NOW,
            refuse_repeat=True,
        )
        return f"O-{made.number}"

    outcome = side_by_side(runtime, [new_objective] * 6)
    assert outcome == ["O-1"] + ["okr.error.objective_repeat"] * 5, outcome
    assert _titles(runtime, Objective, "并发新建目标") == 1

    with runtime.factory() as session:
        objective_id = session.scalar(select(Objective.id).where(Objective.title == "并发新建目标"))

    def new_kr(session: Session) -> str:
        objective = session.get(Objective, objective_id)
        assert objective is not None
        made = okr.add_key_result(
            session,
            team=_team(session, team_id),
            objective=objective,
            data=KrInput(title="并发KR", start=0, target=5, unit="个", weight=50),
            now=NOW,
            refuse_repeat=True,
        )
        return f"KR-{made.number}"

    outcome = side_by_side(runtime, [new_kr] * 6)
    assert outcome == ["KR-1"] + ["okr.error.kr_repeat"] * 5, outcome
    assert _titles(runtime, KeyResult, "并发KR") == 1
