"""Pairs and their occurrences: who meets whom, on which slot, and the occurrences planned
from it (materialised ahead so a move or a cancellation persists).

Who sees a pair: its two people; admins see the schedule (never the agenda, see
:mod:`teamassist.one_on_ones.agenda`). Who adds a pair: the team's director (or the stand-in
when it has none, :func:`teamassist.team.service.director_or_stand_in`) for anyone, a sub-team's
leader for a member of that sub-team; being an admin alone is not enough (a pair's manager
reads the report's agenda and prep pack). Who changes a slot: an admin, the director or a party.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar, cast

from sqlalchemy import Select, Table, or_, select
from sqlalchemy.orm import Session

from teamassist.chat import timetext
from teamassist.clock import beyond_horizon, ensure_utc, local, parse_hhmm, plan_horizon
from teamassist.events import OneOnOneMeetingChanged, publish
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.one_on_ones import rules
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.scheduler.plan import insert_ignoring_conflicts
from teamassist.team import org
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, TeamMembership

_Row = TypeVar("_Row")
AHEAD_DAYS = 70  # how far occurrences are materialised (a monthly pair: two or three)
MAX_NOTE = 200
SCHEDULED, CANCELLED = "scheduled", "cancelled"


@dataclass(frozen=True)
class Dropped:
    """An occurrence moved by hand that a new slot's occurrence overlaps: ``was_start`` its
    moved start (UTC), ``clash_start`` the new slot's occurrence in its way and ``clash_id``
    that one's number (None when not planned yet). It is back on the new slot (its key is
    one the rule has, ``meeting.status`` scheduled) or cancelled."""

    meeting: OneOnOneMeeting
    was_start: datetime
    clash_start: datetime
    clash_id: int | None


@dataclass(frozen=True)
class SlotChange:
    """What a new slot did to the occurrences moved by hand that had not started: ``kept``
    where they were moved (an exception of the people's choosing), ``dropped`` where the new
    slot has one of its own (:class:`Dropped`)."""

    pair: OneOnOne
    kept: list[OneOnOneMeeting]
    dropped: list[Dropped]
    # a kept one and an occurrence of the new slot in the same team-local week (kept, other):
    # the pair talks twice that week (tester s26 B-10: six hours apart on one day, unsaid)
    same_week: list[tuple[OneOnOneMeeting, OneOnOneMeeting]] = field(default_factory=list)


@dataclass(frozen=True)
class SlotIn:
    """A slot as a boundary reads it (chat words or a REST body)."""

    cadence: rules.Cadence
    weekday: int
    at: str  # HH:MM team-local
    nth: int | None = None
    holiday: rules.HolidayPolicy = rules.HolidayPolicy.LATER


def may_arrange(team: Team, member: Member | None, *, admin: bool) -> bool:
    """Whether ``member`` may add pairs and set slots: an admin or the team's director."""
    return admin or (member is not None and team.director_id == member.id)


def may_create(session: Session, *, team: Team, by: Member | None, report: Member) -> bool:
    """Whether ``by`` may add a pair with ``report`` as its report: the team's director (or its
    stand-in) for a report in ``team`` or one of its sub-teams, or the leader of a sub-team of
    ``team`` that ``report`` belongs to. Another team's admin standing in for its director made
    themselves the manager of this team's people and read their OKRs and overdue items before
    each meeting (tester 2, session 18)."""
    if by is None or any(
        m.id == by.id for m in team_service.director_or_stand_in(session, team=team)
    ):  # None: the workspace owner (the root token), an admin of every team
        return in_team_or_sub_team(session, team=team, member=report)
    led = select(Team.id).where(Team.parent_id == team.id, Team.leader_id == by.id)
    found = session.scalar(
        select(TeamMembership.member_id).where(
            TeamMembership.team_id.in_(led), TeamMembership.member_id == report.id
        )
    )
    return found is not None


def creators(session: Session, *, team: Team, report: Member) -> str:
    """Who :func:`may_create` lets add a pair with ``report``, in words for a refusal: the
    director, else the one who stands in (the team's leader, else its admins), and the leader
    of each sub-team ``report`` is in (testers s23: 「只有团队负责人或…组长」 named nobody, and a
    主管 could not tell whether 组长 meant them)."""
    stand_in = team_service.director_or_stand_in(session, team=team)
    if team.director_id is not None and [m.id for m in stand_in] == [team.director_id]:
        role = "one_on_ones.word.director"
    elif team.leader_id is not None and [m.id for m in stand_in] == [team.leader_id]:
        role = "one_on_ones.word.leader"
    else:
        role = "one_on_ones.word.admins"
    who = [t(role, names="、".join(f"「{m.display_name}」" for m in stand_in))]
    led = session.execute(
        select(Team.name, Member.display_name)
        .join(Member, Member.id == Team.leader_id)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(Team.parent_id == team.id, TeamMembership.member_id == report.id)
        .order_by(Team.id)
    ).all()
    who += [t("one_on_ones.word.sub_leader", team=name, name=leader) for name, leader in led]
    return t("one_on_ones.word.or").join(who)


def in_team_or_sub_team(session: Session, *, team: Team, member: Member) -> bool:
    """Whether ``member`` belongs to ``team`` or one of its sub-teams: where a pair of
    ``team`` finds its two people."""
    ours = select(Team.id).where((Team.id == team.id) | (Team.parent_id == team.id))
    found = session.scalar(
        select(TeamMembership.member_id).where(
            TeamMembership.team_id.in_(ours), TeamMembership.member_id == member.id
        )
    )
    return found is not None


def is_party(pair: OneOnOne, member: Member | None) -> bool:
    """Whether ``member`` is one of the pair's two people (None, the workspace owner: no)."""
    return member is not None and member.id in (pair.manager_id, pair.report_id)


def other_side(pair: OneOnOne, member: Member) -> int:
    """The id of the pair's other person (``member`` must be a party)."""
    return pair.report_id if member.id == pair.manager_id else pair.manager_id


def _locked(query: Select[_Row]) -> Select[_Row]:
    """``query`` as a locking read that also re-reads the rows: ``FOR UPDATE`` alone hands back
    the object the session already holds, its attributes as first loaded, so a check made
    after the lock could read what another request changed meanwhile (SQLAlchemy, "Locking
    ORM rows": ``populate_existing``)."""
    return query.with_for_update().execution_options(populate_existing=True)


def get(
    session: Session,
    *,
    team: Team,
    pair_id: int,
    viewer: Member | None,
    admin: bool,
    lock: bool = False,
) -> OneOnOne:
    """The pair ``pair_id`` of ``team`` as ``viewer`` may see it; ``NotFound`` otherwise (a
    pair one may not see is not told apart from one that does not exist)."""
    query = select(OneOnOne).where(OneOnOne.id == pair_id, OneOnOne.team_id == team.id)
    pair = session.scalar(_locked(query) if lock else query)
    if pair is None or not (is_party(pair, viewer) or admin):
        raise NotFound("one_on_ones.error.not_found", id=pair_id)
    return pair


def between(session: Session, *, team: Team, one: Member, other: Member) -> OneOnOne | None:
    """The pair of these two people in ``team`` (either way round), or None."""
    return session.scalar(
        select(OneOnOne).where(
            OneOnOne.team_id == team.id,
            or_(
                (OneOnOne.manager_id == one.id) & (OneOnOne.report_id == other.id),
                (OneOnOne.manager_id == other.id) & (OneOnOne.report_id == one.id),
            ),
        )
    )


def visible_pairs(
    session: Session, *, team: Team, viewer: Member | None, admin: bool
) -> list[OneOnOne]:
    """The team's pairs ``viewer`` sees (theirs; every pair for an admin), oldest first."""
    query = select(OneOnOne).where(OneOnOne.team_id == team.id)
    if not admin:
        if viewer is None:
            return []
        query = query.where(or_(OneOnOne.manager_id == viewer.id, OneOnOne.report_id == viewer.id))
    return list(session.scalars(query.order_by(OneOnOne.id)))


def pairs_of(session: Session, *, member: Member, besides: Team) -> list[OneOnOne]:
    """``member``'s own pairs in their workspace's teams other than ``besides``, oldest first."""
    return list(
        session.scalars(
            select(OneOnOne)
            .where(
                OneOnOne.workspace_id == besides.workspace_id,
                OneOnOne.team_id != besides.id,
                or_(OneOnOne.manager_id == member.id, OneOnOne.report_id == member.id),
            )
            .order_by(OneOnOne.id)
        )
    )


def ensure_default_pairs(session: Session, *, team: Team) -> list[OneOnOne]:
    """The director ↔ each core member of the team (the seed's 核心成员月度1on1), created
    without a slot where missing; returns the pairs created."""
    if team.director_id is None:
        return []
    core = session.scalars(
        select(TeamMembership.member_id).where(
            TeamMembership.team_id == team.id,
            TeamMembership.core.is_(True),
            TeamMembership.member_id != team.director_id,
        )
    ).all()
    existing = {
        (p.manager_id, p.report_id)
        for p in session.scalars(select(OneOnOne).where(OneOnOne.team_id == team.id))
    }
    rows = [
        {
            "workspace_id": team.workspace_id,
            "team_id": team.id,
            "manager_id": team.director_id,
            "report_id": member_id,
            "holiday": rules.HolidayPolicy.LATER.value,
            "duration_minutes": 45,
            "place": "",
            "video_url": "",
        }
        for member_id in sorted(core)
        if (team.director_id, member_id) not in existing
        and (member_id, team.director_id) not in existing
    ]
    if not rows:
        return []
    # Two first listings at once both find the pairs missing: the unique key keeps one each.
    _insert_ignoring(session, OneOnOne, rows)
    return list(
        session.scalars(
            select(OneOnOne).where(
                OneOnOne.team_id == team.id,
                OneOnOne.manager_id == team.director_id,
                OneOnOne.report_id.in_([r["report_id"] for r in rows]),
            )
        )
    )


def _insert_ignoring(
    session: Session, model: type[object], rows: Sequence[Mapping[str, object]]
) -> None:
    dialect = session.get_bind().dialect.name
    table = cast(Table, model.__table__)  # type: ignore[attr-defined]
    session.execute(insert_ignoring_conflicts(dialect, table), rows)


def create(
    session: Session, *, team: Team, manager: Member, report: Member, by: Member | None, admin: bool
) -> OneOnOne:
    """A new pair ``manager`` ↔ ``report`` (who may: :func:`may_create`); ``PermissionDenied``
    ``one_on_ones.error.not_creator`` for anyone else, ``Conflict`` when these two already have
    one, ``Invalid`` for a pair of one person or a manager outside ``team`` and its sub-teams
    (``one_on_ones.error.outside``); a manager other than ``by`` is asked
    ``team.org.check_manager`` (``people.error.manager_not_yours``). ``admin`` is kept for the
    callers' symmetry: it grants nothing here."""
    del admin
    if not in_team_or_sub_team(session, team=team, member=report):
        # the reason, rather than "only the director…", which the owner heard (tester F12,
        # session 21)
        raise Invalid("one_on_ones.error.outside", name=report.display_name, team=team.name)
    if manager.id == report.id:  # before who may: a pair of one is no one's (tester s23 F4)
        raise Invalid("one_on_ones.error.self")
    if not may_create(session, team=team, by=by, report=report):
        raise PermissionDenied(
            "one_on_ones.error.not_creator",
            name=report.display_name,
            who=creators(session, team=team, report=report),
        )
    if by is not None and manager.id != by.id:
        # chat makes the speaker the manager; REST names one (``manager_id``), who must be a
        # manager the speaker may name for ``report``, the rule of /设置上级: REST took anyone
        # in the workspace, and they read the report's prep packs (testers s18-19)
        org.check_manager(session, actor=by, member=report, manager=manager)
    if not in_team_or_sub_team(session, team=team, member=manager):
        # a one-team admin made 李华, who shares another team with the report, the manager
        # of a pair in theirs, to read the report's prep packs (tester F11, session 20)
        raise Invalid("one_on_ones.error.outside", name=manager.display_name, team=team.name)
    return add_pair(session, team=team, manager=manager, report=report)


def add_pair(session: Session, *, team: Team, manager: Member, report: Member) -> OneOnOne:
    """The pair itself, no caller to check (the demo seed; :func:`create` for people): same
    ``Conflict``/``Invalid`` as :func:`create`."""
    if manager.id == report.id:
        raise Invalid("one_on_ones.error.self")
    for person in (manager, report):
        if not person.active or person.workspace_id != team.workspace_id:
            raise Invalid("one_on_ones.error.not_member", name=person.display_name)
    if between(session, team=team, one=manager, other=report) is not None:
        raise Conflict("one_on_ones.error.exists")
    pair = OneOnOne(
        workspace_id=team.workspace_id, team_id=team.id, manager_id=manager.id, report_id=report.id
    )
    session.add(pair)
    session.flush()
    return pair


def set_slot(
    session: Session,
    *,
    team: Team,
    pair: OneOnOne,
    slot: SlotIn,
    by: Member | None,
    admin: bool,
    now: datetime,
    workdays: Workdays,
) -> SlotChange:
    """Give ``pair`` a new slot and re-plan what has not started (``Invalid`` for a slot the
    rule cannot hold; ``Conflict`` ``one_on_ones.error.slot_busy`` when an occurrence it plans
    overlaps another pair's of the manager or the report, :func:`busy_person`: the boundary
    rolls the whole change back; ``people.error.inactive`` when one of them has left). Only an
    admin or the director arranges, or a party. An occurrence moved by hand stays where it was
    moved unless the new slot's overlaps it (:func:`_keep_moved`); the answer says which
    (chat and REST tell the caller: tester s24 F7, they vanished without a word)."""
    if not (may_arrange(team, by, admin=admin) or is_party(pair, by)):
        raise PermissionDenied("one_on_ones.error.not_arranger")
    require_both_stay(session, pair)
    rules.check(slot.cadence, slot.nth, slot.weekday)
    try:
        parse_hhmm(slot.at)
    except ValueError:
        raise Invalid("one_on_ones.error.bad_time", value=slot.at[:10]) from None
    pair.cadence = slot.cadence.value
    pair.nth = slot.nth if slot.cadence is rules.Cadence.MONTHLY else None
    pair.weekday = slot.weekday
    pair.at = parse_hhmm(slot.at).strftime("%H:%M")
    pair.holiday = slot.holiday.value
    today = local(now, team.timezone).date()
    pair.anchor = today if slot.cadence is rules.Cadence.BIWEEKLY else None
    session.flush()
    lock_people(session, pair)
    plan_theirs(session, pair=pair, now=now, workdays=workdays)
    replan(session, team=team, pair=pair, now=now, workdays=workdays)
    kept, dropped = _keep_moved(session, team=team, pair=pair, now=now, workdays=workdays)
    # again: a dropped one whose key the new rule has goes back on the rule's time
    for planned in replan(session, team=team, pair=pair, now=now, workdays=workdays):
        if planned.moved or planned.status != SCHEDULED or ensure_utc(planned.start_at) <= now:
            continue
        busy = busy_person(session, pair=pair, start_at=planned.start_at, end_at=planned.end_at)
        if busy is not None:
            person, _other = busy
            raise Conflict(
                "one_on_ones.error.slot_busy",
                name=person.display_name,
                start=timetext.when(planned.start_at, team.timezone, now=now),
            )
    # Beyond the saved window the rules decide, this pair's and the others' alike.
    theirs = ruled_theirs(session, pair=pair, now=now, workdays=workdays)
    length = timedelta(minutes=pair.duration_minutes)
    for start in unsaved_starts(session, team=team, pair=pair, now=now, workdays=workdays):
        end = start + length
        stored = busy_person(session, pair=pair, start_at=start, end_at=end)
        shared = stored[0] if stored else None
        if shared is None and (ruled := busy_by_rule(session, pair, theirs, start, end)):
            shared = ruled[0]
        if shared is not None:
            raise Conflict(
                "one_on_ones.error.slot_busy",
                name=shared.display_name,
                start=timetext.when(start, team.timezone, now=now),
            )
    return SlotChange(
        pair=pair,
        kept=kept,
        dropped=dropped,
        same_week=_same_week(session, pair=pair, kept=kept, zone=team.timezone),
    )


def _same_week(
    session: Session, *, pair: OneOnOne, kept: list[OneOnOneMeeting], zone: str
) -> list[tuple[OneOnOneMeeting, OneOnOneMeeting]]:
    """Each occurrence moved by hand and kept, with the first of the pair's scheduled ones
    by the rule in its team-local week."""
    if not kept:
        return []
    ruled = session.scalars(
        select(OneOnOneMeeting)
        .where(
            OneOnOneMeeting.pair_id == pair.id,
            OneOnOneMeeting.status == SCHEDULED,
            OneOnOneMeeting.moved.is_(False),
        )
        .order_by(OneOnOneMeeting.start_at, OneOnOneMeeting.id)
    ).all()

    def week(meeting: OneOnOneMeeting) -> tuple[int, int]:
        return local(meeting.start_at, zone).isocalendar()[:2]

    pairs = []
    for row in kept:
        other = next((m for m in ruled if week(m) == week(row)), None)
        if other is not None:
            pairs.append((row, other))
    return pairs


def _keep_moved(
    session: Session, *, team: Team, pair: OneOnOne, now: datetime, workdays: Workdays
) -> tuple[list[OneOnOneMeeting], list[Dropped]]:
    """Split the pair's scheduled occurrences moved by hand and not started into those kept
    and those an occurrence of the (new) rule overlaps, stored or up to :func:`plan_horizon`:
    each of the latter is taken off the hand move (``moved`` False) and cancelled by the rule
    (:data:`_RULE_NOTE`), so :func:`replan` puts it back on the rule's time when the rule has
    its key, as for any occurrence of the rule. Both people would be in the same talk twice."""
    rows = session.scalars(
        select(OneOnOneMeeting)
        .where(
            OneOnOneMeeting.pair_id == pair.id,
            OneOnOneMeeting.status == SCHEDULED,
            OneOnOneMeeting.start_at > ensure_utc(now),
        )
        .order_by(OneOnOneMeeting.start_at, OneOnOneMeeting.id)
    ).all()
    length = timedelta(minutes=pair.duration_minutes)
    ruled: list[tuple[datetime, datetime, int | None]] = [
        (ensure_utc(m.start_at), ensure_utc(m.end_at), m.id) for m in rows if not m.moved
    ]
    ruled += [
        (s, s + length, None)
        for s in unsaved_starts(session, team=team, pair=pair, now=now, workdays=workdays)
    ]
    ruled.sort(key=lambda r: r[0])
    kept: list[OneOnOneMeeting] = []
    dropped: list[Dropped] = []
    for row in (m for m in rows if m.moved):
        start, end = ensure_utc(row.start_at), ensure_utc(row.end_at)
        clash = next(((s, i) for s, e, i in ruled if s < end and e > start), None)
        if clash is None:
            kept.append(row)
            continue
        row.status, row.note, row.moved = CANCELLED, _RULE_NOTE, False
        row.sequence += 1
        dropped.append(
            Dropped(meeting=row, was_start=start, clash_start=clash[0], clash_id=clash[1])
        )
    session.flush()
    for gone in dropped:
        publish(session, OneOnOneMeetingChanged(meeting_id=gone.meeting.id, now=now))
    return kept, dropped


def unsaved_starts(
    session: Session, *, team: Team, pair: OneOnOne, now: datetime, workdays: Workdays
) -> list[datetime]:
    """The starts (UTC) ``pair``'s rule has after ``now`` up to :func:`plan_horizon` (the
    farthest day a meeting may be moved to) that no stored occurrence stands for: those after
    the :data:`AHEAD_DAYS` that :func:`replan` saves, before either person leaves."""
    slot = slot_of(pair)
    if slot is None:
        return []
    today = local(now, team.timezone).date()
    saved = set(
        session.scalars(select(OneOnOneMeeting.key).where(OneOnOneMeeting.pair_id == pair.id))
    )
    until = leaving_at(session, pair)
    return [
        p.start
        for p in rules.plan(
            slot,
            zone=team.timezone,
            workdays=workdays,
            first=today - timedelta(days=7),
            last=plan_horizon(now, team.timezone),
        )
        if p.key not in saved and p.start > now and (until is None or p.start < until)
    ]


def ruled_theirs(
    session: Session, *, pair: OneOnOne, now: datetime, workdays: Workdays
) -> list[tuple[OneOnOne, datetime, datetime]]:
    """``(other pair, start, end)`` (UTC) of every occurrence the rules of the two people's
    other pairs (every team) have up to :func:`plan_horizon` and nobody saved
    (:func:`unsaved_starts`): :func:`busy_person` reads stored occurrences only, so a 1on1 more
    than :data:`AHEAD_DAYS` ahead did not count (outside testers' list, session 23)."""
    people = (pair.manager_id, pair.report_id)
    found: list[tuple[OneOnOne, datetime, datetime]] = []
    for other in session.scalars(
        select(OneOnOne)
        .where(
            OneOnOne.id != pair.id,
            or_(OneOnOne.manager_id.in_(people), OneOnOne.report_id.in_(people)),
            OneOnOne.cadence.is_not(None),
        )
        .order_by(OneOnOne.id)
    ):
        team = session.get(Team, other.team_id)
        assert team is not None  # the foreign key
        length = timedelta(minutes=other.duration_minutes)
        found += [
            (other, start, start + length)
            for start in unsaved_starts(session, team=team, pair=other, now=now, workdays=workdays)
        ]
    return found


def busy_by_rule(
    session: Session,
    pair: OneOnOne,
    theirs: Sequence[tuple[OneOnOne, datetime, datetime]],
    start_at: datetime,
    end_at: datetime,
) -> tuple[Member, datetime] | None:
    """The person of ``pair`` whom one of ``theirs`` (:func:`ruled_theirs`) holds between
    ``start_at`` and ``end_at`` (UTC) and when that one starts, or None."""
    people = (pair.manager_id, pair.report_id)
    for other, start, end in theirs:
        if start < end_at and end > start_at:
            shared = next(p for p in people if p in (other.manager_id, other.report_id))
            person = session.get(Member, shared)
            assert person is not None  # the foreign key
            return person, start
    return None


def slot_of(pair: OneOnOne) -> rules.Slot | None:
    """The pair's rule, or None without a slot."""
    if pair.cadence is None or pair.weekday is None or pair.at is None:
        return None
    return rules.Slot(
        cadence=rules.Cadence(pair.cadence),
        weekday=pair.weekday,
        at=parse_hhmm(pair.at),
        nth=pair.nth,
        anchor=pair.anchor,
        holiday=rules.HolidayPolicy(pair.holiday),
    )


def _meetings(session: Session, pair: OneOnOne) -> dict[str, OneOnOneMeeting]:
    rows = session.scalars(select(OneOnOneMeeting).where(OneOnOneMeeting.pair_id == pair.id))
    return {m.key: m for m in rows}


def replan(
    session: Session, *, team: Team, pair: OneOnOne, now: datetime, workdays: Workdays
) -> list[OneOnOneMeeting]:
    """Materialise the pair's occurrences from today to :data:`AHEAD_DAYS` ahead: new keys are
    added, an unmoved one not yet started follows the rule (SEQUENCE bumped when its time
    changes), one moved by hand keeps its time, and one the rule no longer has is cancelled —
    as is every one from the time either person leaves (:func:`leaving_at`; revived by the
    rule if they come back). Idempotent. Each occurrence added or changed is published
    (:class:`OneOnOneMeetingChanged`) for the people's calendars."""
    slot = slot_of(pair)
    today = local(now, team.timezone).date()
    rows = _meetings(session, pair)
    planned = (
        []
        if slot is None
        else rules.plan(
            slot,
            zone=team.timezone,
            workdays=workdays,
            first=today - timedelta(days=7),
            last=today + timedelta(days=AHEAD_DAYS),
        )
    )
    until = leaving_at(session, pair)
    if until is not None:  # no 1on1 with someone who has left (a tester's find, session 12)
        planned = [p for p in planned if p.start < until]
    length = timedelta(minutes=pair.duration_minutes)
    wanted = {p.key for p in planned}
    fresh = [
        {
            "team_id": team.id,
            "pair_id": pair.id,
            "key": p.key,
            "start_at": p.start,
            "end_at": p.start + length,
            "status": SCHEDULED,
            "moved": False,
            "provisional": not workdays.is_official(p.day.year),
            "sequence": 0,
        }
        for p in planned
        if p.key not in rows and p.start > now  # never plan one into the past
    ]
    if fresh:
        # A concurrent request planning the same pair inserts the same keys: skip them.
        _insert_ignoring(session, OneOnOneMeeting, fresh)
        rows = _meetings(session, pair)
    changed = [rows[f["key"]] for f in fresh if f["key"] in rows]
    for p in planned:
        row = rows.get(p.key)
        provisional = not workdays.is_official(p.day.year)
        if row is None:
            continue
        if not row.moved and ensure_utc(row.start_at) > now:
            revive = row.status == CANCELLED and row.note == _RULE_NOTE
            if revive or (row.status == SCHEDULED and ensure_utc(row.start_at) != p.start):
                row.start_at, row.end_at = p.start, p.start + length
                row.status, row.note = SCHEDULED, None
                row.sequence += 1
                row.provisional = provisional
                changed.append(row)
    for key, row in rows.items():
        start = ensure_utc(row.start_at)
        if start <= now:
            continue
        if row.moved:
            # Moved by hand, it keeps its own time, whatever the rule now has (tester s24 F7:
            # a new slot cancelled it without a word): cancelled when that time falls on or
            # after the day someone leaves, revived there when they stay after all (session 13).
            gone = until is not None and start >= until
            if gone and row.status == SCHEDULED:
                row.status, row.note = CANCELLED, _LEFT_NOTE
            elif not gone and row.status == CANCELLED and row.note == _LEFT_NOTE:
                row.status, row.note = SCHEDULED, None
            else:
                continue
            row.sequence += 1
            changed.append(row)
        elif key not in wanted and row.status == SCHEDULED:
            row.status, row.note = CANCELLED, _RULE_NOTE
            row.sequence += 1
            changed.append(row)
    session.flush()
    for row in dict.fromkeys(changed):
        publish(session, OneOnOneMeetingChanged(meeting_id=row.id, now=now))
    return sorted(rows.values(), key=lambda m: (ensure_utc(m.start_at), m.id))


_RULE_NOTE = "slot"  # cancelled because the slot changed (revived if the rule has it again)
_LEFT_NOTE = "left"  # a moved one cancelled as someone leaves (revived if they stay)


def leaving_at(session: Session, pair: OneOnOne) -> datetime | None:
    """When the first of the pair's two people leaves (UTC: their deactivation time, which may
    lie ahead; a member merged away has left already), or None while both stay."""
    times: list[datetime] = []
    for member_id in (pair.manager_id, pair.report_id):
        person = session.get(Member, member_id)
        if person is None or person.merged_into_id is not None:
            return datetime.min.replace(tzinfo=UTC)
        if person.deactivated_at is not None:  # leaving (active until then) or left
            times.append(ensure_utc(person.deactivated_at))
        elif not person.active:
            times.append(datetime.min.replace(tzinfo=UTC))
    return min(times, default=None)


def leavers(session: Session, pair: OneOnOne) -> list[Member]:
    """The pair's people still here but set to leave (``deactivated_at`` ahead), manager
    first: the pair's rule plans nothing from then (:func:`leaving_at`)."""
    found = [session.get(Member, i) for i in (pair.manager_id, pair.report_id)]
    return [p for p in found if p is not None and p.active and p.deactivated_at is not None]


def require_both_stay(session: Session, pair: OneOnOne) -> None:
    """Refuse arranging anything more for a pair one of whose people has left: Conflict
    ``people.error.inactive``/``merged`` naming them (:func:`team_service.require_active`)."""
    for member_id in (pair.manager_id, pair.report_id):
        person = session.get(Member, member_id)
        if person is not None:
            team_service.require_active(person)


def require_before_leaving(session: Session, pair: OneOnOne, zone: str) -> None:
    """Refuse a time on or after the day one of the pair, still here, is set to leave:
    Conflict ``one_on_ones.error.after_leaving`` naming them and the team-local date."""
    for member_id in (pair.manager_id, pair.report_id):
        person = session.get(Member, member_id)
        if person is not None and person.deactivated_at is not None:
            day = local(person.deactivated_at, zone).date().isoformat()
            raise Conflict("one_on_ones.error.after_leaving", name=person.display_name, date=day)


def upcoming(
    session: Session, *, pair: OneOnOne, now: datetime, limit: int = 5
) -> list[OneOnOneMeeting]:
    """The pair's occurrences not over yet, by start: cancelled ones included, but not those
    a slot change dropped (``_RULE_NOTE``): after a second slot they filled 接下来 with
    meetings nobody cancelled (tester s23 F4)."""
    kept = or_(
        OneOnOneMeeting.status != CANCELLED,
        OneOnOneMeeting.note.is_(None),
        OneOnOneMeeting.note != _RULE_NOTE,
    )
    return list(
        session.scalars(
            select(OneOnOneMeeting)
            .where(
                OneOnOneMeeting.pair_id == pair.id,
                OneOnOneMeeting.end_at > ensure_utc(now),
                kept,
            )
            .order_by(OneOnOneMeeting.start_at, OneOnOneMeeting.id)
            .limit(limit)
        )
    )


def next_meeting(session: Session, *, pair: OneOnOne, now: datetime) -> OneOnOneMeeting | None:
    """The pair's next scheduled occurrence not over yet, or None."""
    return session.scalar(
        select(OneOnOneMeeting)
        .where(
            OneOnOneMeeting.pair_id == pair.id,
            OneOnOneMeeting.end_at > ensure_utc(now),
            OneOnOneMeeting.status == SCHEDULED,
        )
        .order_by(OneOnOneMeeting.start_at, OneOnOneMeeting.id)
        .limit(1)
    )


def last_held(session: Session, *, pair: OneOnOne, now: datetime) -> OneOnOneMeeting | None:
    """The pair's latest scheduled occurrence that has started, or None."""
    return session.scalar(
        select(OneOnOneMeeting)
        .where(
            OneOnOneMeeting.pair_id == pair.id,
            OneOnOneMeeting.start_at <= ensure_utc(now),
            OneOnOneMeeting.status == SCHEDULED,
        )
        .order_by(OneOnOneMeeting.start_at.desc(), OneOnOneMeeting.id.desc())
        .limit(1)
    )


def get_meeting(
    session: Session, *, pair: OneOnOne, meeting_id: int, lock: bool = False
) -> OneOnOneMeeting:
    """One occurrence of ``pair``; ``NotFound`` otherwise."""
    query = select(OneOnOneMeeting).where(
        OneOnOneMeeting.id == meeting_id, OneOnOneMeeting.pair_id == pair.id
    )
    found = session.scalar(_locked(query) if lock else query)
    if found is None:
        raise NotFound("one_on_ones.error.meeting_not_found", id=meeting_id)
    return found


def _changeable(meeting: OneOnOneMeeting, now: datetime, note: str | None) -> None:
    if meeting.status == CANCELLED:
        raise Conflict("one_on_ones.error.cancelled", id=meeting.id)
    if ensure_utc(meeting.start_at) <= now:
        raise Conflict("one_on_ones.error.started", id=meeting.id)
    if note is not None and len(note) > MAX_NOTE:
        raise Invalid("one_on_ones.error.note_too_long", limit=MAX_NOTE)


def move(
    session: Session,
    *,
    pair: OneOnOne,
    meeting: OneOnOneMeeting,
    start_at: datetime,
    by: Member | None,
    admin: bool,
    now: datetime,
    workdays: Workdays,
    note: str | None = None,
) -> OneOnOneMeeting:
    """Move one occurrence (a party or an admin); it keeps its key, so its agenda stays, and its
    ``provisional`` flag follows the new date's year (``workdays.is_official``). ``Conflict``
    ``one_on_ones.error.double_booked`` when the new time overlaps another scheduled occurrence
    of the pair (``double_booked_rule``: one its rule has after the saved ones),
    ``one_on_ones.error.person_busy`` when it overlaps one of another pair of
    either person (the manager or the report would be in two 1on1s at once);
    ``cancelled``/``started``/``past``/``too_far`` (after :func:`~teamassist.clock.plan_horizon`)
    as they say. The party who did not move it is told
    (:mod:`teamassist.one_on_ones.told`); the same move again changes and tells nothing."""
    if not (is_party(pair, by) or admin):
        raise PermissionDenied("one_on_ones.error.not_arranger")
    _changeable(meeting, now, note)
    start_at = ensure_utc(start_at)
    if start_at <= now:
        raise Invalid("one_on_ones.error.past")
    zone = team_zone(session, pair)
    if beyond_horizon(start_at, now, zone):
        raise Invalid("one_on_ones.error.too_far", latest=plan_horizon(now, zone).isoformat())
    until = leaving_at(session, pair)
    if until is not None and start_at >= until:  # not past the day someone leaves
        require_both_stay(session, pair)
        require_before_leaving(session, pair, zone)
    length = ensure_utc(meeting.end_at) - ensure_utc(meeting.start_at)
    # Two moves at once (of this pair, or of two pairs sharing a person) could each find the
    # other's new time free: the people's row locks make the second look after the first.
    lock_people(session, pair)
    plan_theirs(session, pair=pair, now=now, workdays=workdays)
    clash = session.scalar(
        select(OneOnOneMeeting)
        .where(
            OneOnOneMeeting.pair_id == pair.id,
            OneOnOneMeeting.id != meeting.id,
            OneOnOneMeeting.status == SCHEDULED,
            OneOnOneMeeting.start_at < start_at + length,
            OneOnOneMeeting.end_at > start_at,
        )
        .order_by(OneOnOneMeeting.start_at)
        .limit(1)
    )
    if clash is not None:
        at = local(clash.start_at, zone)
        raise Conflict(
            "one_on_ones.error.double_booked",
            id=clash.id,
            month=at.month,
            day=at.day,
            at=at.strftime("%H:%M"),
            start=timetext.when(clash.start_at, zone, now=now),
        )
    # one of the pair's own rule further ahead than the saved occurrences: planned later, it
    # stood beside the moved one, two 1on1s at once (tester s25 F-B1)
    for ruled_start in unsaved_starts(
        session, team=team_of(session, pair), pair=pair, now=now, workdays=workdays
    ):
        if ruled_start < start_at + length and start_at < ruled_start + length:
            raise Conflict(
                "one_on_ones.error.double_booked_rule",
                start=timetext.when(ruled_start, zone, now=now),
            )
    busy = busy_person(session, pair=pair, start_at=start_at, end_at=start_at + length)
    if busy is not None:
        person, other = busy
        raise Conflict(
            "one_on_ones.error.person_busy",
            name=person.display_name,
            start=timetext.when(other.start_at, zone, now=now),
        )
    # one far ahead, where only the other pair's rule has it (nothing saved there yet)
    ruled = busy_by_rule(
        session,
        pair,
        ruled_theirs(session, pair=pair, now=now, workdays=workdays),
        start_at,
        start_at + length,
    )
    if ruled is not None:
        raise Conflict(
            "one_on_ones.error.person_busy",
            name=ruled[0].display_name,
            start=timetext.when(ruled[1], zone, now=now),
        )
    was_start = ensure_utc(meeting.start_at)
    if was_start == start_at and meeting.note == (note or None):
        return meeting  # the same move again (a retry, a double click): no new SEQUENCE
    if was_start != start_at:  # else only the reason changes: the invitation's text does
        meeting.start_at, meeting.end_at = start_at, start_at + length
        meeting.moved = True
        meeting.reminded_for = None
        meeting.provisional = not workdays.is_official(local(start_at, zone).year)
    meeting.sequence += 1
    meeting.note = note or None
    session.flush()
    _changed_by_hand(session, meeting, by=by, now=now, was_start=was_start)
    return meeting


def _changed_by_hand(
    session: Session,
    meeting: OneOnOneMeeting,
    *,
    by: Member | None,
    now: datetime,
    was_start: datetime | None = None,
) -> None:
    """Publish a change made by a person (None: the install's token) for the calendars and
    the other party's notice (:mod:`teamassist.one_on_ones.told`)."""
    publish(
        session,
        OneOnOneMeetingChanged(
            meeting_id=meeting.id,
            now=now,
            by_hand=True,
            by_member_id=by.id if by is not None else None,
            was_start=was_start,
        ),
    )


def lock_people(session: Session, pair: OneOnOne) -> None:
    """Lock the rows of the pair's two people, lowest id first (so two requests locking two
    overlapping couples wait, never deadlock): whoever books a time for either person waits
    here until the other booking is committed. SQLite holds one writer anyway."""
    ids = sorted({pair.manager_id, pair.report_id})
    session.execute(
        select(Member.id).where(Member.id.in_(ids)).order_by(Member.id).with_for_update()
    )


def plan_theirs(session: Session, *, pair: OneOnOne, now: datetime, workdays: Workdays) -> None:
    """Materialise (:func:`replan`) every other pair with a slot of ``pair``'s two people, in
    every team, before a booking is checked against them: :func:`busy_person` reads stored
    occurrences, and a pair whose slot was set but that nobody listed or planned since (the
    demo's, one set up yesterday) held none, so its 1on1 did not count (tester 2 F10, session
    21: 李四 got two 1on1s at 12月9日 15:00 in two teams). Runs after :func:`lock_people`;
    idempotent, as replan is. Occurrences after :data:`AHEAD_DAYS` stay unplanned for every
    pair alike."""
    people = (pair.manager_id, pair.report_id)
    theirs = session.scalars(
        select(OneOnOne)
        .where(
            OneOnOne.id != pair.id,
            or_(OneOnOne.manager_id.in_(people), OneOnOne.report_id.in_(people)),
            OneOnOne.cadence.is_not(None),
        )
        .order_by(OneOnOne.id)
    ).all()
    for other in theirs:
        team = session.get(Team, other.team_id)
        assert team is not None
        replan(session, team=team, pair=other, now=now, workdays=workdays)


def busy_person(
    session: Session, *, pair: OneOnOne, start_at: datetime, end_at: datetime
) -> tuple[Member, OneOnOneMeeting] | None:
    """The first scheduled occurrence of *another* pair with the manager or the report of
    ``pair`` that overlaps ``start_at``–``end_at`` (UTC), and the person it shares; None when
    both are free then. Pairs of every team count: a person is in one place at a time."""
    people = (pair.manager_id, pair.report_id)
    theirs = select(OneOnOne.id).where(
        OneOnOne.id != pair.id,
        or_(OneOnOne.manager_id.in_(people), OneOnOne.report_id.in_(people)),
    )
    other = session.scalar(
        select(OneOnOneMeeting)
        .where(
            OneOnOneMeeting.pair_id.in_(theirs),
            OneOnOneMeeting.status == SCHEDULED,
            OneOnOneMeeting.start_at < ensure_utc(end_at),
            OneOnOneMeeting.end_at > ensure_utc(start_at),
        )
        .order_by(OneOnOneMeeting.start_at, OneOnOneMeeting.id)
        .limit(1)
    )
    if other is None:
        return None
    found = session.get(OneOnOne, other.pair_id)
    assert found is not None
    shared = next(p for p in people if p in (found.manager_id, found.report_id))
    person = session.get(Member, shared)
    assert person is not None
    return person, other


def cancel(
    session: Session,
    *,
    pair: OneOnOne,
    meeting: OneOnOneMeeting,
    by: Member | None,
    admin: bool,
    now: datetime,
    note: str | None = None,
) -> OneOnOneMeeting:
    """Cancel one occurrence (a party or an admin); its open items go to the next one. The
    party who did not cancel it is told (:mod:`teamassist.one_on_ones.told`)."""
    if not (is_party(pair, by) or admin):
        raise PermissionDenied("one_on_ones.error.not_arranger")
    _changeable(meeting, now, note)
    meeting.status = CANCELLED
    meeting.moved = True  # kept off the rule from now on
    meeting.sequence += 1
    meeting.note = note or None
    session.flush()
    _changed_by_hand(session, meeting, by=by, now=now)
    return meeting


def team_of(session: Session, pair: OneOnOne) -> Team:
    """The pair's team."""
    team = session.get(Team, pair.team_id)
    assert team is not None  # the foreign key
    return team


def team_zone(session: Session, pair: OneOnOne) -> str:
    """The IANA zone of the pair's team."""
    return team_of(session, pair).timezone


def local_day(meeting: OneOnOneMeeting, team: Team) -> date:
    """The occurrence's team-local date."""
    return local(meeting.start_at, team.timezone).date()
