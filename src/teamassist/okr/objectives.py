"""Objectives and key results: create, weigh, publish; short ids (O-1, KR-3) per team and cycle."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar, cast

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.okr import cycles, grammar
from teamassist.okr.formulas import LINEAR_KINDS, KrKind, even_split, num
from teamassist.okr.models import (
    Alignment,
    CheckIn,
    Contributor,
    Cycle,
    CycleState,
    DeletedRef,
    KeyResult,
    Objective,
    ObjectiveState,
    ObjectiveType,
)
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text, gist

MAX_TITLE = 500
MAX_UNIT = 16
MAX_VALUE = 1e15  # beyond any count or amount; keeps doubles exact for whole numbers
OBJECTIVES_PER_OWNER = range(1, 6)  # 1–5 Os per owner and cycle
KRS_PER_OBJECTIVE = range(2, 6)  # 2–5 KRs per O
MAX_KRS = KRS_PER_OBJECTIVE[-1]  # a 6th KR could never be published: refused when added
_SHORT_ID = re.compile(r"^(O|KR)-?([0-9]+)$", re.IGNORECASE)
LARGEST_NUMBER = 2**31 - 1  # the number columns are INTEGER: a longer one names nothing
REPEAT_WINDOW = timedelta(minutes=10)  # as actions.repeats' for /销项 and checkins' for /进展


def parse_short_id(text: str) -> tuple[str, int]:
    """``("O", 1)`` for ``O-1``, ``("KR", 3)`` for ``KR-3`` / ``kr3``; Invalid otherwise."""
    match = _SHORT_ID.match(grammar.plain(text))
    if match is None:
        raise Invalid("okr.error.bad_short_id", value=grammar.echo(text))
    return match.group(1).upper(), int(match.group(2))


def check_value(value: float, *, what: str) -> float:
    """A start, target or check-in value: a finite amount of either sign (a margin may run from
    −5% to 3%, a balance below zero); only counts (weights, confidence, milestones) refuse a
    sign, where they are checked."""
    if not math.isfinite(value) or abs(value) > MAX_VALUE:
        raise Invalid("okr.error.value_range", what=what)
    return float(value) + 0.0  # -0.0 is stored and shown as 0


def _fmt(value: float) -> str:
    return num(value)


def _title(text: str) -> str:
    title = clean_text(text)  # "" for only spaces or zero-width characters: an invisible O/KR
    if not title:
        raise Invalid("okr.error.empty_title")
    if len(title) > MAX_TITLE:
        raise Invalid("okr.error.title_too_long", limit=MAX_TITLE, length=len(title))
    return title


def check_weight(weight: int) -> int:
    """A KR weight: a whole percent 0–100."""
    if weight < 0:
        raise Invalid("okr.error.negative", what=t("okr.word.weight"), value=str(weight))
    if weight > 100:
        raise Invalid("okr.error.weight_range", value=str(weight))
    return weight


# -- access ----------------------------------------------------------------------------------


def contributors(session: Session, *, target_type: str, target_id: int) -> list[int]:
    """Member ids contributing to an O (``objective``) or KR (``key_result``)."""
    return list(
        session.scalars(
            select(Contributor.member_id)
            .where(Contributor.target_type == target_type, Contributor.target_id == target_id)
            .order_by(Contributor.id)
        )
    )


def set_contributors(
    session: Session, *, target_type: str, target_id: int, members: Sequence[Member]
) -> None:
    """Replace the contributors of an O or KR."""
    for row in session.scalars(
        select(Contributor).where(
            Contributor.target_type == target_type, Contributor.target_id == target_id
        )
    ):
        session.delete(row)
    session.flush()
    for member_id in dict.fromkeys(m.id for m in members):
        session.add(Contributor(target_type=target_type, target_id=target_id, member_id=member_id))
    session.flush()


def may_edit(
    session: Session,
    *,
    actor: Member | None,
    privileged: bool,
    objective: Objective,
    key_result: KeyResult | None = None,
) -> bool:
    """Owners, contributors and team leads/admins (``privileged``) may change an O or KR;
    ``actor`` None is the workspace's API token."""
    if actor is None or privileged or actor.id == objective.owner_id:
        return True
    if actor.id in contributors(session, target_type="objective", target_id=objective.id):
        return True
    if key_result is not None:
        if actor.id == key_result.owner_id:
            return True
        ids = contributors(session, target_type="key_result", target_id=key_result.id)
        return actor.id in ids
    return False


def require_edit(
    session: Session,
    *,
    actor: Member | None,
    privileged: bool,
    objective: Objective,
    key_result: KeyResult | None = None,
) -> None:
    """Refuse (403) a change by someone who is not an owner, contributor or lead."""
    if not may_edit(
        session, actor=actor, privileged=privileged, objective=objective, key_result=key_result
    ):
        raise PermissionDenied("okr.error.not_yours", item=label(objective, key_result))


