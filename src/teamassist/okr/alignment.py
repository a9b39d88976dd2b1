"""Alignment: an O or KR contributes to parent Os (several allowed); cycles are refused; the
report lists Os without a parent, Os nobody supports, and Os whose owner has left."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.exceptions import Conflict, NotFound
from teamassist.okr.models import Alignment, KeyResult, Objective
from teamassist.team.models import Member, Workspace

OBJECTIVE = "objective"
KEY_RESULT = "key_result"


def _node(session: Session, child_type: str, child_id: int) -> int:
    """The O a child stands for in the graph (a KR stands for its own O)."""
    if child_type == KEY_RESULT:
        key_result = session.get(KeyResult, child_id)
        assert key_result is not None
        return key_result.objective_id
    return child_id


def _edges(session: Session, workspace_id: int) -> dict[int, set[int]]:
    """O → parent Os over the workspace's alignments."""
    rows = session.execute(
        select(Alignment.child_type, Alignment.child_id, Alignment.parent_id).where(
            Alignment.workspace_id == workspace_id
        )
    ).all()
    krs: dict[int, int] = dict(
        session.execute(
            select(KeyResult.id, KeyResult.objective_id).where(
                KeyResult.id.in_([r.child_id for r in rows if r.child_type == KEY_RESULT] or [0])
            )
        ).all()
    )
    edges: dict[int, set[int]] = defaultdict(set)
    for child_type, child_id, parent_id in rows:
        node = krs.get(child_id, child_id) if child_type == KEY_RESULT else child_id
        edges[node].add(parent_id)
    return edges


def _reaches(edges: dict[int, set[int]], start: int, goal: int) -> bool:
    seen: set[int] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return False


def align(
    session: Session,
    *,
    child_type: str,
    child_id: int,
    child_label: str,
    parent: Objective,
    actor: Member | None,
    now: datetime,
) -> Alignment:
    """Align a child (O or KR) to ``parent``; a link that closes a loop is refused.

    Links may cross teams and cycles, so the loop check reads the workspace's whole graph: the
    workspace row is locked first, and one workspace's alignments are made one at a time. On
    PostgreSQL two opposite /对齐 at once (O-1 → O-2, O-2 → O-1) each checked a graph without
    the other's link and both were stored: a loop no command undoes (tester B-26, session 26).
    After the lock, read committed (PostgreSQL, MariaDB) shows the link committed before;
    SQLite serialises writers anyway."""
    session.execute(
        select(Workspace.id).where(Workspace.id == parent.workspace_id).with_for_update()
    )
    node = _node(session, child_type, child_id)
    if node == parent.id or _reaches(_edges(session, parent.workspace_id), parent.id, node):
        raise Conflict("okr.error.alignment_cycle", child=child_label, parent=f"O-{parent.number}")
    exists = session.scalar(
        select(Alignment.id).where(
            Alignment.child_type == child_type,
            Alignment.child_id == child_id,
            Alignment.parent_id == parent.id,
        )
    )
    if exists is not None:
        raise Conflict("okr.error.already_aligned", child=child_label, parent=f"O-{parent.number}")
    row = Alignment(
        workspace_id=parent.workspace_id,
        child_type=child_type,
        child_id=child_id,
        parent_id=parent.id,
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def unalign(session: Session, *, workspace_id: int, alignment_id: int) -> None:
    """Remove one alignment of the workspace."""
    row = session.get(Alignment, alignment_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound("okr.error.no_alignment", ref=alignment_id)
    session.delete(row)
    session.flush()


def parents_of(session: Session, objectives: Sequence[Objective]) -> dict[int, list[Alignment]]:
    """The alignments that start at each O or at one of its KRs."""
    ids = [o.id for o in objectives]
    found: dict[int, list[Alignment]] = {i: [] for i in ids}
    if not ids:
        return found
    kr_of: dict[int, int] = dict(
        session.execute(
            select(KeyResult.id, KeyResult.objective_id).where(KeyResult.objective_id.in_(ids))
        ).all()
    )
    rows = session.scalars(
        select(Alignment).where(
            (Alignment.child_type == OBJECTIVE) & Alignment.child_id.in_(ids)
            | (Alignment.child_type == KEY_RESULT) & Alignment.child_id.in_(list(kr_of) or [0])
        )
    )
    for row in rows:
        owner = row.child_id if row.child_type == OBJECTIVE else kr_of[row.child_id]
        found[owner].append(row)
    return found


@dataclass(frozen=True)
class AlignmentReport:
    """What the alignment check found among a cycle's Os."""

    unaligned: list[Objective]  # no parent O
    unsupported: list[Objective]  # nothing contributes to them
    orphaned: list[Objective]  # the owner left (or none is set): flagged, not lost
    links: list[Alignment]


def report(session: Session, *, objectives: Sequence[Objective]) -> AlignmentReport:
    """Check the alignment of ``objectives`` (one team's cycle)."""
    ups = parents_of(session, objectives)
    ids = [o.id for o in objectives]
    supported = set(
        session.scalars(select(Alignment.parent_id).where(Alignment.parent_id.in_(ids or [0])))
    )
    owners = {
        m.id: m
        for m in session.scalars(
            select(Member).where(
                Member.id.in_([o.owner_id for o in objectives if o.owner_id] or [0])
            )
        )
    }

    def left(objective: Objective) -> bool:
        owner = owners.get(objective.owner_id) if objective.owner_id else None
        return owner is None or not owner.active

    return AlignmentReport(
        unaligned=[o for o in objectives if not ups[o.id]],
        unsupported=[o for o in objectives if o.id not in supported],
        orphaned=[o for o in objectives if left(o)],
        links=[a for o in objectives for a in ups[o.id]],
    )


def link_labels(session: Session, links: Sequence[Alignment]) -> list[str]:
    """``O-2 → O-1`` / ``KR-3 → O-1`` for each link."""
    numbers = dict(
        session.execute(
            select(Objective.id, Objective.number).where(
                Objective.id.in_(
                    [a.parent_id for a in links]
                    + [a.child_id for a in links if a.child_type == OBJECTIVE]
                    or [0]
                )
            )
        ).all()
    )
    kr_numbers = dict(
        session.execute(
            select(KeyResult.id, KeyResult.number).where(
                KeyResult.id.in_([a.child_id for a in links if a.child_type == KEY_RESULT] or [0])
            )
        ).all()
    )
    labels = []
    for link in links:
        if link.child_type == OBJECTIVE:
            child = f"O-{numbers.get(link.child_id, '?')}"
        else:
            child = f"KR-{kr_numbers.get(link.child_id, '?')}"
        labels.append(f"{child} → O-{numbers.get(link.parent_id, '?')}")
    return labels
