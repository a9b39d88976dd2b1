"""复盘 (retrospectives): one per objective once its cycle has ended (grading or closed).

A draft gathers the O's scores (suggested and final), each KR's check-in history, the owner's
"what worked / what did not" text, carry-over proposals (unfinished KRs, copied into the next
cycle only when someone asks, as a draft KR of a draft O) and the director's acknowledgement.
A committed O whose final score is below 1.0 gets a follow-up: an action item through the
``FollowUpNeeded`` query, or a note when no desk answers. Chat (``/复盘``) and REST call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist import events
from teamassist.bidi import unmarked
from teamassist.events import FollowUpNeeded
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.okr import checkins, cycles, grammar, scoring
from teamassist.okr import objectives as okr
from teamassist.okr.formulas import KrKind
from teamassist.okr.models import (
    CheckIn,
    Cycle,
    CycleKind,
    CycleState,
    KeyResult,
    Objective,
    ObjectiveState,
    ObjectiveType,
)
from teamassist.okr.objectives import KrInput
from teamassist.okr.rhythm_models import Retro
from teamassist.okr.rollup import kr_raw
from teamassist.okr.rows import KrFacts
from teamassist.okr.stale import departed
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import gist

ENDED = (CycleState.GRADING, CycleState.CLOSED)
MAX_TEXT = 4000
_STATE = {
    CycleState.PLANNING: "okr.cstate.planning",
    CycleState.ACTIVE: "okr.cstate.active",
    CycleState.GRADING: "okr.cstate.grading",
    CycleState.CLOSED: "okr.cstate.closed",
}
_PER_YEAR = {CycleKind.YEAR: 1, CycleKind.HALF: 2, CycleKind.QUARTER: 4, CycleKind.MONTH: 12}


class Section(StrEnum):
    """The free-text parts the owner fills."""

    WENT_WELL = "went_well"
    TO_IMPROVE = "to_improve"


@dataclass(frozen=True)
class RetroView:
    """One O's retrospective as read: the row, its cycle, scores and KR histories."""

    retro: Retro
    objective: Objective
    cycle: Cycle
    score: scoring.ObjectiveScore
    history: dict[int, Sequence[CheckIn]]  # KR id → check-ins, oldest first
    proposals: list[KrFacts]  # unfinished KRs not carried over yet
    carried: list[tuple[int, int, str]]  # (source KR-n, copy KR-n, the copy's cycle key)


def is_director(team: Team, member: Member | None, *, admin: bool) -> bool:
    """The team's director (负责人) or leader, or an admin, acknowledges retrospectives."""
    if admin:
        return True
    return member is not None and member.id in (team.director_id, team.leader_id)


def require_ended(cycle: Cycle, today: date) -> None:
    """Refuse a retrospective of a cycle that has not ended (planning or active)."""
    state = cycles.state(cycle, today)
    if state not in ENDED:
        raise Conflict(
            "okr_rhythm.error.not_ended",
            cycle=cycle.key,
            state=t(_STATE[state]),
            end=cycles.month_day(cycle.end_date),
        )


def ended_cycles(session: Session, *, team: Team, today: date) -> list[Cycle]:
    """The team's cycles of its OKR kind in grading or closed, newest first."""
    return [
        c for c in cycles.recent(session, team=team, today=today) if cycles.state(c, today) in ENDED
    ]


def latest_ended(session: Session, *, team: Team, today: date) -> Cycle:
    """The most recent cycle that has ended (what a bare /复盘 is about)."""
    found = ended_cycles(session, team=team, today=today)
    if not found:
        current = cycles.current(session, team=team, today=today)
        require_ended(current, today)  # raises: the current cycle is still running
    return found[0]


def find_objective(
    session: Session, *, team: Team, ref: str, today: date, cycle: Cycle | None = None
) -> Objective:
    """``O-n`` of ``cycle`` (refused unless it has ended), else of the latest ended cycle; else
    the O a short id means elsewhere (the newest started cycle that has it), refused when its
    cycle has not ended; NotFound when the team has none (other teams' Os included)."""
    kind, number = okr.parse_short_id(ref)
    if kind != "O":
        raise Invalid("okr.error.want_objective", value=ref[:20])
    if cycle is not None:
        require_ended(cycle, today)
    # A number beyond the INTEGER column names no O: not searched (PostgreSQL refused the
    # comparison with "integer out of range", tester s25 F-B9).
    searched_cycles = (
        [cycle] if cycle is not None else ended_cycles(session, team=team, today=today)[:1]
    )
    for searched in searched_cycles if number <= okr.LARGEST_NUMBER else []:
        found = session.scalar(
            select(Objective).where(
                Objective.cycle_id == searched.id,
                Objective.team_id == team.id,
                Objective.number == number,
            )
        )
        if found is not None:
            return found
    if cycle is not None:
        raise NotFound("okr.error.no_objective", ref=f"{cycle.key} {grammar.echo(ref)}")
    objective = okr.find_objective(session, team=team, ref=ref, today=today)
    require_ended(cycles.get(session, team=team, cycle_id=objective.cycle_id), today)
    return objective