def label(objective: Objective, key_result: KeyResult | None = None) -> str:
    """``O-1`` or ``KR-3``."""
    return f"KR-{key_result.number}" if key_result is not None else f"O-{objective.number}"


def require_open(cycle: Cycle, team: Team, now: datetime) -> None:
    """Refuse (409 ``okr.error.cycle_closed``) a change to a closed cycle's OKRs."""
    if cycles.state(cycle, cycles.today_of(team, now)) is CycleState.CLOSED:
        raise Conflict(
            "okr.error.cycle_closed",
            cycle=cycle.key,
            closed=cycles.month_day(cycles.closed_on(cycle, team.timezone)),
        )


# -- lookups ---------------------------------------------------------------------------------


def get_objective(session: Session, *, team: Team, objective_id: int) -> Objective:
    """An O of ``team`` by database id, or NotFound (another team's is not found either)."""
    objective = session.get(Objective, objective_id)
    if objective is None or objective.team_id != team.id:
        raise NotFound("okr.error.no_objective", ref=objective_id)
    return objective


def get_key_result(session: Session, *, team: Team, key_result_id: int) -> KeyResult:
    """A KR of ``team`` by database id, or NotFound."""
    key_result = session.get(KeyResult, key_result_id)
    if key_result is None or key_result.team_id != team.id:
        raise NotFound("okr.error.no_key_result", ref=key_result_id)
    return key_result


_Numbered = TypeVar("_Numbered", Objective, KeyResult)


def find_objective(
    session: Session, *, team: Team, ref: str, today: date, cycle: Cycle | None = None
) -> Objective:
    """``O-n`` of ``cycle`` when one is named (``/新建KR 2027Q1 O-1``: a cycle not started
    yet, or an older one whose ``O-1`` the newer cycles hide), else in the newest started
    cycle of the team that has it."""
    kind, number = parse_short_id(ref)
    if kind != "O":
        raise Invalid("okr.error.want_objective", value=grammar.echo(ref))
    found = _find_numbered(session, Objective, team=team, number=number, today=today, cycle=cycle)
    if found is not None:
        return found
    raise NotFound("okr.error.no_objective", ref=_named(ref, cycle))


def _find_numbered(
    session: Session,
    model: type[_Numbered],
    *,
    team: Team,
    number: int,
    today: date,
    cycle: Cycle | None,
) -> _Numbered | None:
    """The ``model`` (O or KR) numbered ``number`` in ``cycle`` when one is named, else in the
    newest started cycle of the team that has it, stopping at one that had it deleted
    (:func:`_refuse_deleted_here`); None when no cycle searched has it. The one search of
    :func:`find_objective` and :func:`find_key_result`."""
    if number > LARGEST_NUMBER:
        return None
    searched = [cycle] if cycle is not None else cycles.recent(session, team=team, today=today)
    kind = "O" if model is Objective else "KR"
    for cycle_searched in searched:
        found = session.scalar(
            select(model).where(
                model.team_id == team.id,
                model.cycle_id == cycle_searched.id,
                model.number == number,
            )
        )
        if found is not None:
            return found
        if cycle is None:
            _refuse_deleted_here(session, searched, cycle_searched, kind, number)
    return None


def _named(ref: str, cycle: Cycle | None) -> str:
    """``ref`` as a refusal echoes it, with the cycle named when one was."""
    return f"{cycle.key} {grammar.echo(ref)}" if cycle is not None else grammar.echo(ref)


def _refuse_deleted_here(
    session: Session, searched: Sequence[Cycle], here: Cycle, kind: str, number: int
) -> None:
    """A bare short id stops at the newest cycle that has *or had* it: when ``here`` had that
    number and it was deleted, NotFound ``okr.error.ref_deleted`` (naming an older cycle that
    has one, and how to reach it), nothing changed. The bare ``KR-5`` of /进展, /负责人,
    /评分 fell through to an older cycle's KR-5 once the current one was deleted, and changed
    it (tester s28 E-13, C-5's reach beyond the deletes)."""
    gone = session.scalars(
        select(DeletedRef)
        .where(DeletedRef.cycle_id == here.id, DeletedRef.kind == kind, DeletedRef.number == number)
        .order_by(DeletedRef.id.desc())
        .limit(1)
    ).first()
    if gone is None:
        return
    model: type[Objective] | type[KeyResult] = Objective if kind == "O" else KeyResult
    older = [c for c in searched if c.start_date < here.start_date]
    other = next(
        (
            c.key
            for c in older
            if session.scalar(
                select(model.id).where(
                    model.team_id == here.team_id, model.cycle_id == c.id, model.number == number
                )
            )
            is not None
        ),
        None,
    )
    short = f"{kind}-{number}"
    if other is None:
        raise NotFound("okr.error.ref_deleted", cycle=here.key, ref=short, title=gone.title[:40])
    raise NotFound(
        "okr.error.ref_deleted_other",
        cycle=here.key,
        ref=short,
        title=gone.title[:40],
        other=other,
    )


