"""The alignment tree of a cycle: each parent O with the Os and KRs aligned to it (an O with
several parents shows under each), then the report ``/对齐`` gives: Os without a parent, Os
nothing supports, and Os whose owner has left."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from teamassist.http.deps import NowDep, RuntimeDep, SessionDep
from teamassist.http.render import PagePrincipal, WorkspacePageTeamDep
from teamassist.okr import alignment, cycles
from teamassist.okr import objectives as okr
from teamassist.okr.api.base import listing
from teamassist.okr.models import Alignment, Objective
from teamassist.okr.pages.base import chosen_cycle, cycle_choices, okr_page, screen_router
from teamassist.okr.schemas import KeyResultRead, ObjectiveRead

router = screen_router()

# Alignments cannot loop (``alignment.align`` refuses it); the bound only keeps a page finite.
MAX_DEPTH = 12


@dataclass
class Node:
    """One O in the tree, the KRs of other Os aligned to it, and the Os below it."""

    objective: ObjectiveRead
    key_results: list[tuple[ObjectiveRead, KeyResultRead]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)  # every parent, for "also under"
    outside: list[str] = field(default_factory=list)  # parents in another cycle or team


def _tree(
    views: list[ObjectiveRead], links: list[Alignment], outside: dict[int, str]
) -> list[Node]:
    by_id = {v.id: v for v in views}
    kr_of = {k.id: (v, k) for v in views for k in v.key_results}
    child_os: dict[int, list[int]] = {}
    child_krs: dict[int, list[int]] = {}
    parents: dict[int, list[int]] = {}
    for link in links:
        owner = link.child_id if link.child_type == alignment.OBJECTIVE else None
        if owner is None and link.child_id in kr_of:
            owner = kr_of[link.child_id][0].id
        if owner is None:
            continue
        parents.setdefault(owner, []).append(link.parent_id)
        if link.parent_id not in by_id:
            continue
        if link.child_type == alignment.OBJECTIVE:
            child_os.setdefault(link.parent_id, []).append(link.child_id)
        else:
            child_krs.setdefault(link.parent_id, []).append(link.child_id)

    def node(objective_id: int, depth: int) -> Node:
        view = by_id[objective_id]
        ups = parents.get(objective_id, [])
        return Node(
            objective=view,
            key_results=[kr_of[k] for k in child_krs.get(objective_id, [])],
            children=[node(c, depth + 1) for c in child_os.get(objective_id, []) if c in by_id]
            if depth < MAX_DEPTH
            else [],
            parents=[by_id[p].ref for p in ups if p in by_id],
            outside=[outside[p] for p in ups if p in outside],
        )

    under = {c for children in child_os.values() for c in children}
    return [node(v.id, 0) for v in views if v.id not in under]


@router.get("/alignment", response_class=HTMLResponse)
def alignment_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: WorkspacePageTeamDep,
    runtime: RuntimeDep,
    now: NowDep,
    cycle: str | None = None,
) -> HTMLResponse:
    """The cycle's alignment tree and its report."""
    today = cycles.today_of(chosen, now)
    choices = cycle_choices(session, chosen, today)
    shown = chosen_cycle(session, chosen, today, cycle, choices)
    found = okr.objectives(session, team=chosen, cycle=shown)
    view = listing(session, runtime, chosen, shown, found, now)
    report = alignment.report(session, objectives=found)
    ids = {o.id for o in found}
    away = [a.parent_id for a in report.links if a.parent_id not in ids]
    outside = {
        o.id: f"O-{o.number}"
        for o in session.scalars(select(Objective).where(Objective.id.in_(away or [0])))
    }
    refs = {o.id: f"O-{o.number}" for o in found}
    return okr_page(
        request,
        session,
        principal,
        chosen,
        "okr/alignment.html",
        "alignment",
        view=view,
        choices=choices,
        roots=_tree(view.objectives, report.links, outside),
        unaligned=[refs[o.id] for o in report.unaligned],
        unsupported=[refs[o.id] for o in report.unsupported],
        orphaned=[refs[o.id] for o in report.orphaned],
        titles={v.ref: v.title for v in view.objectives},
    )
