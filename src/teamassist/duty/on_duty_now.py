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

from collections.abc import Callable
from datetime import datetime, time

from sqlalchemy import String, bindparam, cast, func, select
from sqlalchemy.orm import Session, joinedload

from teamassist import preload
from teamassist.clock import ensure_utc
from teamassist.duty import revision
from teamassist.duty.models import Rotation
from teamassist.team.models import Member

# "id:revision,id:revision,..." of the team's live rotations, in no particular order (read
# with :func:`pairs_in`; :mod:`teamassist.duty.who_now` checks its guess with it too).
PAIRS = select(
    func.aggregate_strings(cast(Rotation.id, String) + ":" + cast(Rotation.revision, String), ",")
).where(Rotation.team_id == bindparam("team_id"), Rotation.archived_at.is_(None))
_MEMBERS = select(Member, PAIRS.scalar_subquery()).where(
    Member.id.in_(bindparam("ids", expanding=True))
)
_MEMBERS_WITH_IDENTITIES = _MEMBERS.options(joinedload(Member.identities))


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
    query = _MEMBERS_WITH_IDENTITIES if identities else _MEMBERS
    rows = session.execute(query, {"ids": sorted({m for m, _ in people}), "team_id": team_id})
    found: dict[int, Member] = {}
    pairs: set[tuple[int, int]] | None = None
    for member, stored in rows.unique():
        found[member.id] = member
        pairs = pairs_in(stored)
    if pairs != expected:
        return None
    result: list[Member] = []
    for member_id, handoff in people:
        member = found.get(member_id)
        if member is not None and member not in result and not gone(member, at, handoff, timezone):
            result.append(member)
    return result


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