def find_key_result(
    session: Session, *, team: Team, ref: str, today: date, cycle: Cycle | None = None
) -> KeyResult:
    """``KR-n`` of ``cycle`` when one is named (``/进展 2027Q1 KR-1``), else in the newest
    started cycle of the team that has it."""
    kind, number = parse_short_id(ref)
    if kind != "KR":
        raise Invalid("okr.error.want_key_result", value=grammar.echo(ref))
    found = _find_numbered(session, KeyResult, team=team, number=number, today=today, cycle=cycle)
    if found is not None:
        return found
    raise NotFound("okr.error.no_key_result", ref=_named(ref, cycle))


def find_to_delete(
    session: Session,
    *,
    team: Team,
    ref: str,
    today: date,
    now: datetime,
    cycle: Cycle | None = None,
) -> Objective | KeyResult:
    """The O or KR a /删除目标 or /删除KR names: in ``cycle`` when one is named, else in the
    current cycle only. A bare ``KR-2`` once reached the newest started cycle that had one:
    after the current cycle's KR-2 was deleted, a retry reached another cycle's KR-2 (tester
    s27 C-5: a closed cycle's, refused by luck; a draft one would have been deleted). Now a
    number deleted from that cycle within :data:`REPEAT_WINDOW` is NotFound
    ``okr.error.key_result_gone`` / ``objective_gone`` (「已经删除了」), and one only another
    cycle has is refused naming that cycle (``okr.error.delete_names_cycle``): a delete
    reaches another cycle only when it is named."""
    kind, number = parse_short_id(ref)
    model: type[Objective] | type[KeyResult] = Objective if kind == "O" else KeyResult
    searched = cycle or cycles.current(session, team=team, today=today)
    short = f"{kind}-{number}"
    if number > LARGEST_NUMBER:
        raise NotFound(_missing(kind), ref=f"{searched.key} {grammar.echo(ref)}")
    found = cast(
        "Objective | KeyResult | None",
        session.scalar(
            select(model).where(
                model.team_id == team.id, model.cycle_id == searched.id, model.number == number
            )
        ),
    )
    if found is not None:
        return found
    gone = session.scalars(
        select(DeletedRef)
        .where(
            DeletedRef.cycle_id == searched.id,
            DeletedRef.kind == kind,
            DeletedRef.number == number,
            DeletedRef.deleted_at >= ensure_utc(now) - REPEAT_WINDOW,
        )
        .order_by(DeletedRef.id.desc())
        .limit(1)
    ).first()
    if gone is not None:
        if kind == "O":
            raise NotFound("okr.error.objective_gone", objective=short, title=gone.title[:40])
        raise NotFound("okr.error.key_result_gone", kr=short, title=gone.title[:40])
    elsewhere = session.execute(
        select(model.title, Cycle.key)
        .join(Cycle, Cycle.id == model.cycle_id)
        .where(model.team_id == team.id, model.number == number, model.cycle_id != searched.id)
        .order_by(Cycle.start_date.desc())
        .limit(1)
    ).first()
    if elsewhere is not None:
        title, other = elsewhere
        raise NotFound(
            "okr.error.delete_names_cycle",
            ref=short,
            cycle=searched.key,
            other=other,
            title=title[:40],
            command=t(
                "okr.commands.delete_objective.name"
                if kind == "O"
                else "okr.commands.delete_kr.name"
            ),
        )
    raise NotFound(_missing(kind), ref=f"{searched.key} {short}")


def _missing(kind: str) -> str:
    return "okr.error.no_objective" if kind == "O" else "okr.error.no_key_result"


def _remember_deleted(
    session: Session,
    *,
    cycle_id: int,
    kind: str,
    rows: Sequence[tuple[int, str, int]],
    now: datetime,
) -> None:
    """Keep each deleted ``(number, title, row id)`` of ``cycle_id`` for :func:`find_to_delete`
    and :func:`refuse_gone`."""
    for number, title, row_id in rows:
        session.add(
            DeletedRef(
                cycle_id=cycle_id,
                kind=kind,
                number=number,
                title=title,
                row_id=row_id,
                deleted_at=now,
            )
        )


