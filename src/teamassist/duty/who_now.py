"""Who is on duty now with their sign-ins (``/今日值班``), in one statement of plain rows.

The plain read asks three times: the team's live rotations with their revisions, the members
the compiled rotations name with their identities (ORM entities, joined eagerly), then the
sign-ins of those duty days. Issue 9: that made ``/今日值班`` cost ~1.6 times ``/帮助`` (5 and 2
statements on PostgreSQL, the two later reads ~30 % of its served CPU time, py-spy). Here, as
in :mod:`teamassist.duty.on_duty_now`, the process guesses the team's rotations from its last
read (:meth:`revision.SpecCache.team`), computes the people from the cached compiled
rotations, and reads in one statement the people's columns the reply shows, their identities,
their sign-ins of those duty days and the team's live ``(rotation id, revision)`` pairs as
stored now. The guess is used only when the pairs are exactly those it was built from; any
difference answers None and the caller reads the plain way, which also refreshes the guess.

Why a matching answer is right: see :mod:`teamassist.duty.on_duty_now` (a compiled rotation is
cached under the revision it was built for; every schedule edit, a rename included, changes
the revision; pairs, people and sign-ins come from one statement, one snapshot). Sign-ins are
read, never cached: a sign-in in another process shows at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Table, and_, bindparam, select
from sqlalchemy.orm import Session

from teamassist import preload
from teamassist.chat.types import Person
from teamassist.clock import ensure_utc
from teamassist.duty import revision
from teamassist.duty.models import SignIn
from teamassist.duty.on_duty_now import PAIRS, pairs_in
from teamassist.duty.rotation import duty_date_at
from teamassist.duty.service import departure
from teamassist.team.models import Member, PlatformIdentity


@dataclass(frozen=True)
class OnDutyPerson:
    """One person on duty as ``/今日值班`` shows them: the mention, and the sign-in of their
    duty day (both None: not signed in)."""

    id: int
    person: Person
    signed_in_at: datetime | None = None
    signed_out_at: datetime | None = None


@dataclass(frozen=True)
class RotationNow:
    """One live rotation's people now (primary first; empty: nobody), in display order."""

    name: str
    people: tuple[OnDutyPerson, ...]


_MEMBER: Table = Member.__table__  # type: ignore[assignment]
_IDENTITY: Table = PlatformIdentity.__table__  # type: ignore[assignment]
_SIGN_IN: Table = SignIn.__table__  # type: ignore[assignment]

# Built once. A person's rows are their identities times their sign-ins of the duty days asked
# (a few at most); identities in id order, as ``Member.identities`` lists them.
_PEOPLE = (
    select(
        _MEMBER.c.id,
        _MEMBER.c.display_name,
        _MEMBER.c.active,
        _MEMBER.c.deactivated_at,
        _IDENTITY.c.platform,
        _IDENTITY.c.user_key,
        _SIGN_IN.c.rotation_id,
        _SIGN_IN.c.duty_date,
        _SIGN_IN.c.signed_in_at,
        _SIGN_IN.c.signed_out_at,
        PAIRS.scalar_subquery(),
    )
    .select_from(_MEMBER)
    .outerjoin(_IDENTITY, _IDENTITY.c.member_id == _MEMBER.c.id)
    .outerjoin(
        _SIGN_IN,
        and_(
            _SIGN_IN.c.member_id == _MEMBER.c.id,
            _SIGN_IN.c.rotation_id.in_(bindparam("rotation_ids", expanding=True)),
            _SIGN_IN.c.duty_date.in_(bindparam("dates", expanding=True)),
        ),
    )
    .where(_MEMBER.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_MEMBER.c.id, _IDENTITY.c.id)
)


@dataclass
class _Row:
    """What the statement says of one person."""

    name: str
    active: bool
    deactivated_at: datetime | None
    identities: dict[str, str]
    signs: dict[tuple[int, date], tuple[datetime, datetime | None]]


