"""The duty desk's rules on top of the database: who is on duty, roster edits, sign-in.

Every read builds :class:`~teamassist.duty.rotation.RotationSpec` objects from a handful of
queries (one per table, never one per day) and hands them to the pure functions of
:mod:`teamassist.duty.rotation`. Every edit appends rows effective from a moment that is not in
the past. Services only ``flush()``; the boundary commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist import preload
from teamassist.clock import ensure_utc, local, parse_hhmm
from teamassist.duty import on_duty_now, revision
from teamassist.duty.calendar import CalendarMode, WorkCalendar
from teamassist.duty.models import (
    CalendarException,
    Override,
    Rotation,
    RotationVersion,
    Swap,
)
from teamassist.duty.planning import (
    ACTION_ADD,
    ACTION_LEAVE,
    RosterChange,
    check_params,
    effective_moment,
    plan_change,
    refuse_pending_joins,
)
from teamassist.duty.roster_view import RosterDay, RosterView
from teamassist.duty.rotation import (
    CompiledRotation,
    OverrideSpec,
    RotationSpec,
    Shift,
    SwapSpec,
    VersionSpec,
    day_people,
    day_start,
    duty_date_at,
    main_people,
)
from teamassist.exceptions import Conflict, DomainError, NotFound
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text, one_line

PRELOAD_ROTATIONS = revision.PRELOAD_ROTATIONS
PRELOAD_SPECS = revision.PRELOAD_SPECS
PRELOAD_MEMBERS = revision.PRELOAD_MEMBERS
KIND_TECH = "tech"
KIND_PRODUCT = "product"
KIND_CUSTOM = "custom"
KINDS = (KIND_TECH, KIND_PRODUCT, KIND_CUSTOM)
DEFAULT_HANDOFF = "03:00"  # the seed's duty day starts at 03:00 (its "new day" job)


# -- loading -----------------------------------------------------------------------------------


def rotations(session: Session, *, team: Team) -> list[Rotation]:
    """The team's rotations in display order (tech first, as the seed shows them)."""
    loaded: dict[int, list[Rotation]] | None = preload.get(session, PRELOAD_ROTATIONS)
    if loaded is not None and team.id in loaded:
        return list(loaded[team.id])
    return list(
        session.scalars(
            select(Rotation)
            .where(Rotation.team_id == team.id, Rotation.archived_at.is_(None))
            .order_by(Rotation.position, Rotation.id)
        )
    )


def get_rotation(session: Session, *, team: Team, name: str | None = None) -> Rotation:
    """Find a rotation by key, name or kind; without a name, the tech rotation (the seed's)."""
    found = rotations(session, team=team)
    if not found:
        raise NotFound("duty.error.no_rotations")
    if name is None:
        return next((r for r in found if r.kind == KIND_TECH), found[0])
    folded = name.strip().casefold()
    for rotation in found:
        if folded in {rotation.key.casefold(), rotation.name.casefold()}:
            return rotation
    matches = [r for r in found if r.kind == folded]
    if len(matches) == 1:
        return matches[0]
    raise NotFound("duty.error.no_rotation", name=name, known="、".join(r.name for r in found))


def get_rotation_by_id(
    session: Session, *, workspace_id: int, rotation_id: int, known_in: Team | None = None
) -> Rotation:
    """One rotation of the workspace, or NotFound naming ``known_in``'s rotations (the team the
    caller asked in; 「现有的轮值：-」 while the team had 技术 misled, tester s26 A-5)."""
    rotation = session.get(Rotation, rotation_id)
    team = session.get(Team, rotation.team_id) if rotation else None
    if rotation is None or team is None or team.workspace_id != workspace_id:
        raise no_rotation(session, name=str(rotation_id), team=known_in)
    return rotation


def no_rotation(session: Session, *, name: str, team: Team | None) -> NotFound:
    """The refusal of a rotation ``name`` that ``team`` (None: no list) does not have, naming
    the rotations it has."""
    known = "、".join(r.name for r in rotations(session, team=team)) if team else ""
    return NotFound("duty.error.no_rotation", name=name, known=known or "-")


def load_specs(
    session: Session, *, team: Team, only: Sequence[Rotation] | None = None
) -> list[RotationSpec]:
    """The team's rotations as pure specs (five queries in all, whatever the window)."""
    chosen = list(only) if only is not None else rotations(session, team=team)
    if not chosen:
        return []
    loaded: dict[int, RotationSpec] | None = preload.get(session, PRELOAD_SPECS)
    if loaded is not None and all(r.id in loaded for r in chosen):
        return [loaded[r.id] for r in chosen]
    return specs_of(session, [(r, team.timezone) for r in chosen])