def refuse_gone(session: Session, *, team: Team, kind: str, row_id: int, now: datetime) -> None:
    """NotFound ``okr.error.objective_gone`` / ``key_result_gone`` when the team's O or KR of
    database id ``row_id`` was deleted within :data:`REPEAT_WINDOW` (a REST delete that lost
    its race, or a retry), else nothing: 20 DELETEs of one O at once answered 404 in two
    texts for one state, 12 「找不到目标」 and 7 「已经删除了」, as each found the row gone
    before or after its lock (tester s28 c7b2fae re-check)."""
    gone = session.scalars(
        select(DeletedRef)
        .join(Cycle, Cycle.id == DeletedRef.cycle_id)
        .where(
            DeletedRef.kind == kind,
            DeletedRef.row_id == row_id,
            Cycle.team_id == team.id,
            DeletedRef.deleted_at >= ensure_utc(now) - REPEAT_WINDOW,
        )
        .limit(1)
    ).first()
    if gone is None:
        return
    short = f"{kind}-{gone.number}"
    if kind == "O":
        raise NotFound("okr.error.objective_gone", objective=short, title=gone.title[:40])
    raise NotFound("okr.error.key_result_gone", kr=short, title=gone.title[:40])


def key_results(session: Session, objective_ids: Sequence[int]) -> dict[int, list[KeyResult]]:
    """The KRs of each objective, in position order, loaded in one query."""
    found: dict[int, list[KeyResult]] = {i: [] for i in objective_ids}
    if not objective_ids:
        return found
    rows = session.scalars(
        select(KeyResult)
        .where(KeyResult.objective_id.in_(list(objective_ids)))
        .order_by(KeyResult.objective_id, KeyResult.position, KeyResult.id)
    )
    for row in rows:
        found[row.objective_id].append(row)
    return found


def objectives(
    session: Session,
    *,
    team: Team,
    cycle: Cycle,
    owner_id: int | None = None,
    state: ObjectiveState | None = None,
) -> list[Objective]:
    """The team's Os of ``cycle`` (optionally one owner's, one state), by number."""
    query = select(Objective).where(Objective.team_id == team.id, Objective.cycle_id == cycle.id)
    if owner_id is not None:
        query = query.where(Objective.owner_id == owner_id)
    if state is not None:
        query = query.where(Objective.state == state.value)
    return list(session.scalars(query.order_by(Objective.number)))


def objectives_involving(
    session: Session, *, team: Team, cycle: Cycle, member_id: int
) -> list[Objective]:
    """The team's Os of ``cycle`` that ``member_id`` works on, by number: as the O's owner or
    contributor, or as the owner or a contributor of one of its KRs (``/我的OKR``)."""
    krs_owned = select(KeyResult.objective_id).where(KeyResult.owner_id == member_id)
    o_joined = select(Contributor.target_id).where(
        Contributor.target_type == "objective", Contributor.member_id == member_id
    )
    krs_joined = (
        select(KeyResult.objective_id)
        .join(Contributor, Contributor.target_id == KeyResult.id)
        .where(Contributor.target_type == "key_result", Contributor.member_id == member_id)
    )
    query = select(Objective).where(
        Objective.team_id == team.id,
        Objective.cycle_id == cycle.id,
        or_(
            Objective.owner_id == member_id,
            Objective.id.in_(krs_owned),
            Objective.id.in_(o_joined),
            Objective.id.in_(krs_joined),
        ),
    )
    return list(session.scalars(query.order_by(Objective.number)))


# -- changes ---------------------------------------------------------------------------------


def lock_cycle(session: Session, cycle: Cycle) -> None:
    """Hold ``cycle``'s row until the transaction ends (PostgreSQL, MariaDB; SQLite serialises
    writers anyway): what creates Os and KRs in it queues here, and the reads after the lock
    see what the one before committed (both servers read committed)."""
    session.execute(select(Cycle.id).where(Cycle.id == cycle.id).with_for_update())


def _next_number(session: Session, model: type[Objective] | type[KeyResult], cycle: Cycle) -> int:
    """The next ``O-n`` or ``KR-n`` of ``cycle``. Creations in one cycle queue on its row
    first, then read the highest number as last committed (a locking read of that row): 20
    objectives created through REST at once answered 5 × 500 on PostgreSQL and MariaDB, each
    having read the same highest ``O-n`` (tester B-7, session 27; chat's owners queued on their
    own rows, so only one person's creations at once were in order). SQLite serialises
    writers anyway. A number deleted from the cycle is never given again: a retried /删除KR of
    the deleted top KR-n would otherwise delete the next KR made (tester s27 C-5's retry)."""
    lock_cycle(session, cycle)
    top = session.scalar(
        select(model.number)
        .where(model.cycle_id == cycle.id, model.team_id == cycle.team_id)
        .order_by(model.number.desc())
        .limit(1)
        .with_for_update()
    )
    kind = "O" if model is Objective else "KR"
    gone = session.scalar(
        select(DeletedRef.number)
        .where(DeletedRef.cycle_id == cycle.id, DeletedRef.kind == kind)
        .order_by(DeletedRef.number.desc())
        .limit(1)
    )
    return max(top or 0, gone or 0) + 1


