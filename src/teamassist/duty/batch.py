"""What a batch of the duty jobs reads, loaded once for all its teams (see teamassist.preload).

Seven set queries for a batch of hundreds of teams, instead of a dozen per team: rotations,
their specs (versions, overrides, swaps, calendar exceptions), the people in them with their
platform identities, the sign-ins of the days around now, and the teams' channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from teamassist import preload
from teamassist.chat.notify import PRELOAD_CHANNELS
from teamassist.clock import local
from teamassist.duty import revision, service
from teamassist.duty.models import Rotation, SignIn
from teamassist.duty.signin import PRELOAD_SIGN_INS, LoadedSignIns
from teamassist.team.models import Channel, Member, Team


def prepare(session: Session, teams: Sequence[Team], now: datetime) -> None:
    """Preload the batch's rotations, specs, people, sign-ins and channels."""
    if not teams:
        return
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
    preload.put(session, revision.PRELOAD_ROTATIONS, rotations)
    preload.put(session, revision.PRELOAD_SPECS, {spec.id: spec for spec in specs})

    people = {
        m
        for spec in specs
        for ids in (
            *(v.member_ids for v in spec.versions),
            tuple(o.member_id for o in spec.overrides if o.member_id is not None),
            tuple(i for s in spec.swaps for i in (s.member_a, s.member_b)),
        )
        for m in ids
    }
    members = session.scalars(
        select(Member).where(Member.id.in_(people)).options(selectinload(Member.identities))
    )
    preload.put(session, revision.PRELOAD_MEMBERS, {m.id: m for m in members})

    # Duty days around now in every team's zone: yesterday's (before the hand-off) to tomorrow's.
    days = [local(now, team.timezone).date() for team in teams]
    first, last = min(days) - timedelta(days=1), max(days) + timedelta(days=1)
    rotation_ids = [r.id for r, _ in chosen]
    signs = session.scalars(
        select(SignIn).where(
            SignIn.rotation_id.in_(rotation_ids),
            SignIn.duty_date >= first,
            SignIn.duty_date <= last,
        )
    )
    preload.put(session, PRELOAD_SIGN_INS, LoadedSignIns.of(first, last, signs))

    workspaces = {team.workspace_id for team in teams}
    channels: dict[int, list[Channel]] = {team_id: [] for team_id in by_id}
    shared: dict[int, list[Channel]] = {w: [] for w in workspaces}
    for channel in session.scalars(
        select(Channel)
        .where(
            Channel.enabled.is_(True),
            Channel.team_id.in_(list(by_id))
            | Channel.workspace_id.in_(list(workspaces)) & Channel.team_id.is_(None),
        )
        .order_by(Channel.id)
    ):
        if channel.team_id is None:
            shared[channel.workspace_id].append(channel)
        elif channel.team_id in channels:
            channels[channel.team_id].append(channel)
    for team in teams:
        both = channels[team.id] + shared[team.workspace_id]
        channels[team.id] = sorted(both, key=lambda c: c.id)
    preload.put(session, PRELOAD_CHANNELS, channels)