def specs_of(session: Session, chosen: Sequence[tuple[Rotation, str]]) -> list[RotationSpec]:
    """Specs of rotations of any teams (each with its team's time zone), in five queries."""
    if not chosen:
        return []
    ids = [r.id for r, _ in chosen]
    versions: dict[int, list[RotationVersion]] = defaultdict(list)
    for v in session.scalars(
        select(RotationVersion)
        .where(RotationVersion.rotation_id.in_(ids), RotationVersion.cancelled_at.is_(None))
        .order_by(RotationVersion.effective_at, RotationVersion.id)
    ):
        versions[v.rotation_id].append(v)
    overrides: dict[int, list[Override]] = defaultdict(list)
    for o in session.scalars(select(Override).where(Override.rotation_id.in_(ids))):
        overrides[o.rotation_id].append(o)
    swaps: dict[int, list[Swap]] = defaultdict(list)
    for s in session.scalars(select(Swap).where(Swap.rotation_id.in_(ids))):
        swaps[s.rotation_id].append(s)
    exceptions: dict[int, dict[date, bool]] = defaultdict(dict)
    for e in session.scalars(
        select(CalendarException).where(CalendarException.rotation_id.in_(ids))
    ):
        exceptions[e.rotation_id][e.day] = e.active
    return [
        _spec(r, tz, versions[r.id], overrides[r.id], swaps[r.id], exceptions[r.id])
        for r, tz in chosen
    ]


def _spec(
    rotation: Rotation,
    tz: str,
    versions: Iterable[RotationVersion],
    overrides: Iterable[Override],
    swaps: Iterable[Swap],
    exceptions: dict[date, bool],
) -> RotationSpec:
    return RotationSpec(
        id=rotation.id,
        timezone=tz,
        key=rotation.key,
        name=rotation.name,
        kind=rotation.kind,
        versions=tuple(version_spec(v) for v in versions),
        overrides=tuple(
            OverrideSpec(id=o.id, start=o.start_at, end=override_end(o), member_id=o.member_id)
            for o in overrides
        ),
        swaps=tuple(
            SwapSpec(
                id=s.id,
                member_a=s.member_a_id,
                date_a=s.date_a,
                member_b=s.member_b_id,
                date_b=s.date_b,
                applies_from=s.created_at,
                applies_until=s.cancelled_at,
            )
            for s in swaps
        ),
        exceptions=exceptions,
    )


def override_end(o: Override) -> datetime:
    if o.cancelled_at is None:
        return o.end_at
    return min(o.end_at, max(o.cancelled_at, o.start_at))


def version_day(team: Team, version: VersionSpec) -> date:
    """The duty day a version takes effect on."""
    return duty_date_at(version.effective_at, version.handoff, team.timezone)


def version_spec(v: RotationVersion) -> VersionSpec:
    """The pure view of a stored version."""
    return VersionSpec(
        effective_at=v.effective_at,
        member_ids=tuple(int(m) for m in v.member_ids),
        anchor_date=v.anchor_date,
        anchor_index=v.anchor_index,
        turn_days=v.turn_days,
        people_per_turn=v.people_per_turn,
        handoff=parse_hhmm(v.handoff_time),
        calendar=v.calendar,
    )


def members_by_id(
    session: Session, ids: Iterable[int | None], *, identities: bool = False
) -> dict[int, Member]:
    """``team_service.members_by_id``, served from a batch's preloaded members when present."""
    wanted = {i for i in ids if i is not None}
    loaded: dict[int, Member] | None = preload.get(session, PRELOAD_MEMBERS)
    if loaded is None:
        return team_service.members_by_id(session, wanted, identities=identities)
    found = {i: loaded[i] for i in wanted if i in loaded}
    missing = wanted - found.keys()
    if not missing:
        return found
    return found | team_service.members_by_id(session, missing, identities=identities)


# -- who is on duty ----------------------------------------------------------------------------


@dataclass
class RotationDuty:
    """One rotation's people at one instant."""

    rotation: Rotation
    member_ids: tuple[int, ...]
    duty_date: date | None
    members: list[Member] = field(default_factory=list)
    handoff: time | None = None  # of the version in force (None: no version, nobody)


def _people_now(
    session: Session, *, team: Team, at: datetime, rotation_kind: str | None = None
) -> list[RotationDuty]:
    """Each rotation's people at ``at`` (members not loaded).

    One query when the compiled rotations cached in this process are current (see
    :mod:`teamassist.duty.revision`); the specs are loaded only for rotations that changed.
    """
    at = ensure_utc(at)
    chosen = [
        (r, rev)
        for r, rev in revision.rotations_with_revisions(session, team_id=team.id)
        if rotation_kind is None or r.kind == rotation_kind or r.key == rotation_kind
    ]
    compiled_all = revision.compiled_rotations(
        session,
        timezone=team.timezone,
        chosen=chosen,
        load=lambda only: load_specs(session, team=team, only=only),
    )
    result: list[RotationDuty] = []
    for (rotation, _), compiled in zip(chosen, compiled_all, strict=True):
        version = compiled.version_at(at)
        day = duty_date_at(at, version.handoff, team.timezone) if version else None
        result.append(
            RotationDuty(
                rotation, compiled.people_at(at), day, handoff=version.handoff if version else None
            )
        )
    return result


def on_duty(
    session: Session,
    *,
    team: Team,
    at: datetime,
    rotation_kind: str | None = None,
    identities: bool = False,
) -> list[RotationDuty]:
    """Each rotation's people at ``at`` (primary first), with members loaded; someone who had
    left by ``at`` is not among ``members`` (their ids stay in ``member_ids``). ``identities``:
    their platform identities too, in the same statement (a reply that mentions them)."""
    at = ensure_utc(at)
    result = _people_now(session, team=team, at=at, rotation_kind=rotation_kind)
    people = members_by_id(
        session, (m for r in result for m in r.member_ids), identities=identities
    )
    for entry in result:
        handoff = entry.handoff
        entry.members = [
            people[m]
            for m in entry.member_ids
            if m in people
            and handoff is not None
            and not _gone(people[m], at, handoff, team.timezone)
        ]
    return result


