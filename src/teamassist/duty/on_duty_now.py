"""Who is on duty now, in one statement while this process's compiled rotations hold.

The plain read (:func:`teamassist.duty.service.on_duty_members`) asks twice: the team's live
rotations with their revisions, then the members the compiled rotations name. Every
``/问题反馈`` routes through it (issue 9: the on-duty read was a quarter of its time). Here the
process guesses the rotations from its last read (:meth:`revision.SpecCache.team`), computes
the people from the cached compiled rotations, and reads those members together with the
team's live ``(rotation id, revision)`` pairs as they are stored now, in one statement. The
guess is used only when the pairs are exactly those it was built from; any difference (an edit
in another process, a rotation added or archived, a string cut short by the server) answers
None and the caller asks the plain way, which also refreshes the guess.

Why a matching answer is right: a compiled rotation is cached under the revision it was built
for (:mod:`teamassist.duty.revision`), every schedule edit changes the revision, and the pairs
and the members come from one statement, so from one snapshot of the database.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import String, Table, bindparam, cast, func, select
from sqlalchemy.orm import Session

from teamassist import preload
from teamassist.clock import ensure_utc
from teamassist.duty import revision
from teamassist.duty.models import Rotation
from teamassist.row_objects import RowObjects
from teamassist.team.models import Member, PlatformIdentity

# "id:revision,id:revision,..." of the team's live rotations, in no particular order (read
# with :func:`pairs_in`; :mod:`teamassist.duty.who_now` checks its guess with it too).
PAIRS = select(
    func.aggregate_strings(cast(Rotation.id, String) + ":" + cast(Rotation.revision, String), ",")
).where(Rotation.team_id == bindparam("team_id"), Rotation.archived_at.is_(None))
# The same pairs and the members as plain Core rows, run on the session's connection: loaded
# by the ORM (members, the identities joined in) the read cost twice the CPU (issue 9: 0.79
# against 0.37 ms per /问题反馈, PostgreSQL); :mod:`teamassist.row_objects` makes the objects.
_ROTATIONS = typing.cast(Table, Rotation.__table__)
_MEMBER_ROWS = RowObjects(Member)
_IDENTITY_ROWS = RowObjects(PlatformIdentity)
_MEMBERS, _IDENTITIES = _MEMBER_ROWS.table, _IDENTITY_ROWS.table
_PAIRS_ROW = (
    select(
        func.aggregate_strings(
            cast(_ROTATIONS.c.id, String) + ":" + cast(_ROTATIONS.c.revision, String), ","
        )
    )
    .where(_ROTATIONS.c.team_id == bindparam("team_id"), _ROTATIONS.c.archived_at.is_(None))
    .scalar_subquery()
)
_ON_DUTY = select(*_MEMBER_ROWS.columns, _PAIRS_ROW).where(
    _MEMBERS.c.id.in_(bindparam("ids", expanding=True))
)
# Each member once per identity (none: once, with NULLs), the identities in id order as the
# relationship orders them.
_ON_DUTY_WITH_IDENTITIES = (
    select(*_MEMBER_ROWS.columns, _PAIRS_ROW, *_IDENTITY_ROWS.columns)
    .select_from(_MEMBERS.outerjoin(_IDENTITIES, _IDENTITIES.c.member_id == _MEMBERS.c.id))
    .where(_MEMBERS.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_IDENTITIES.c.id)
)


def members(
    session: Session,
    *,
    team_id: int,
    timezone: str,
    at: datetime,
    rotation_kind: str | None,
    identities: bool,
    gone: Callable[[Member, datetime, time, str], bool],
) -> list[Member] | None:
    """Members on duty at ``at`` as :func:`teamassist.duty.service.on_duty_members` answers
    them (primary first, each once, leavers left out by ``gone``), read in one statement; None
    when this process cannot answer so (no guess, a rotation not compiled here, a batch's
    preloaded rows, a transaction that changed a schedule, or a guess the rows contradict)."""
    if preload.get(session, revision.PRELOAD_ROTATIONS) is not None:
        return None  # a scheduled batch: its preloaded rows are what it reads
    cache = revision.usable_cache(session)
    seen = cache.team(team_id) if cache is not None else None
    if cache is None or seen is None:
        return None
    at = ensure_utc(at)
    people: list[tuple[int, time]] = []
    for rotation in seen:
        if rotation_kind is not None and rotation_kind not in (rotation.kind, rotation.key):
            continue
        compiled = cache.get(rotation.id, rotation.revision, timezone)
        if compiled is None:
            return None
        version = compiled.version_at(at)
        if version is not None:
            people.extend((m, version.handoff) for m in compiled.people_at(at))
    expected = {(r.id, r.revision) for r in seen}
    if not people:
        return [] if pairs_in(session.scalar(PAIRS, {"team_id": team_id})) == expected else None
    session.flush()  # as the ORM's read did first (autoflush): a member changed in this unit
    found, pairs = _read(session, sorted({m for m, _ in people}), team_id, identities)
    if pairs != expected:
        return None
    result: list[Member] = []
    for member_id, handoff in people:
        member = found.get(member_id)
        if member is not None and member not in result and not gone(member, at, handoff, timezone):
            result.append(member)
    return result


def _read(
    session: Session, ids: list[int], team_id: int, identities: bool
) -> tuple[dict[int, Member], set[tuple[int, int]] | None]:
    """The members ``ids`` as objects of the session (with their identities loaded when
    ``identities``) and the team's live pairs as stored, from one statement."""
    query = _ON_DUTY_WITH_IDENTITIES if identities else _ON_DUTY
    rows = session.connection().execute(query, {"ids": ids, "team_id": team_id}).all()
    width = _MEMBER_ROWS.width
    pairs: set[tuple[int, int]] | None = None
    members: dict[int, Sequence[Any]] = {}
    held: dict[int, list[PlatformIdentity]] = {}
    for row in rows:
        pairs = pairs_in(row[width])
        member_id = row[_MEMBER_ROWS.at_id]
        if member_id not in members:
            members[member_id] = row[:width]
            held[member_id] = []
        identity = _IDENTITY_ROWS.of(session, row[width + 1 :]) if identities else None
        if identity is not None:
            held[member_id].append(identity)
    found: dict[int, Member] = {}
    for member_id, values in members.items():
        member = _MEMBER_ROWS.of(
            session, values, {"identities": held[member_id]} if identities else None
        )
        assert member is not None  # the member's id is the row's
        found[member_id] = member
    return found, pairs


def pairs_in(stored: str | None) -> set[tuple[int, int]] | None:
    """The ``(id, revision)`` pairs of :data:`PAIRS`' string (None: unreadable). No live
    rotation aggregates to NULL; a string the server cut short (MariaDB's
    ``group_concat_max_len``) reads as other pairs, or none, so never as the guess's."""
    if not stored:
        return set()
    try:
        return {(int(i), int(r)) for i, r in (pair.split(":") for pair in stored.split(","))}
    except ValueError:
        return None