def read(
    session: Session, *, team_id: int, timezone: str, at: datetime
) -> list[RotationNow] | None:
    """Each live rotation of the team with its people at ``at`` and their sign-ins, as
    ``/今日值班``'s plain read answers them (leavers left out as
    :func:`teamassist.duty.service.on_duty` leaves them out); None when this process cannot
    answer so (no guess, a rotation not compiled here, a batch's preloaded rows, a
    transaction that changed a schedule, or a guess the rows contradict)."""
    if preload.get(session, revision.PRELOAD_ROTATIONS) is not None:
        return None
    cache = revision.usable_cache(session)
    seen = cache.team(team_id) if cache is not None else None
    if cache is None or seen is None:
        return None
    at = ensure_utc(at)
    # Per rotation: its people at ``at``, its duty day and hand-off (None: no version yet).
    shifts: list[tuple[revision.SeenRotation, tuple[int, ...], date | None, time | None]] = []
    for rotation in seen:
        compiled = cache.get(rotation.id, rotation.revision, timezone)
        if compiled is None:
            return None
        version = compiled.version_at(at)
        if version is None:
            shifts.append((rotation, compiled.people_at(at), None, None))
        else:
            day = duty_date_at(at, version.handoff, timezone)
            shifts.append((rotation, compiled.people_at(at), day, version.handoff))
    expected = {(r.id, r.revision) for r in seen}
    ids = sorted({m for _, people, _, handoff in shifts if handoff is not None for m in people})
    if not ids:
        stored = pairs_in(session.scalar(PAIRS, {"team_id": team_id}))
        return [RotationNow(r.name, ()) for r in seen] if stored == expected else None
    params: dict[str, Any] = {
        "team_id": team_id,
        "ids": ids,
        "rotation_ids": sorted({r.id for r, _, day, _ in shifts if day is not None}),
        "dates": sorted({day for _, _, day, _ in shifts if day is not None}),
    }
    # Through the session's connection: plain rows need none of the ORM's result handling,
    # which cost ~0.25 ms of this statement's ~0.7 (in-process, PostgreSQL). Its own pending
    # changes are flushed first, as the session's execute would.
    session.flush()
    found, stored = _people(session.connection().execute(_PEOPLE, params).all())
    if stored != expected:
        return None
    return [
        RotationNow(rotation.name, _on_duty(found, people, rotation.id, day, handoff, timezone, at))
        for rotation, people, day, handoff in shifts
    ]


def _people(
    rows: Sequence[Any],
) -> tuple[dict[int, _Row], set[tuple[int, int]] | None]:
    """The people of :data:`_PEOPLE`'s rows by id, and the pairs the rows carry (None: no
    row, so nothing to check the guess against)."""
    found: dict[int, _Row] = {}
    stored: set[tuple[int, int]] | None = None
    for row in rows:
        person = found.get(row[0])
        if person is None:
            person = found[row[0]] = _Row(row[1], bool(row[2]), row[3], {}, {})
            stored = pairs_in(row[10])
        if row[4] is not None:
            person.identities[row[4]] = row[5]  # the last of a platform wins, as in person()
        if row[6] is not None:
            person.signs[(row[6], row[7])] = (row[8], row[9])
    return found, stored


def _on_duty(
    found: dict[int, _Row],
    people: tuple[int, ...],
    rotation_id: int,
    day: date | None,
    handoff: time | None,
    timezone: str,
    at: datetime,
) -> tuple[OnDutyPerson, ...]:
    """The rotation's people at ``at`` who are still on duty, with their sign-ins of ``day``."""
    if handoff is None or day is None:
        return ()
    result: list[OnDutyPerson] = []
    for member_id in people:
        row = found.get(member_id)
        if row is None:
            continue
        left = departure(row.active, row.deactivated_at, handoff, timezone)
        if left is not None and left <= at:
            continue
        signed = row.signs.get((rotation_id, day))
        result.append(
            OnDutyPerson(
                member_id,
                Person(name=row.name, identities=dict(row.identities)),
                signed[0] if signed else None,
                signed[1] if signed else None,
            )
        )
    return tuple(result)