def leaves_duty_at(member: Member, handoff: time, tz: str) -> datetime | None:
    """When ``member`` stops being on duty (None: staying): the one rule of every duty view,
    the notices and the roster change a departure makes. Leaving on D means the last duty day
    is D-1, handed over at D's hand-off; deactivated now, at once (a tester's feedback was
    routed to someone deactivated an hour before, with "我已经通知…" they could never act on).
    ``/今日值班`` once dropped a leaver at 00:00 on D while the roster kept them on D-1's
    night shift until 03:00."""
    return departure(member.active, member.deactivated_at, handoff, tz)


def departure(
    active: bool, deactivated_at: datetime | None, handoff: time, tz: str
) -> datetime | None:
    """:func:`leaves_duty_at` from the two columns it reads (a read of rows, not members)."""
    if deactivated_at is None:
        return None if active else datetime.min.replace(tzinfo=UTC)
    left = ensure_utc(deactivated_at)
    return max(left, day_start(local(left, tz).date(), handoff, tz))


def _gone(member: Member, at: datetime, handoff: time, tz: str) -> bool:
    left = leaves_duty_at(member, handoff, tz)
    return left is not None and left <= at


def on_duty_members(
    session: Session,
    *,
    team: Team,
    at: datetime,
    rotation_kind: str | None = None,
    identities: bool = False,
) -> list[Member]:
    """Members on duty at ``at`` (primary first). rotation_kind "tech" | "product" | None = all;
    ``identities`` as for :func:`on_duty`."""
    fast = on_duty_now.members(
        session,
        team_id=team.id,
        timezone=team.timezone,
        at=at,
        rotation_kind=rotation_kind,
        identities=identities,
        gone=_gone,
    )
    if fast is not None:
        return fast
    seen: set[int] = set()
    members: list[Member] = []
    for entry in on_duty(
        session, team=team, at=at, rotation_kind=rotation_kind, identities=identities
    ):
        for member in entry.members:
            if member.id not in seen:
                seen.add(member.id)
                members.append(member)
    return members


def is_on_duty(session: Session, team: Team, member: Member, at: datetime) -> bool:
    """Whether ``member`` is on ``team``'s roster for the duty day of ``at`` (the seed's "on
    today's roster"): some piece of the day's final schedule, in any rotation. Someone swapped
    out at noon still handles the morning's feedback; someone covering tonight already can."""
    at = ensure_utc(at)
    chosen = revision.rotations_with_revisions(session, team_id=team.id)
    compiled_all = revision.compiled_rotations(
        session,
        timezone=team.timezone,
        chosen=chosen,
        load=lambda only: load_specs(session, team=team, only=only),
    )
    for compiled in compiled_all:
        version = compiled.version_at(at)
        if version is None:
            continue
        day = duty_date_at(at, version.handoff, team.timezone)
        if any(member.id in piece.member_ids for piece in compiled.day_shifts(day)):
            return True
    return False


def schedule(
    session: Session,
    *,
    team: Team,
    start: datetime,
    end: datetime,
    now: datetime,
    only: Sequence[Rotation] | None = None,
) -> list[tuple[Rotation, list[Shift]]]:
    """The final schedule of every rotation of ``team`` (or ``only`` these) in [start, end), as
    :func:`on_duty` sees it (see :func:`present`)."""
    chosen = list(only) if only is not None else rotations(session, team=team)
    specs = load_specs(session, team=team, only=chosen)
    found = [
        (rotation, CompiledRotation(spec).shifts(ensure_utc(start), ensure_utc(end)))
        for rotation, spec in zip(chosen, specs, strict=True)
    ]
    people = members_by_id(
        session, (m for _r, shifts in found for s in shifts for m in s.member_ids)
    )
    return [
        (rotation, present(shifts, people, now, _handoff_of(spec), team.timezone))
        for (rotation, shifts), spec in zip(found, specs, strict=True)
    ]


def _handoff_of(spec: RotationSpec) -> time:
    return spec.versions[-1].handoff if spec.versions else parse_hhmm(DEFAULT_HANDOFF)


def present(
    shifts: Iterable[Shift], people: Mapping[int, Member], now: datetime, handoff: time, tz: str
) -> list[Shift]:
    """``shifts`` without the people who had left by then (:func:`leaves_duty_at`), so the
    schedule views agree with :func:`on_duty`: a tester saw someone deactivated an hour before
    still on today's shift in ``/查看值班表`` while ``/今日值班`` said nobody. The piece running
    at ``now`` is judged at ``now``; any other at its start, so a past day keeps who was on
    duty then and a later one drops whoever will have left."""
    now = ensure_utc(now)
    result: list[Shift] = []
    for shift in shifts:
        at = now if shift.start <= now < shift.end else shift.start
        kept = tuple(
            m for m in shift.member_ids if m not in people or not _gone(people[m], at, handoff, tz)
        )
        result.append(shift if kept == shift.member_ids else replace(shift, member_ids=kept))
    return result