def require_team_person(session: Session, *, team: Team, member: Member) -> Member:
    """``member`` when they are one of ``team``'s people; Invalid ``okr.error.not_in_team``
    otherwise: an owner or contributor of a team's O or KR could neither see it in /我的OKR
    nor be counted by the team (tester s23 F16)."""
    if team_service.role_of(session, team=team, member=member) is None:
        raise Invalid("okr.error.not_in_team", who=member.display_name[:64], team=team.name)
    return member


def create_objective(
    session: Session,
    *,
    team: Team,
    cycle: Cycle,
    owner: Member | None,
    title: str,
    now: datetime,
    okr_type: ObjectiveType = ObjectiveType.COMMITTED,
    refuse_repeat: bool = False,
    by_owner: bool = True,
) -> Objective:
    """A draft O in ``cycle`` with the next free ``O-n``; Invalid ``okr.error.not_in_team``
    for an owner outside the team. ``refuse_repeat`` (/新建目标): Conflict
    ``okr.error.objective_repeat`` when ``owner`` got an O of the same title (by ``gist``) in
    ``cycle`` within :data:`REPEAT_WINDOW`, see :func:`_refuse_a_repeated_objective`; said to
    the owner (``by_owner``) as 「你…」, to anyone else naming the owner."""
    require_open(cycle, team, now)
    if owner is not None:
        require_team_person(session, team=team, member=owner)
        if refuse_repeat:
            _refuse_a_repeated_objective(
                session, cycle=cycle, owner=owner, title=title, now=now, by_owner=by_owner
            )
    objective = Objective(
        workspace_id=team.workspace_id,
        team_id=team.id,
        cycle_id=cycle.id,
        number=_next_number(session, Objective, cycle),
        title=_title(title),
        owner_id=owner.id if owner else None,
        okr_type=okr_type.value,
        state=ObjectiveState.DRAFT.value,
        created_at=now,  # the repeat guard's clock, as the caller's (a pinned one too)
    )
    session.add(objective)
    session.flush()
    return objective


