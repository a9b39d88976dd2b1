"""One KR carried over once, whatever arrives at once (tester s26 B-27): on PostgreSQL 20
`/复盘 结转 KR-1` at once carried KR-1 four times, under two new draft Os (O-4 with three
copies, O-5 with one), each sender having read the retrospective's carry list and looked for
the draft O before the others committed; `/复盘 结转 KR-2` beside them carried twice. Each
sender runs in its own thread and transaction, all having read before any writes
(``tests.support.races.side_by_side``); every backend."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.okr import retros
from teamassist.okr.models import KeyResult, Objective
from teamassist.okr.rhythm_models import Retro
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from tests.okr.support import Demo, set_clock
from tests.support.chat import ChatDriver
from tests.support.races import side_by_side


def _quarter(chat: ChatDriver) -> None:
    """张三's O-1 of 2026Q3 with KR-1 and KR-2, both short of their targets."""
    set_clock(chat.runtime, "2026-07-06 10:00")
    assert "O-1" in chat.text("/新建目标 提升交付质量", as_="zhangsan")
    chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    chat.text("/新建KR O-1 营收 起始 100 目标 200 单位 万元 权重 50%", as_="zhangsan")
    assert "已发布" in chat.text("/发布OKR", as_="zhangsan")
    set_clock(chat.runtime, "2026-09-10 10:00")
    chat.text("/进展 KR-1 30 信心 6", as_="zhangsan")
    chat.text("/进展 KR-2 160 信心 5", as_="zhangsan")
    set_clock(chat.runtime, "2026-10-05 10:00")  # 2026Q3's grading window


def _carry(rt: Runtime, number: int) -> Callable[[Session], None]:
    """张三 carries KR-``number`` of 2026Q3 over, as `/复盘 结转 KR-n` does."""
    now = rt.clock()
    today = now.date()

    def work(session: Session) -> None:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        given = Demo(session, team_service.default_team(session, workspace_id=workspace.id))
        key_result = retros.find_key_result(
            session, team=given.team, ref=f"KR-{number}", today=today
        )
        retros.carry_over(
            session,
            team=given.team,
            key_result=key_result,
            actor=given.member("zhangsan"),
            privileged=False,
            today=today,
            now=now,
            workdays=rt.ports.get(Workdays),
        )

    return work


def _read(session: Session) -> None:
    """What a sender reads first: the retrospective (its carry list) and the Os."""
    session.scalars(select(Retro)).all()
    session.scalars(select(Objective)).all()


def test_carries_sent_at_once_carry_each_kr_once_under_one_draft_o(chat: ChatDriver) -> None:
    _quarter(chat)
    assert "复盘 · O-1" in chat.text("/复盘 O-1", as_="zhangsan")  # the retrospective exists
    rt = chat.runtime

    outcome = side_by_side(rt, [_carry(rt, 1), _carry(rt, 2)] * 3, read=_read)

    # each KR once; the other senders are told it was carried already
    assert outcome == ["ok"] * 2 + ["okr_rhythm.error.carried_twice"] * 4, outcome
    with rt.factory() as session:
        [retro] = session.scalars(select(Retro)).all()
        source = session.get(Objective, retro.objective_id)
        assert source is not None
        sources = {
            k.id: k.number
            for k in session.scalars(
                select(KeyResult).where(KeyResult.objective_id == retro.objective_id)
            )
        }
        carried = sorted(sources[entry["from"]] for entry in retro.carried or [])
        assert carried == [1, 2]
        drafts = session.scalars(
            select(Objective).where(Objective.title == "提升交付质量", Objective.state == "draft")
        ).all()
        # (the demo has a published O of that title of its own)
        assert [o.owner_id for o in drafts] == [source.owner_id]
        copies = session.scalars(
            select(KeyResult).where(KeyResult.objective_id == drafts[0].id).order_by(KeyResult.id)
        ).all()
        assert sorted(k.title for k in copies) == ["线上缺陷数", "营收"]
        assert {entry["to"] for entry in retro.carried or []} == {k.id for k in copies}