@dataclass
class DutyDay:
    """One rotation's final schedule of one duty day (empty pieces: a day off)."""

    rotation: Rotation
    pieces: list[Shift]
    day: date | None = None

    def holders_from(self, at: datetime) -> set[int]:
        """Who holds some of the day from ``at`` on."""
        return {m for p in self.pieces if p.end > at for m in p.member_ids}

    @property
    def people(self) -> tuple[int, ...]:
        """Everyone holding some of the day, longest-held first."""
        return day_people(self.pieces)

    @property
    def main(self) -> tuple[int, ...]:
        """The people holding most of the day (primary first)."""
        return main_people(self.pieces)


def duty_day(session: Session, *, team: Team, day: date) -> list[DutyDay]:
    """The final schedule of duty day ``day`` for every rotation of ``team``.

    The one source of truth for "who is on duty on day D": notices, views and feeds derive
    from it (or from :meth:`CompiledRotation.shifts`, which it is cut from), never from a
    couple of instants around the hand-off.
    """
    chosen = revision.rotations_with_revisions(session, team_id=team.id)
    compiled_all = revision.compiled_rotations(
        session,
        timezone=team.timezone,
        chosen=chosen,
        load=lambda only: load_specs(session, team=team, only=only),
    )
    return [
        DutyDay(rotation, compiled.day_shifts(day), day)
        for (rotation, _), compiled in zip(chosen, compiled_all, strict=True)
    ]


def duty_days_at(
    session: Session, *, team: Team, at: datetime, only: Sequence[Rotation] | None = None
) -> list[DutyDay]:
    """Each rotation's current duty day at ``at`` (by its own hand-off) and its final schedule.

    All the team's rotations come from the compiled rotations this process keeps while their
    revision holds (:mod:`teamassist.duty.revision`), as "who is on duty" does: /值班签到 and
    /值班签出 read four tables of specs per call without it."""
    at = ensure_utc(at)
    chosen: list[Rotation]
    compiled_all: Sequence[CompiledRotation]
    if only is None:
        with_revisions = revision.rotations_with_revisions(session, team_id=team.id)
        chosen = [rotation for rotation, _ in with_revisions]
        compiled_all = revision.compiled_rotations(
            session,
            timezone=team.timezone,
            chosen=with_revisions,
            load=lambda wanted: load_specs(session, team=team, only=wanted),
        )
    else:
        chosen = list(only)
        compiled_all = [CompiledRotation(s) for s in load_specs(session, team=team, only=chosen)]
    result: list[DutyDay] = []
    for rotation, compiled in zip(chosen, compiled_all, strict=True):
        spec = compiled.spec
        version = compiled.version_at(at) or (spec.versions[0] if spec.versions else None)
        if version is None:
            result.append(DutyDay(rotation, []))
            continue
        day = duty_date_at(at, version.handoff, team.timezone)
        result.append(DutyDay(rotation, compiled.day_shifts(day), day))
    return result


def today(team: Team, now: datetime, handoff: str = DEFAULT_HANDOFF) -> date:
    """The team's current duty day for a hand-off time (03:00 by default)."""
    return duty_date_at(ensure_utc(now), parse_hhmm(handoff), team.timezone)


def days_window(
    team: Team, first: date, days: int, handoff: str = DEFAULT_HANDOFF
) -> tuple[datetime, datetime]:
    """[start, end) covering duty days ``first`` .. ``first + days - 1``."""
    clock = parse_hhmm(handoff)
    return (
        day_start(first, clock, team.timezone),
        day_start(first + timedelta(days=days), clock, team.timezone),
    )


# -- rotations and versions --------------------------------------------------------------------


def create_rotation(
    session: Session,
    *,
    team: Team,
    key: str,
    name: str,
    kind: str = KIND_CUSTOM,
    members: Sequence[Member] = (),
    start_date: date,
    now: datetime,
    turn_days: int = 1,
    people_per_turn: int = 1,
    handoff_time: str = DEFAULT_HANDOFF,
    calendar: str = CalendarMode.ALL,
    by: Member | None = None,
) -> Rotation:
    """Create a rotation whose first turn starts at ``start_date``'s hand-off. Its name is
    one line (:func:`~teamassist.team.names.one_line`: a name with line breaks printed fake
    roster lines, tester s27 A-9); DomainError ``duty.error.rotation_name_empty`` when it
    shows nothing."""
    name = one_line(name)
    if not clean_text(name):
        raise DomainError("duty.error.rotation_name_empty")
    check_params(turn_days, people_per_turn, handoff_time, calendar)
    if kind not in KINDS:
        raise DomainError("duty.error.bad_kind", kind=kind)
    existing = rotations(session, team=team)
    # name the rotation that clashes, not the new one (「轮值「技术2」已经存在」 for a key
    # taken by 技术, tester s26 A-5)
    for other in existing:
        if other.name == name:
            raise Conflict("duty.error.rotation_exists", name=name)
        if other.key.casefold() == key.casefold():
            raise Conflict("duty.error.rotation_key_taken", taken=key, other=other.name)
    if start_date < today(team, now, handoff_time):
        raise DomainError("duty.error.past_date", date=start_date.isoformat())
    _check_distinct(members)
    for member in members:
        require_not_leaving(member, team)
    rotation = Rotation(
        team_id=team.id, key=key, name=name, kind=kind, position=len(existing), created_at=now
    )
    session.add(rotation)
    session.flush()
    effective = max(ensure_utc(now), day_start(start_date, parse_hhmm(handoff_time), team.timezone))
    session.add(
        RotationVersion(
            rotation_id=rotation.id,
            effective_at=effective,
            member_ids=[m.id for m in members],
            anchor_date=start_date,
            anchor_index=0,
            turn_days=turn_days,
            people_per_turn=people_per_turn,
            handoff_time=handoff_time,
            calendar=str(calendar),
            change="create",
            created_by_id=by.id if by else None,
            created_at=now,
        )
    )
    session.flush()
    return rotation