def _refuse_a_repeated_objective(
    session: Session, *, cycle: Cycle, owner: Member, title: str, now: datetime, by_owner: bool
) -> None:
    """A double tap or a redelivery without an event id made two Os, twenty at once twenty
    (tester B-28, session 26). The owner's member row is locked first, as the repeat guard of
    /销项 does (``actions.repeats``): one owner's creations queue there until the first
    commits, and read committed (PostgreSQL, MariaDB) lets the next check see it; SQLite
    serialises writers anyway. Titles are compared by ``gist`` (blanks, width, case, a
    closing mark aside) here, not in SQL (a TEXT column compares differently on each backend)."""
    session.execute(select(Member.id).where(Member.id == owner.id).with_for_update())
    said = gist(_title(title))
    recent = session.scalars(
        select(Objective)
        .where(
            Objective.cycle_id == cycle.id,
            Objective.owner_id == owner.id,
            Objective.created_at >= ensure_utc(now) - REPEAT_WINDOW,
        )
        .order_by(Objective.number)
        .execution_options(populate_existing=True)
    ).all()
    for objective in recent:
        if gist(objective.title) == said:
            # Said to whoever asked: 「你 10 分钟内…」 reached the global token about lisi's O
            # (tester s27 C-9).
            raise Conflict(
                "okr.error.objective_repeat" if by_owner else "okr.error.objective_repeat_for",
                objective=label(objective),
                title=objective.title[:40],
                minutes=int(REPEAT_WINDOW.total_seconds() // 60),
                owner=owner.display_name[:64],
            )


@dataclass(frozen=True)
class KrInput:
    """What a new KR is made of; ``kind`` None infers increase/decrease from start and target."""

    title: str
    kind: KrKind | None = None
    start: float | None = None
    target: float | None = None
    unit: str = ""
    weight: int = 0
    owner: Member | None = None
    milestones: tuple[str, ...] = ()


def _kind_and_values(data: KrInput) -> tuple[KrKind, float | None, float | None]:
    start = None if data.start is None else check_value(data.start, what=t("okr.word.start"))
    target = None if data.target is None else check_value(data.target, what=t("okr.word.target"))
    kind = data.kind
    if kind is KrKind.BINARY:
        return kind, 0.0, 1.0
    if kind is KrKind.MILESTONE:
        for value, what in ((start, "okr.word.start"), (target, "okr.word.target")):
            if value is not None and value < 0:  # a count of milestones reached
                raise Invalid("okr.error.negative", what=t(what), value=_fmt(value))
    if kind is KrKind.MILESTONE and data.milestones:
        return kind, 0.0, float(len(data.milestones))
    if kind is None:
        if start is not None and target is not None and target < start:
            kind = KrKind.DECREASE
        else:
            kind = KrKind.INCREASE
    if kind in LINEAR_KINDS and start is not None and target is not None:
        if target == start:
            raise Invalid("okr.error.target_equals_start", value=_fmt(start))
        if kind is KrKind.INCREASE and target < start:
            raise Invalid("okr.error.direction_increase")
        if kind is KrKind.DECREASE and target > start:
            raise Invalid("okr.error.direction_decrease")
    return kind, start, target


def add_key_result(
    session: Session,
    *,
    team: Team,
    objective: Objective,
    data: KrInput,
    now: datetime,
    refuse_repeat: bool = False,
) -> KeyResult:
    """A KR under ``objective`` with the next free ``KR-n`` of the cycle. A published O's
    weights must stay at 100%, so a KR added to one must weigh 0 (then set the weights).
    ``refuse_repeat`` (/新建KR): Conflict ``okr.error.kr_repeat`` when the O got a KR of the
    same title (by ``gist``), start and target within :data:`REPEAT_WINDOW` (tester B-28,
    session 26: one KR typed twice made two, and its weight counted twice); checked after the
    O's row lock, so concurrent repeats queue there and the next sees the first."""
    cycle = session.get(Cycle, objective.cycle_id)
    assert cycle is not None
    require_open(cycle, team, now)
    if data.owner is not None:
        require_team_person(session, team=team, member=data.owner)
    kind, start, target = _kind_and_values(data)
    weight = check_weight(data.weight)
    unit = data.unit.strip()
    if len(unit) > MAX_UNIT:
        raise Invalid("okr.error.unit_too_long", limit=MAX_UNIT)
    # Concurrent adds to one O queue on its row (SQLite: BEGIN IMMEDIATE already serialises
    # writers), so each counts the KRs committed before it and the cap holds.
    lock_objective(session, objective)
    siblings = key_results(session, [objective.id])[objective.id]
    if refuse_repeat:
        said = gist(_title(data.title))
        since = ensure_utc(now) - REPEAT_WINDOW
        for sibling in siblings:
            if (
                ensure_utc(sibling.created_at) >= since
                and gist(sibling.title) == said
                and (sibling.start_value, sibling.target_value) == (start, target)
            ):
                raise Conflict(
                    "okr.error.kr_repeat",
                    objective=label(objective),
                    kr=f"KR-{sibling.number}",
                    title=sibling.title[:40],
                    minutes=int(REPEAT_WINDOW.total_seconds() // 60),
                )
    if len(siblings) >= MAX_KRS:
        raise Conflict("okr.error.too_many_krs", objective=label(objective), limit=MAX_KRS)
    if objective.state == ObjectiveState.PUBLISHED.value and weight != 0:
        total = sum(k.weight for k in siblings) + weight
        raise Invalid("okr.error.weights_sum", objective=label(objective), total=total, detail="")
    key_result = KeyResult(
        workspace_id=team.workspace_id,
        team_id=team.id,
        cycle_id=cycle.id,
        objective_id=objective.id,
        number=_next_number(session, KeyResult, cycle),
        position=len(siblings),
        title=_title(data.title),
        owner_id=data.owner.id if data.owner else objective.owner_id,
        kind=kind.value,
        start_value=start,
        target_value=target,
        unit=unit,
        weight=weight,
        milestones=list(data.milestones) or None,
        created_at=now,
    )
    session.add(key_result)
    session.flush()
    return key_result


def lock_objective(session: Session, objective: Objective) -> None:
    """Hold ``objective``'s row until the transaction ends (PostgreSQL, MariaDB): adding and
    deleting its KRs and deleting it queue here, and the reads after the lock see what the
    transaction before committed."""
    session.execute(select(Objective.id).where(Objective.id == objective.id).with_for_update())


def _lock_afresh(session: Session, objective: Objective) -> bool:
    """Lock ``objective``'s row and read it as last committed (populate_existing: the session
    may hold it as it was); False when it is gone. Twenty deletes of one O
    at once refreshed it after the lock and failed on the row the first had deleted (tester
    B-12, session 27: internal errors, 500s on PostgreSQL and MariaDB)."""
    found = session.scalars(
        select(Objective)
        .where(Objective.id == objective.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    return found is not None


def _require_draft(objective: Objective) -> None:
    """Conflict unless ``objective`` is a draft (the refusal names it once and says what to do
    with it instead: the KR's advice, weight 0, was given for an O too, tester F5)."""
    if objective.state != ObjectiveState.DRAFT.value:
        raise Conflict("okr.error.delete_published_objective", objective=label(objective))


def _require_unused(session: Session, objective: Objective, key_result: KeyResult) -> None:
    """A published O's KR may go only while nothing is graded on it: weight 0, never checked
    in, not scored (a KR added after publishing must weigh 0: one added by mistake could not
    be removed at all, session 27's note). Conflict ``okr.error.delete_published`` otherwise,
    saying which of these holds."""
    checked = session.scalar(
        select(func.count()).select_from(CheckIn).where(CheckIn.key_result_id == key_result.id)
    )
    if key_result.weight == 0 and not checked and key_result.score is None:
        return
    if key_result.weight:
        why = t("okr.delete.why_weight", weight=key_result.weight)
    elif checked:
        why = t("okr.delete.why_checked", count=checked)
    else:
        why = t("okr.delete.why_scored")
    raise Conflict(
        "okr.error.delete_published",
        item=label(objective, key_result),
        objective=label(objective),
        why=why,
    )


def delete_key_result(
    session: Session, *, team: Team, key_result: KeyResult, now: datetime
) -> Objective:
    """Delete a KR (its check-ins, contributors and alignments go with it); the KRs after it
    move up, their short ids stay. A draft O's KRs, and a published O's while nothing is graded
    on them (:func:`_require_unused`): the others' history is what the cycle is graded on.
    Returns the O."""
    objective = get_objective(session, team=team, objective_id=key_result.objective_id)
    cycle = session.get(Cycle, objective.cycle_id)
    assert cycle is not None
    require_open(cycle, team, now)
    still_there = select(KeyResult.id).where(KeyResult.id == key_result.id).with_for_update()
    if not _lock_afresh(session, objective) or session.scalar(still_there) is None:
        raise NotFound(  # deleted by the request before this one, or with its O
            "okr.error.key_result_gone", kr=f"KR-{key_result.number}", title=key_result.title[:40]
        )
    if objective.state != ObjectiveState.DRAFT.value:
        _require_unused(session, objective, key_result)
    _forget(session, "key_result", [key_result.id])
    _remember_deleted(
        session,
        cycle_id=cycle.id,
        kind="KR",
        rows=[(key_result.number, key_result.title, key_result.id)],
        now=now,
    )
    session.delete(key_result)
    session.flush()
    for position, sibling in enumerate(key_results(session, [objective.id])[objective.id]):
        sibling.position = position
    session.flush()
    return objective


def delete_objective(session: Session, *, team: Team, objective: Objective, now: datetime) -> None:
    """Delete a draft O with its KRs (and their check-ins, contributors and alignments); a
    published O is refused."""
    cycle = session.get(Cycle, objective.cycle_id)
    assert cycle is not None
    require_open(cycle, team, now)
    if not _lock_afresh(session, objective):
        raise NotFound(
            "okr.error.objective_gone", objective=label(objective), title=objective.title[:40]
        )
    _require_draft(objective)
    krs = key_results(session, [objective.id])[objective.id]
    kr_ids = [k.id for k in krs]
    _forget(session, "key_result", kr_ids)
    _forget(session, "objective", [objective.id])
    _remember_deleted(
        session,
        cycle_id=cycle.id,
        kind="O",
        rows=[(objective.number, objective.title, objective.id)],
        now=now,
    )
    _remember_deleted(
        session,
        cycle_id=cycle.id,
        kind="KR",
        rows=[(k.number, k.title, k.id) for k in krs],
        now=now,
    )
    session.execute(delete(KeyResult).where(KeyResult.objective_id == objective.id))
    session.delete(objective)
    session.flush()


def _forget(session: Session, kind: str, ids: Sequence[int]) -> None:
    """Delete the rows that name an O or KR by id without a foreign key (contributors, the
    alignments it is the child of); the rest cascade."""
    if not ids:
        return
    session.execute(
        delete(Contributor).where(Contributor.target_type == kind, Contributor.target_id.in_(ids))
    )
    session.execute(
        delete(Alignment).where(Alignment.child_type == kind, Alignment.child_id.in_(ids))
    )


def weights_detail(krs: Sequence[KeyResult]) -> str:
    """``（KR-1 40%、KR-2 40%、KR-3 30%）`` for messages."""
    return _detail([(k.number, k.weight) for k in krs])


def _detail(pairs: Sequence[tuple[int, int]]) -> str:
    return "（" + "、".join(f"KR-{n} {w}%" for n, w in pairs) + "）" if pairs else ""


def set_weights(
    session: Session, *, objective: Objective, weights: Sequence[int]
) -> list[KeyResult]:
    """Set every KR's weight, in KR order; they must be as many as the KRs and total 100%."""
    krs = key_results(session, [objective.id])[objective.id]
    if not krs:
        raise Invalid("okr.error.no_krs", objective=label(objective))
    if len(weights) != len(krs):
        raise Invalid(
            "okr.error.weights_count",
            objective=label(objective),
            count=len(krs),
            given=len(weights),
        )
    for weight in weights:
        check_weight(weight)
    if sum(weights) != 100:
        detail = _detail([(k.number, w) for k, w in zip(krs, weights, strict=True)])
        raise Invalid(
            "okr.error.weights_sum", objective=label(objective), total=sum(weights), detail=detail
        )
    for key_result, weight in zip(krs, weights, strict=True):
        key_result.weight = weight
    session.flush()
    return krs


def even_weights(session: Session, *, objective: Objective) -> list[KeyResult]:
    """Split 100% evenly over the O's KRs by largest remainder (34/33/33), on request only."""
    krs = key_results(session, [objective.id])[objective.id]
    if not krs:
        raise Invalid("okr.error.no_krs", objective=label(objective))
    return set_weights(session, objective=objective, weights=even_split(len(krs)))


def measurable_problem(key_result: KeyResult) -> str | None:
    """Why a KR cannot be measured yet (catalogue text), or None."""
    kind = KrKind(key_result.kind)
    name = f"KR-{key_result.number}"
    if kind in (KrKind.BINARY,):
        return None
    if kind is KrKind.MILESTONE and key_result.milestones:
        return None
    if key_result.start_value is None or key_result.target_value is None:
        return t("okr.publish.no_values", kr=name)
    if kind in LINEAR_KINDS and key_result.start_value == key_result.target_value:
        return t("okr.publish.flat", kr=name)
    if not key_result.unit and kind is not KrKind.MILESTONE:
        return t("okr.publish.no_unit", kr=name)
    return None


def publish_problems(
    session: Session, *, team: Team, cycle: Cycle, owner_id: int | None, chosen: Sequence[Objective]
) -> list[str]:
    """What stops ``chosen`` from being published, one line per problem (empty: none)."""
    problems: list[str] = []
    count = len(objectives(session, team=team, cycle=cycle, owner_id=owner_id))
    if count not in OBJECTIVES_PER_OWNER:
        problems.append(t("okr.publish.objective_count", count=count, cycle=cycle.key))
    by_objective = key_results(session, [o.id for o in chosen])
    for objective in chosen:
        krs = by_objective[objective.id]
        name = label(objective)
        if len(krs) not in KRS_PER_OBJECTIVE:
            problems.append(t("okr.publish.kr_count", objective=name, count=len(krs)))
        total = sum(k.weight for k in krs)
        if krs and total != 100:
            problems.append(
                t("okr.error.weights_sum", objective=name, total=total, detail=weights_detail(krs))
            )
        problems.extend(p for k in krs if (p := measurable_problem(k)) is not None)
    return problems


def publish(
    session: Session,
    *,
    team: Team,
    cycle: Cycle,
    chosen: Sequence[Objective],
    now: datetime,
) -> list[Objective]:
    """Publish the draft Os ``chosen`` (all or none) once every check passes; else Invalid with
    every reason, and nothing changes.

    The chosen Os' rows are locked (in id order) and read afresh first: 20 /发布OKR at once on
    PostgreSQL answered 「已发布」 8 times, rewriting published_at, each having seen the O
    still a draft (tester B-15, session 26); now the next finds it published."""
    require_open(cycle, team, now)
    ids = sorted({o.id for o in chosen})
    session.scalars(
        select(Objective)
        .where(Objective.id.in_(ids or [0]))
        .order_by(Objective.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    drafts = [o for o in chosen if o.state == ObjectiveState.DRAFT.value]
    if not drafts:
        raise Invalid("okr.error.nothing_to_publish", cycle=cycle.key)
    owners = {o.owner_id for o in drafts}
    problems: list[str] = []
    for owner_id in owners:
        mine = [o for o in drafts if o.owner_id == owner_id]
        problems.extend(
            publish_problems(session, team=team, cycle=cycle, owner_id=owner_id, chosen=mine)
        )
    if problems:
        raise Invalid("okr.error.publish_refused", reasons="\n".join(f"- {p}" for p in problems))
    for objective in drafts:
        objective.state = ObjectiveState.PUBLISHED.value
        objective.published_at = now
    session.flush()
    return drafts


def update_objective(
    session: Session,
    *,
    team: Team,
    objective: Objective,
    now: datetime,
    title: str | None = None,
    okr_type: ObjectiveType | None = None,
    owner: Member | None = None,
) -> Objective:
    """Change an O's title, type or owner."""
    cycle = session.get(Cycle, objective.cycle_id)
    assert cycle is not None
    require_open(cycle, team, now)
    if title is not None:
        objective.title = _title(title)
    if okr_type is not None:
        objective.okr_type = okr_type.value
    if owner is not None:
        objective.owner_id = owner.id
    session.flush()
    return objective