def find_key_result(
    session: Session, *, team: Team, ref: str, today: date, cycle: Cycle | None = None
) -> KeyResult:
    """``KR-n`` of ``cycle`` or of the latest ended cycle (as :func:`find_objective`)."""
    kind, number = okr.parse_short_id(ref)
    if kind != "KR":
        raise Invalid("okr.error.want_key_result", value=ref[:20])
    if cycle is not None:
        require_ended(cycle, today)
    searched_cycles = (
        [cycle] if cycle is not None else ended_cycles(session, team=team, today=today)[:1]
    )
    for searched in searched_cycles if number <= okr.LARGEST_NUMBER else []:  # as above
        found = session.scalar(
            select(KeyResult).where(
                KeyResult.cycle_id == searched.id,
                KeyResult.team_id == team.id,
                KeyResult.number == number,
            )
        )
        if found is not None:
            return found
    if cycle is not None:
        raise NotFound("okr.error.no_key_result", ref=f"{cycle.key} {grammar.echo(ref)}")
    key_result = okr.find_key_result(session, team=team, ref=ref, today=today)
    require_ended(cycles.get(session, team=team, cycle_id=key_result.cycle_id), today)
    return key_result


def _row(session: Session, team: Team, objective: Objective) -> Retro:
    retro = session.scalar(
        select(Retro)
        .where(Retro.objective_id == objective.id)
        .execution_options(populate_existing=True)  # as committed before the O's row lock
    )
    if retro is None:
        retro = Retro(
            workspace_id=team.workspace_id,
            team_id=team.id,
            objective_id=objective.id,
            went_well="",
            to_improve="",
        )
        session.add(retro)
        session.flush()
    return retro


FOLLOW_UP_WORKDAYS = 5  # a post-mortem item is due 5 working days after the first look


def _due(workdays: Workdays, today: date, count: int) -> date:
    day = today
    while count > 0:
        day += timedelta(days=1)
        if workdays.is_workday(day):
            count -= 1
    return day


def _follow_up(
    session: Session,
    *,
    team: Team,
    objective: Objective,
    score: float,
    today: date,
    now: datetime,
    workdays: Workdays,
) -> str:
    """Ask for a follow-up action item (:class:`FollowUpNeeded`, answered by the action-item
    desk when it is installed) owned by the O's owner and requested by the director or their
    stand-in; the answer names the item. Nobody to ask or nobody answering: our own note."""
    shown = f"{score:.1f}"
    readers = team_service.director_or_stand_in(session, team=team)
    if objective.owner_id is not None and readers:
        answers = events.ask(
            session,
            FollowUpNeeded(
                team=team,
                source_kind="okr_objective",
                source_id=objective.id,
                owner_id=objective.owner_id,
                requester_id=readers[0].id,
                title=t(
                    "okr_rhythm.retro.follow_up_title",
                    objective=f"O-{objective.number}",
                    title=objective.title[:100],
                    score=shown,
                ),
                due=_due(workdays, today, FOLLOW_UP_WORKDAYS),
                now=now,
            ),
        )
        if answers:
            return str(answers[0])
    return t("okr_rhythm.retro.follow_up_note", score=shown)


def draft(
    session: Session,
    *,
    team: Team,
    objective: Objective,
    today: date,
    now: datetime,
    workdays: Workdays,
) -> RetroView:
    """The O's retrospective, created on first look. A committed O ending below 1.0 gets a
    follow-up once: an action item when the action desk answers, else a note."""
    if objective.team_id != team.id:
        raise NotFound("okr.error.no_objective", ref=f"O-{objective.number}")
    cycle = cycles.get(session, team=team, cycle_id=objective.cycle_id)
    require_ended(cycle, today)
    retro = _row(session, team, objective)
    [score] = scoring.objective_scores(session, [objective])
    if (
        objective.okr_type == ObjectiveType.COMMITTED.value
        and score.final < 1.0
        and retro.follow_up is None
    ):
        retro.follow_up = _follow_up(
            session,
            team=team,
            objective=objective,
            score=score.final,
            today=today,
            now=now,
            workdays=workdays,
        )
        session.flush()
    _forget_deleted_copies(session, retro)
    carried = {entry["from"] for entry in retro.carried or []}
    history = {k.id: checkins.history(session, key_result=k) for k, _s, _f in score.krs}
    proposals = [k for k, _s, _f in score.krs if kr_raw(k) < 1 and k.id not in carried]
    done: list[tuple[int, int, str]] = []
    for entry in retro.carried or []:
        source, copy = session.get(KeyResult, entry["from"]), session.get(KeyResult, entry["to"])
        if source is not None and copy is not None:
            target = session.get(Cycle, copy.cycle_id)
            done.append((source.number, copy.number, target.key if target else "-"))
    return RetroView(retro, objective, cycle, score, history, proposals, done)