def _check_distinct(members: Sequence[Member]) -> None:
    seen: set[int] = set()
    for m in members:
        if m.id in seen:
            raise DomainError("duty.error.duplicate_member", name=m.display_name)
        seen.add(m.id)


def versions(session: Session, *, rotation: Rotation) -> list[RotationVersion]:
    """Every version of the rotation, oldest first (the rotation's history), re-read (a row
    already loaded is refreshed: another writer may have withdrawn it since, and the roster
    changes read this after :func:`lock_rotation`)."""
    return list(
        session.scalars(
            select(RotationVersion)
            .where(RotationVersion.rotation_id == rotation.id)
            .order_by(RotationVersion.effective_at, RotationVersion.id)
            .execution_options(populate_existing=True)
        )
    )


# -- roster changes (each one a new version effective from a moment, never the past) ----------


@dataclass
class Preview:
    """The next weeks before and after a change, and who is affected."""

    effective_at: datetime
    before: list[Shift]
    after: list[Shift]
    moved_member_ids: list[int]
    new_version: VersionSpec
    # Shift swaps the change breaks (the people no longer hold the traded shifts); they stop
    # applying by themselves, and the admin is told.
    broken_swaps: list[SwapSpec] = field(default_factory=list)
    # Members an "add" named who were in the rotation already (the others were added).
    skipped_member_ids: list[int] = field(default_factory=list)
    # Changes already scheduled after this one, replayed on top of it (stored row, new version).
    rebased: list[tuple[RotationVersion, VersionSpec]] = field(default_factory=list)


def current_spec(session: Session, team: Team, rotation: Rotation) -> RotationSpec:
    return load_specs(session, team=team, only=[rotation])[0]


