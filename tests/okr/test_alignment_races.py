"""Opposite /对齐 at once make no loop (tester B-26, session 26): on PostgreSQL O-1 → O-2 and
O-2 → O-1 sent together were both stored, each having checked the graph without the other's
link. Each request runs in its own thread and transaction (``tests.support.races``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.okr import alignment
from teamassist.okr.models import Alignment, Objective
from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.okr.support import at, objective_with_krs
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
    one = objective_with_krs(runtime)
    two = objective_with_krs(runtime, owner="lisi", title="降低故障率", team_id=one.team_id)
    ids = (one.objective_id, two.objective_id)

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