def _forget_deleted_copies(session: Session, retro: Retro) -> None:
    """Drop the carry-overs whose copy is gone: a draft KR may be deleted (/删除KR, or its draft
    O with /删除目标), and its entry would still say the KR was carried, so it was neither
    proposed again nor could be carried again ("已经结转过了"), a reference to nothing."""
    entries = list(retro.carried or [])
    if not entries:
        return
    alive = set(
        session.scalars(
            select(KeyResult.id).where(KeyResult.id.in_([int(e["to"]) for e in entries]))
        )
    )
    kept = [e for e in entries if int(e["to"]) in alive]
    if len(kept) != len(entries):
        retro.carried = kept
        session.flush()


def of_cycle(
    session: Session,
    *,
    team: Team,
    cycle: Cycle,
    actor: Member | None,
    director: bool,
    today: date,
    now: datetime,
    workdays: Workdays,
) -> list[RetroView]:
    """The retrospectives of a cycle: every published O for the director, else the actor's."""
    require_ended(cycle, today)
    query = select(Objective).where(
        Objective.cycle_id == cycle.id,
        Objective.team_id == team.id,
        Objective.state == ObjectiveState.PUBLISHED.value,
    )
    if not director:
        query = query.where(Objective.owner_id == (actor.id if actor else -1))
    found = session.scalars(query.order_by(Objective.number))
    return [
        draft(session, team=team, objective=o, today=today, now=now, workdays=workdays)
        for o in found
    ]


def fill(
    session: Session,
    *,
    team: Team,
    objective: Objective,
    actor: Member | None,
    privileged: bool,
    section: Section,
    text: str,
    today: date,
    now: datetime,
    workdays: Workdays,
    append: bool,
) -> RetroView:
    """Write "what worked" / "what did not" (owners, contributors, leads); chat appends a
    line, REST replaces. Refused once the director has acknowledged it.

    A line the section already holds (by ``names.gist``) is refused with
    ``okr_rhythm.error.line_repeat``: the same /复盘 O-1 做得好 … twice kept the line twice
    (tester B-17, session 26). Writers of one O's retrospective queue on the O's row, then read
    it afresh: 20 appends at once on PostgreSQL kept 3 lines, each having read the text before
    the others committed."""
    okr.require_edit(session, actor=actor, privileged=privileged, objective=objective)
    okr.lock_objective(session, objective)
    view = draft(session, team=team, objective=objective, today=today, now=now, workdays=workdays)
    retro = view.retro
    if retro.acknowledged_at is not None:
        raise Conflict("okr_rhythm.error.acknowledged", objective=f"O-{objective.number}")
    text = unmarked(text.strip())  # no direction mark it does not need (tester s27 B-2)
    old = getattr(retro, section.value)
    new = f"{old}\n{text}".strip() if append and old else text
    if append and not text:
        raise Invalid("okr_rhythm.error.empty_text", usage=t("okr.commands.retro.usage"))
    if append and gist(text) in {gist(line) for line in old.splitlines()}:
        raise Conflict(
            "okr_rhythm.error.line_repeat",
            objective=f"O-{objective.number}",
            section=t(
                "okr_rhythm.retro.word_went_well"
                if section is Section.WENT_WELL
                else "okr_rhythm.retro.word_to_improve"
            ),
            line=text[:40],
        )
    if len(new) > MAX_TEXT:
        raise Invalid("okr_rhythm.error.text_too_long", limit=MAX_TEXT)
    setattr(retro, section.value, new)
    session.flush()
    return view