def lock_rotation(session: Session, rotation: Rotation) -> Rotation:
    """Lock ``rotation``'s row until the transaction ends and re-read it, before a change of
    its roster checks the versions (tester s25 F-13: 20 `/值班人员增加 @dan` at once on
    PostgreSQL wrote 18 versions, each having checked 「已经在轮值里」 against what it had read,
    none seeing the others' uncommitted one). The next writer waits for the first to commit;
    under READ COMMITTED its reads then see that version and refuse. ``populate_existing``:
    the row may already be loaded, and a locked read does not refresh it otherwise."""
    locked = session.scalars(
        select(Rotation)
        .where(Rotation.id == rotation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return locked


def pending_versions(
    session: Session, *, rotation: Rotation, after: datetime
) -> list[RotationVersion]:
    """Changes of the rotation not withdrawn that take effect after ``after``, oldest first."""
    return [
        v
        for v in versions(session, rotation=rotation)
        if v.cancelled_at is None and v.effective_at > ensure_utc(after)
    ]


@dataclass
class _Plan:
    spec: RotationSpec  # the rotation as stored (pending changes included)
    new: VersionSpec
    change: RosterChange  # as applied (an add without the people already in)
    skipped: list[int]
    rebased: list[tuple[RotationVersion, VersionSpec]]


def change_member_ids(row: RotationVersion) -> list[int]:
    """The people a stored roster change names (its ``note``: member ids, comma-separated)."""
    return [int(i) for i in (row.note or "").split(",") if i.strip()]


def _replay(row: RotationVersion, previous: VersionSpec, tz: str) -> RosterChange:
    """A stored (pending) change as a change to apply again: its action and people, or for a
    rule change only the rules it changed."""
    version = version_spec(row)
    day = duty_date_at(version.effective_at, version.handoff, tz)
    ids = tuple(change_member_ids(row))

    def differs(name: str) -> Any:
        value = getattr(version, name)
        return value if value != getattr(previous, name) else None

    handoff = differs("handoff")
    return RosterChange(
        row.change,
        member_ids=ids,
        effective_date=day,
        turn_days=differs("turn_days"),
        people_per_turn=differs("people_per_turn"),
        handoff_time=handoff.strftime("%H:%M") if handoff is not None else None,
        calendar=differs("calendar"),
    )


def _plan(
    session: Session, *, team: Team, rotation: Rotation, change: RosterChange, now: datetime
) -> _Plan:
    """Validate ``change`` and compute the versions it would append (nothing is written).

    A change effective before a pending (future) change goes in before it, and the pending one
    is replayed on top of the new version (its action and people, at its date); when it no
    longer applies (it adds someone just added), the change is refused naming it, and the admin
    can withdraw it (/撤销排班变更).
    """
    now = ensure_utc(now)
    spec = current_spec(session, team, rotation)

    def plan(base: RotationSpec, wanted: RosterChange) -> VersionSpec:
        return plan_change(
            base, wanted, now, rotation_name=rotation.name, names=lambda ids: _names(session, ids)
        )

    effective = effective_moment(spec, change, now) if spec.versions else now
    pending = pending_versions(session, rotation=rotation, after=effective)
    if any(v.change == "create" for v in pending):
        pending = []  # the rotation itself starts later: nothing to go before
    cut = len(spec.versions) - len(pending)
    base = replace(spec, versions=spec.versions[:cut])
    skipped: list[int] = []
    if change.action == ACTION_ADD:
        for member in members_by_id(session, change.member_ids).values():
            require_not_leaving(member, team)
        # against every version, the pending ones too (the base below may leave them out)
        refuse_pending_joins(
            spec,
            change.member_ids,
            now,
            rotation_name=rotation.name,
            names=lambda ids: _names(session, ids),
        )
    if change.action == ACTION_ADD and base.versions:
        present = set(base.versions[-1].member_ids)
        skipped = [m for m in change.member_ids if m in present]
        if skipped and len(skipped) < len(change.member_ids):
            change = replace(
                change, member_ids=tuple(m for m in change.member_ids if m not in present)
            )
        else:
            skipped = []  # all of them already in: plan_change refuses, naming the first
    new = plan(base, change)
    work = replace(base, versions=(*base.versions, new))
    rebased: list[tuple[RotationVersion, VersionSpec]] = []
    for row in pending:
        redo = _replay(row, work.versions[-1], team.timezone)
        try:
            version = plan(work, redo)
        except DomainError as exc:
            raise Conflict(
                "duty.error.pending_blocks",
                rotation=rotation.name,
                date=redo.effective_date.isoformat() if redo.effective_date else "",
                change=t(f"duty.change.{row.change}"),
                reason=exc.message(),
            ) from exc
        rebased.append((row, version))
        work = replace(work, versions=(*work.versions, version))
    return _Plan(spec, new, change, skipped, rebased)


def _names(session: Session, ids: Sequence[int]) -> dict[str, str]:
    people = members_by_id(session, ids)
    return {"name": "、".join(people[i].display_name if i in people else str(i) for i in ids)}


def preview_change(
    session: Session,
    *,
    team: Team,
    rotation: Rotation,
    change: RosterChange,
    now: datetime,
    weeks: int = 4,
) -> Preview:
    """The next ``weeks`` weeks before and after ``change`` and the people whose shifts move."""
    planned = _plan(session, team=team, rotation=rotation, change=change, now=now)
    spec, new_version = planned.spec, planned.new
    kept = spec.versions[: len(spec.versions) - len(planned.rebased)]
    after_spec = replace(spec, versions=(*kept, new_version, *(v for _row, v in planned.rebased)))
    start = new_version.effective_at
    end = start + timedelta(weeks=weeks)
    compiled_before, compiled_after = CompiledRotation(spec), CompiledRotation(after_spec)
    before = compiled_before.shifts(start, end)
    after = compiled_after.shifts(start, end)
    already = {s.id for s in compiled_before.broken_swaps(start)}
    return Preview(
        effective_at=start,
        before=before,
        after=after,
        moved_member_ids=moved_members(before, after),
        new_version=new_version,
        broken_swaps=[s for s in compiled_after.broken_swaps(start) if s.id not in already],
        skipped_member_ids=planned.skipped,
        rebased=planned.rebased,
    )


def moved_members(before: Sequence[Shift], after: Sequence[Shift]) -> list[int]:
    """Members whose set of (duty date, role) differs between two schedules, in first-seen order."""

    def duties(shifts: Sequence[Shift]) -> dict[int, set[tuple[date, int]]]:
        found: dict[int, set[tuple[date, int]]] = defaultdict(set)
        for shift in shifts:
            for index, member_id in enumerate(shift.member_ids):
                found[member_id].add((shift.duty_date, min(index, 1)))
        return found

    old, new = duties(before), duties(after)
    order: list[int] = []
    for shift in [*before, *after]:
        for member_id in shift.member_ids:
            if member_id not in order and old.get(member_id, set()) != new.get(member_id, set()):
                order.append(member_id)
    return order


def change_roster(
    session: Session,
    *,
    team: Team,
    rotation: Rotation,
    change: RosterChange,
    now: datetime,
    by: Member | None = None,
) -> Preview:
    """Apply ``change`` as a new version; returns the preview (with who moved) it was based on.
    The rotation's row is locked first (:func:`lock_rotation`), so the checks read what a
    change made at the same time committed."""
    lock_rotation(session, rotation)
    preview = preview_change(session, team=team, rotation=rotation, change=change, now=now)
    version = preview.new_version
    skipped = set(preview.skipped_member_ids)
    ids = [m for m in change.member_ids if m not in skipped]
    session.add(
        _version_row(rotation, version, change.action, ids, by_id=by.id if by else None, now=now)
    )
    # Pending changes move on top of this one: the old rows are withdrawn, their replay added
    # (same action, people and author), so the history shows both.
    for row, rebased in preview.rebased:
        row.cancelled_at = ensure_utc(now)
        ids = change_member_ids(row)
        session.add(
            _version_row(rotation, rebased, row.change, ids, by_id=row.created_by_id, now=now)
        )
    session.flush()
    cancel_broken_swaps(session, swaps=preview.broken_swaps, at=version.effective_at)
    return preview


def _version_row(
    rotation: Rotation,
    version: VersionSpec,
    action: str,
    ids: Sequence[int],
    *,
    by_id: int | None,
    now: datetime,
) -> RotationVersion:
    return RotationVersion(
        rotation_id=rotation.id,
        effective_at=version.effective_at,
        member_ids=list(version.member_ids),
        anchor_date=version.anchor_date,
        anchor_index=version.anchor_index,
        turn_days=version.turn_days,
        people_per_turn=version.people_per_turn,
        handoff_time=version.handoff.strftime("%H:%M"),
        calendar=version.calendar,
        change=action,
        note=",".join(str(m) for m in ids),
        created_by_id=by_id,
        created_at=ensure_utc(now),
    )


def cancel_broken_swaps(session: Session, *, swaps: Iterable[SwapSpec], at: datetime) -> None:
    """End swaps whose people no longer hold the traded shifts, from ``at`` on (what already
    happened under them stays in the history)."""
    for spec in swaps:
        row = session.get(Swap, spec.id)
        if row is not None and row.cancelled_at is None:
            row.cancelled_at = max(at, row.created_at)
    session.flush()


@dataclass
class Withdrawn:
    """A pending change withdrawn, and the shift swaps that went with it."""

    version: RotationVersion
    # Shift swaps made on the roster with it whose people no longer hold the traded shifts
    # without it: cancelled from now, as a roster change cancels the swaps it breaks.
    broken_swaps: list[SwapSpec] = field(default_factory=list)


def cancel_version(
    session: Session, *, rotation: Rotation, version_id: int, now: datetime
) -> Withdrawn:
    """Withdraw a change that has not taken effect yet. A shift swap made after it, on the
    roster it planned, stands when its people still hold the traded shifts without it, and is
    cancelled from now otherwise (``Withdrawn.broken_swaps``; the caller tells its people): it
    once stopped applying with nobody told (session 17 tester)."""
    now = ensure_utc(now)
    version = session.get(RotationVersion, version_id)
    if version is None or version.rotation_id != rotation.id or version.cancelled_at is not None:
        raise NotFound("duty.error.no_version", id=version_id)
    if version.effective_at <= ensure_utc(now) or version.change == "create":
        raise Conflict("duty.error.version_started", id=version_id)
    team = session.get(Team, rotation.team_id)
    if team is None:  # never: a rotation goes with its team
        raise NotFound("duty.error.no_version", id=version_id)
    if version.change == ACTION_LEAVE:
        # A departure's removal: withdrawn alone it put the person back on duty after their
        # leaving day, where every view leaves them out (an empty day). /启用成员 withdraws it
        # with the departure.
        leaver = session.get(Member, int(version.note)) if (version.note or "").isdigit() else None
        raise Conflict(
            "duty.error.leave_version",
            id=version_id,
            name=leaver.display_name if leaver is not None else "?",
            date=local(version.effective_at, team.timezone).date().isoformat(),
        )
    already = {
        s.id for s in CompiledRotation(current_spec(session, team, rotation)).broken_swaps(now)
    }
    # The changes after it are replayed without it (a withdrawn addition left its person in
    # every version written after it).
    withdraw_and_replay(
        session, team=team, rotation=rotation, version=version, now=now, strict=True
    )
    after = CompiledRotation(current_spec(session, team, rotation)).broken_swaps(now)
    broken = [s for s in after if s.id not in already]
    cancel_broken_swaps(session, swaps=broken, at=now)
    return Withdrawn(version, broken)


def withdraw_and_replay(
    session: Session,
    *,
    team: Team,
    rotation: Rotation,
    version: RotationVersion,
    now: datetime,
    strict: bool = False,
    keep_swaps: bool = False,
    instead: RosterChange | None = None,
) -> bool:
    """Withdraw the pending ``version`` and replay the changes pending after it on what is
    left (each is withdrawn and written again, as :func:`change_roster` rebases): a version
    stores the whole member list, so a removal made after a departure's would otherwise keep
    the departed person out, and a withdrawn addition would stay in from the next change on.
    When a later change no longer applies without ``version`` (it adds the person back, say)
    nothing is written: False, or with ``strict`` Conflict ``duty.error.pending_blocks``
    naming it. With ``keep_swaps`` nothing is written either (False) when the roster without
    ``version`` would break a swap in force: one made meanwhile was planned on the roster
    with it, and its people keep what they agreed. ``instead`` is planned in its place, in its
    maker's name, before the later ones are replayed (a departure's add without the leaver:
    withdrawn first, a later removal of another leaver of the same add no longer applied, and
    the second departure was refused, session 17). Returns whether it was withdrawn."""
    now = ensure_utc(now)
    pending = pending_versions(session, rotation=rotation, after=now)
    if version not in pending or version.change == "create":
        return False
    later = [v for v in pending if (v.effective_at, v.id) > (version.effective_at, version.id)]
    spec = current_spec(session, team, rotation)
    gone = {version.id, *(v.id for v in later)}
    kept = [v for v in versions(session, rotation=rotation) if v.cancelled_at is None]
    work = replace(spec, versions=tuple(version_spec(v) for v in kept if v.id not in gone))
    replaced = None
    if instead is not None:
        replaced = plan_change(
            work, instead, now, rotation_name=rotation.name, names=lambda ids: _names(session, ids)
        )
        work = replace(work, versions=(*work.versions, replaced))
    replayed: list[tuple[RotationVersion, VersionSpec]] = []
    for row in later:
        try:
            again = plan_change(
                work,
                _replay(row, work.versions[-1], team.timezone),
                now,
                rotation_name=rotation.name,
                names=lambda ids: _names(session, ids),
            )
        except DomainError as exc:
            if not strict:
                return False
            raise Conflict(
                "duty.error.pending_blocks",
                rotation=rotation.name,
                date=version_day(team, version_spec(row)).isoformat(),
                change=t(f"duty.change.{row.change}"),
                reason=exc.message(),
            ) from exc
        replayed.append((row, again))
        work = replace(work, versions=(*work.versions, again))
    if keep_swaps:
        already = {s.id for s in CompiledRotation(spec).broken_swaps(now)}
        if any(s.id not in already for s in CompiledRotation(work).broken_swaps(now)):
            return False
    version.cancelled_at = now
    if instead is not None and replaced is not None:
        session.add(
            _version_row(
                rotation,
                replaced,
                instead.action,
                instead.member_ids,
                by_id=version.created_by_id,
                now=now,
            )
        )
    for row, again in replayed:
        row.cancelled_at = now
        ids = change_member_ids(row)
        session.add(
            _version_row(rotation, again, row.change, ids, by_id=row.created_by_id, now=now)
        )
    session.flush()
    return True


def require_not_leaving(member: Member, team: Team) -> None:
    """Refuse someone inactive, or set to leave, as a new member of a rotation: joining is
    open-ended, so it would put them on duty past their leaving day, which the departure had
    just planned them out of (a cover is the way to give them days before it). Conflict
    ``people.error.inactive`` / ``merged``, or ``duty.error.leaving_add`` naming the day."""
    team_service.require_active(member)
    if member.deactivated_at is not None:
        day = local(member.deactivated_at, team.timezone).date().isoformat()
        raise Conflict("duty.error.leaving_add", name=member.display_name, date=day)


def team_member_ids(session: Session, *, team: Team) -> set[int]:
    """Ids of the team's members."""
    return {m.id for m, _role in team_service.team_members(session, team=team)}


def in_team(session: Session, team: Team, member: Member) -> bool:
    """Whether ``member`` is one of ``team``'s people."""
    return member.id in team_member_ids(session, team=team)


def require_team_member(session: Session, team: Team, member: Member) -> None:
    """Refuse someone who is not in ``team``."""
    check_team_members(session, team=team, members=[member])


def check_team_members(session: Session, *, team: Team, members: Sequence[Member]) -> None:
    """Refuse people who are not in ``team`` (one merged into another record is told so: their
    memberships moved to the record they were merged into)."""
    known = team_member_ids(session, team=team)
    for member in members:
        if member.id not in known:
            if member.merged_into_id is not None:
                team_service.require_active(member)
            raise NotFound("duty.error.not_in_team", name=member.display_name)


def rotation_handoff(session: Session, team: Team, rotation: Rotation) -> str:
    """The hand-off time of the rotation's newest version ("HH:MM")."""
    spec = current_spec(session, team, rotation)
    return spec.versions[-1].handoff.strftime("%H:%M") if spec.versions else DEFAULT_HANDOFF


# -- the roster view -------------------------------------------------------------------------


def roster(session: Session, *, team: Team, first: date, days: int, now: datetime) -> RosterView:
    """Every rotation's shifts for duty days ``first`` .. ``first + days - 1``, without the
    people who had left by then (:func:`present`)."""
    chosen = rotations(session, team=team)
    specs = load_specs(session, team=team, only=chosen)
    # A day of margin on each side: rotations may hand off at different local times.
    start, end = days_window(team, first - timedelta(days=1), days + 2)
    last = first + timedelta(days=days - 1)
    per_rotation: list[tuple[Rotation, dict[date, list[Shift]]]] = []
    warnings: list[tuple[Rotation, int]] = []
    ids: set[int] = set()
    for rotation, spec in zip(chosen, specs, strict=True):
        compiled = CompiledRotation(spec)
        by_day: dict[date, list[Shift]] = defaultdict(list)
        for shift in compiled.shifts(start, end):
            if first <= shift.duty_date <= last:
                by_day[shift.duty_date].append(shift)
                ids.update(shift.member_ids)
        per_rotation.append((rotation, by_day))
        for mode in sorted({v.calendar for v in spec.versions}):
            for year in WorkCalendar(mode, spec.exceptions).unknown_years(first, last):
                if (rotation, year) not in warnings:
                    warnings.append((rotation, year))
    people = members_by_id(session, ids)
    tz = team.timezone
    per_rotation = [
        (
            rotation,
            {
                day: present(pieces, people, now, _handoff_of(spec), tz)
                for day, pieces in by_day.items()
            },
        )
        for (rotation, by_day), spec in zip(per_rotation, specs, strict=True)
    ]
    rows = [
        RosterDay(
            first + timedelta(days=i),
            [
                (rotation, by_day.get(first + timedelta(days=i), []))
                for rotation, by_day in per_rotation
            ],
        )
        for i in range(days)
    ]
    empty = {
        rotation.id
        for rotation, spec in zip(chosen, specs, strict=True)
        if not spec.versions or not spec.versions[-1].member_ids
    }
    return RosterView(rows, people, warnings, empty)
