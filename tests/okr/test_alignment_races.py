"""Opposite /对齐 at once make no loop (tester B-26, session 26): on PostgreSQL O-1 → O-2 and
O-2 → O-1 sent together were both stored, each having checked the graph without the other's
link. Each request runs in its own thread and transaction (``tests.support.races``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.okr import alignment, cycles
from teamassist.okr import objectives as okr
from teamassist.okr.models import Alignment, Objective
from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.okr.support import at, second_team, team_session
from tests.support.races import Work, side_by_side

NOW = at("2026-11-16 09:00")  # inside 2026Q4


def _align(child_id: int, parent_id: int) -> Work:
    def work(session: Session) -> str:
        child = session.get(Objective, child_id)
        parent = session.get(Objective, parent_id)
        assert child is not None and parent is not None
        alignment.align(
            session,
            child_type=alignment.OBJECTIVE,
            child_id=child.id,
            child_label=f"O-{child.number}",
            parent=parent,
            actor=None,
            now=NOW,
        )
        return f"O-{child.number} → O-{parent.number}"

    return work


def test_opposite_alignments_at_once_make_one_link(runtime: Runtime) -> None:
    load_demo(runtime)
    team_id = second_team(runtime)
    with team_session(runtime, team_id) as given:
        q4 = cycles.by_key(given.session, team=given.team, key="2026Q4")
        one, two = (
            okr.create_objective(
                given.session,
                team=given.team,
                cycle=q4,
                owner=given.member(who),
                title=title,
                now=NOW,
            )
            for who, title in (("zhangsan", "提升交付质量"), ("lisi", "降低故障率"))
        )
        ids = (one.id, two.id)

    outcome = side_by_side(runtime, [_align(ids[0], ids[1]), _align(ids[1], ids[0])] * 3)

    with runtime.factory() as session:
        links = session.execute(
            select(Alignment.child_id, Alignment.parent_id).where(
                Alignment.child_id.in_(ids), Alignment.parent_id.in_(ids)
            )
        ).all()
    assert len(links) == 1, links
    made = [o for o in outcome if "→" in o]
    assert len(made) == 1, outcome
    refused = sorted(o for o in outcome if "→" not in o)
    # the same link again is already there; the opposite one would close a loop
    assert refused == ["okr.error.alignment_cycle"] * 3 + ["okr.error.already_aligned"] * 2