def acknowledge(
    session: Session,
    *,
    team: Team,
    objective: Objective,
    actor: Member | None,
    director: bool,
    today: date,
    now: datetime,
    workdays: Workdays,
) -> RetroView:
    """The director's (or leader's, or an admin's) acknowledgement; once."""
    if not director:
        raise PermissionDenied("okr_rhythm.error.not_director", objective=f"O-{objective.number}")
    # One acknowledgement: 20 at once on PostgreSQL answered 「已确认」 7 times (tester B-17).
    okr.lock_objective(session, objective)
    view = draft(session, team=team, objective=objective, today=today, now=now, workdays=workdays)
    if view.retro.acknowledged_at is not None:
        raise Conflict("okr_rhythm.error.acknowledged", objective=f"O-{objective.number}")
    view.retro.acknowledged_at = now
    view.retro.acknowledged_by_id = actor.id if actor else None
    session.flush()
    return view


def next_cycle(session: Session, *, team: Team, cycle: Cycle) -> Cycle:
    """The cycle after ``cycle`` of the same kind."""
    kind = CycleKind(cycle.kind)
    year, index = (
        (cycle.year, cycle.index + 1) if cycle.index < _PER_YEAR[kind] else (cycle.year + 1, 1)
    )
    return cycles.get_or_create(session, team=team, kind=kind, year=year, index=index)


@dataclass(frozen=True)
class CarriedOver:
    """A KR copied into the next cycle: the new draft KR, its O and cycle."""

    source: KeyResult
    key_result: KeyResult
    objective: Objective
    cycle: Cycle
    created_objective: bool


def carry_over(
    session: Session,
    *,
    team: Team,
    key_result: KeyResult,
    actor: Member | None,
    privileged: bool,
    today: date,
    now: datetime,
    workdays: Workdays,
) -> CarriedOver:
    """Copy an unfinished KR into the next cycle as a draft KR (weight 0, from where it got
    to), under a draft O of the same title and owner, made when missing. Never twice."""
    objective = okr.get_objective(session, team=team, objective_id=key_result.objective_id)
    okr.require_edit(
        session, actor=actor, privileged=privileged, objective=objective, key_result=key_result
    )
    # One carry of the O at a time: 20 `/复盘 结转 KR-1` at once on PostgreSQL carried it 4
    # times under two new draft Os, each having read the carry list and looked for the draft
    # O before the others committed (tester s26 B-27). The next waits for the O's row, then
    # reads the retrospective afresh (populate_existing: it may be loaded already) and the
    # draft O the first made, and is told 「已经结转过了」.
    session.execute(select(Objective.id).where(Objective.id == objective.id).with_for_update())
    session.scalars(
        select(Retro)
        .where(Retro.objective_id == objective.id)
        .execution_options(populate_existing=True)
    ).all()
    view = draft(session, team=team, objective=objective, today=today, now=now, workdays=workdays)
    ref = f"KR-{key_result.number}"
    if any(entry["from"] == key_result.id for entry in view.retro.carried or []):
        raise Conflict("okr_rhythm.error.carried_twice", kr=ref)
    if kr_raw(key_result) >= 1:
        raise Conflict("okr_rhythm.error.kr_done", kr=ref)
    target_cycle = next_cycle(session, team=team, cycle=view.cycle)
    owner = session.get(Member, objective.owner_id) if objective.owner_id else None
    if owner is None or departed(owner):
        owner = actor
    target = session.scalar(
        select(Objective).where(
            Objective.cycle_id == target_cycle.id,
            Objective.team_id == team.id,
            Objective.owner_id == (owner.id if owner else None),
            Objective.title == objective.title,
            Objective.state == ObjectiveState.DRAFT.value,
        )
    )
    created = target is None
    if target is None:
        target = okr.create_objective(
            session,
            team=team,
            cycle=target_cycle,
            owner=owner,
            title=objective.title,
            now=now,
            okr_type=ObjectiveType(objective.okr_type),
        )
    start = key_result.start_value
    # The next cycle goes on from where this one stopped: a kept-above/below KR too (tester
    # F11, session 18: 保持≤ from 8 to 4, last read 5, was carried as "起始 8"). Not a yes/no or
    # milestone KR, whose count starts again.
    carried_from_reading = ("increase", "decrease", "stay_above", "stay_below")
    if key_result.kind in carried_from_reading and key_result.current_value is not None:
        start = key_result.current_value
    copy = okr.add_key_result(
        session,
        team=team,
        objective=target,
        data=KrInput(
            title=key_result.title,
            kind=KrKind(key_result.kind),
            start=start,
            target=key_result.target_value,
            unit=key_result.unit,
            weight=0,
            milestones=tuple(str(m) for m in key_result.milestones or ()),
        ),
        now=now,
    )
    view.retro.carried = [*(view.retro.carried or []), {"from": key_result.id, "to": copy.id}]
    view.carried.append((key_result.number, copy.number, target_cycle.key))
    session.flush()
    return CarriedOver(key_result, copy, target, target_cycle, created)
