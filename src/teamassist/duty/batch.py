"""What a batch of the duty jobs reads, loaded once for all its teams (see teamassist.preload).

A few set queries for a batch of hundreds of teams, instead of a dozen per team: rotations,
their specs (versions, overrides, swaps, calendar exceptions), the people a job names with
their platform identities, the sign-ins of the days around now, and the teams' channels.
Each job loads only what its runs read (:func:`preparer`): the good-night notice needs the
channels alone, the calendar check the specs alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from teamassist import preload
from teamassist.chat.notify import PRELOAD_CHANNELS, LoadedChannels
from teamassist.clock import local
from teamassist.duty import revision, service
from teamassist.duty.models import Rotation, SignIn
from teamassist.duty.rotation import CompiledRotation, RotationSpec, duty_date_at
from teamassist.duty.signin import PRELOAD_SIGN_INS, LoadedSignIns
from teamassist.enums import ChannelPurpose
from teamassist.scheduler.registry import Prepare
from teamassist.team.models import Channel, Member, Team


def preparer(
    *,
    rotations: bool = True,
    people: tuple[int, int] | None = None,
    sign_ins: bool = False,
    channels: tuple[ChannelPurpose, ...] | None = (),
) -> Prepare:
    """A ``prepare`` hook loading what one job's runs read.

    ``people=(first, last)``: the members on the final schedules of the duty days ``first`` ..
    ``last`` (offsets from today, by the team's calendar date and by its duty date at the
    batch's time), with their identities; ``None`` loads nobody. Only those, not everyone in
    the rotations: a run that names someone else (a catch-up across midnight) looks them up
    itself. ``sign_ins``: the sign-in rows of the days around now (and their members).
    ``channels``: the enabled channels with these purposes (``()``: none; None: all).
    """

    def prepare(session: Session, teams: Sequence[Team], now: datetime) -> None:
        if not teams:
            return
        compiled = _rotations(session, teams) if rotations or people is not None else {}
        wanted: set[int] = set()
        if people is not None:
            wanted |= _people_on(compiled, teams, now, people)
        if sign_ins:
            wanted |= _sign_ins(
                session, teams, now, [r for pairs in compiled.values() for r, _ in pairs]
            )
        if people is not None or sign_ins:
            _members(session, wanted)
        if channels != ():
            _channels(session, teams, channels)

    return prepare


def _rotations(
    session: Session, teams: Sequence[Team]
) -> dict[int, list[tuple[Rotation, CompiledRotation]]]:
    """Preload the teams' live rotations and specs; return each team's compiled rotations."""
    by_id = {team.id: team for team in teams}
    rotations: dict[int, list[Rotation]] = {team_id: [] for team_id in by_id}
    for rotation in session.scalars(
        select(Rotation)
        .where(Rotation.team_id.in_(list(by_id)), Rotation.archived_at.is_(None))
        .order_by(Rotation.position, Rotation.id)
    ):
        rotations[rotation.team_id].append(rotation)
    chosen = [(r, by_id[team_id].timezone) for team_id, rs in rotations.items() for r in rs]
    # Specs are read only for rotations this process has not compiled at their current
    # revision: a tick's later jobs (and the reminder hour's later slots) read none.
    cache = revision.usable_cache(session)
    cached = [
        hit.spec
        for r, tz in chosen
        if cache is not None and (hit := cache.get(r.id, int(r.revision), tz)) is not None
    ]
    known = {spec.id for spec in cached}
    specs = cached + service.specs_of(session, [(r, tz) for r, tz in chosen if r.id not in known])
    by_rotation: dict[int, RotationSpec] = {spec.id: spec for spec in specs}
    preload.put(session, revision.PRELOAD_ROTATIONS, rotations)
    preload.put(session, revision.PRELOAD_SPECS, by_rotation)
    # Compiled (and cached) once here, as the runs would: the window below reads them.
    result: dict[int, list[tuple[Rotation, CompiledRotation]]] = {}
    for team_id, rs in rotations.items():
        compiled = revision.compiled_rotations(
            session,
            timezone=by_id[team_id].timezone,
            chosen=[(r, int(r.revision)) for r in rs],
            load=lambda only: [by_rotation[r.id] for r in only],
        )
        result[team_id] = list(zip(rs, compiled, strict=True))
    return result


def _people_on(
    compiled: dict[int, list[tuple[Rotation, CompiledRotation]]],
    teams: Sequence[Team],
    now: datetime,
    offsets: tuple[int, int],
) -> set[int]:
    """Member ids on the final schedules of the duty days ``offsets`` around now."""
    first, last = offsets
    wanted: set[int] = set()
    for team in teams:
        today = local(now, team.timezone).date()
        for _, rotation in compiled.get(team.id, []):
            version = rotation.version_at(now) or (
                rotation.spec.versions[0] if rotation.spec.versions else None
            )
            if version is None:
                continue
            anchors = {today, duty_date_at(now, version.handoff, team.timezone)}
            low, high = min(anchors) + timedelta(days=first), max(anchors) + timedelta(days=last)
            day = low
            while day <= high:  # remembered by the compiled rotation: the runs reuse them
                for piece in rotation.day_shifts(day):
                    wanted.update(piece.member_ids)
                day += timedelta(days=1)
    return wanted


def _sign_ins(
    session: Session, teams: Sequence[Team], now: datetime, rotations: Iterable[Rotation]
) -> set[int]:
    """Preload the sign-ins of yesterday's (before the hand-off) to tomorrow's duty days;
    return their members (an open sign-in's owner gets the sign-out reminder)."""
    days = [local(now, team.timezone).date() for team in teams]
    first, last = min(days) - timedelta(days=1), max(days) + timedelta(days=1)
    signs = list(
        session.scalars(
            select(SignIn).where(
                SignIn.rotation_id.in_([r.id for r in rotations]),
                SignIn.duty_date >= first,
                SignIn.duty_date <= last,
            )
        )
    )
    preload.put(session, PRELOAD_SIGN_INS, LoadedSignIns.of(first, last, signs))
    return {row.member_id for row in signs}


def _members(session: Session, ids: set[int]) -> None:
    members: dict[int, Member] = {}
    if ids:
        query = select(Member).where(Member.id.in_(ids)).options(selectinload(Member.identities))
        members = {m.id: m for m in session.scalars(query)}
    preload.put(session, revision.PRELOAD_MEMBERS, members)


def _channels(
    session: Session, teams: Sequence[Team], purposes: tuple[ChannelPurpose, ...] | None
) -> None:
    """Preload each team's enabled channels with its workspace's shared ones, in id order."""
    by_team: dict[int, list[Channel]] = {team.id: [] for team in teams}
    workspaces = {team.workspace_id for team in teams}
    shared: dict[int, list[Channel]] = {w: [] for w in workspaces}
    query = select(Channel).where(
        Channel.enabled.is_(True),
        Channel.team_id.in_(list(by_team))
        | Channel.workspace_id.in_(list(workspaces)) & Channel.team_id.is_(None),
    )
    if purposes is not None:
        query = query.where(Channel.purpose.in_([str(p) for p in purposes]))
    for channel in session.scalars(query.order_by(Channel.id)):
        if channel.team_id is None:
            shared[channel.workspace_id].append(channel)
        elif channel.team_id in by_team:
            by_team[channel.team_id].append(channel)
    for team in teams:
        both = by_team[team.id] + shared[team.workspace_id]
        by_team[team.id] = sorted(both, key=lambda c: c.id)
    loaded = LoadedChannels(
        by_team, None if purposes is None else frozenset(str(p) for p in purposes)
    )
    preload.put(session, PRELOAD_CHANNELS, loaded)
