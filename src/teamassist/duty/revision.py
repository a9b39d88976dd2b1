"""Schedule revisions and the per-process cache of compiled rotations built on them.

"Who is on duty now" runs on every feedback submission and every ON_DUTY permission check.
Loading a team's specs takes a query per table; compiling them is cheap but not free. So each
process keeps the :class:`CompiledRotation` of every rotation it has seen, keyed by the
rotation's ``revision`` (a column of ``duty_rotation``), and reuses it only while that column
still holds the same value — read by the same single query that lists the team's rotations.

Why the answer is never stale, in any process:

- **Every write changes the revision, in its own transaction.** An ``after_flush`` hook on every
  session of the runtime's factory (installed at start by :mod:`teamassist.duty.domain`) bumps
  ``duty_rotation.revision`` for each rotation whose versions, overrides, swaps or calendar
  exceptions were inserted, updated or deleted, and for any edit of the rotation row
  itself — so no service (present or future) can forget it. Writes that bypass the ORM
  (``session.execute(update(...))``) would bypass it too: the duty desk has none.
- **Nothing uncommitted is ever cached, nor served.** A transaction that bumped a revision
  reads around the cache until it ends (it may still roll back).
- **A miss checks again before storing.** After loading the specs the revisions are read once
  more; if another transaction committed an edit in between, the fresh specs are used for this
  answer but not stored.
- Steps are random (see :func:`teamassist.duty.models.new_revision`), so a database restored
  from a backup, or emptied and refilled under a running process, does not repeat a revision
  this process has cached.

The cache is per engine (one per runtime), so two runtimes in one test behave like two
processes. Sign-ins are not cached: they change without a schedule edit.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from teamassist import preload
from teamassist.database import listen_once
from teamassist.duty.models import (
    CalendarException,
    Override,
    Rotation,
    RotationVersion,
    Swap,
    new_revision,
)
from teamassist.duty.rotation import CompiledRotation, RotationSpec
from teamassist.row_objects import RowObjects

_SCHEDULE_ROWS = (RotationVersion, Override, Swap, CalendarException)
_WROTE = "duty.schedule_written"  # session.info: the transaction that changed a schedule
# Compiled rotations kept per engine. A simple rotation costs ~1.6 KB (measured with
# tracemalloc), so the bound is ~50 MB at worst; it must hold every rotation a scheduled
# tick walks (10,000 teams x a few rotations), else each batch recompiles what the one
# before evicted and the cost per team grows with the number of teams.
MAX_ENTRIES = 32768

# Maps a scheduled batch preloads (see teamassist.duty.batch and teamassist.preload).
PRELOAD_ROTATIONS = "duty.rotations"  # team id -> live rotations in display order
PRELOAD_SPECS = "duty.specs"  # rotation id -> RotationSpec
PRELOAD_MEMBERS = "duty.members"  # member id -> Member (identities loaded)

_enabled = True


def set_enabled(enabled: bool) -> None:
    """Turn the cache on or off in this process (benchmarks measure both)."""
    global _enabled
    _enabled = enabled


# -- writes: bump the revision in the writing transaction ----------------------------------------


def touched_rotations(session: Session) -> set[int]:
    """Ids of rotations whose schedule the session's pending flush changes."""
    ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _SCHEDULE_ROWS):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            if obj.rotation_id is not None:
                ids.add(obj.rotation_id)
        elif (
            isinstance(obj, Rotation)
            and obj not in session.new
            and (obj in session.deleted or session.is_modified(obj))
        ):
            ids.add(obj.id)
    return ids


def bump(session: Session, rotation_ids: Iterable[int]) -> None:
    """Give each rotation a new revision, in the session's transaction."""
    ids = sorted(set(rotation_ids))
    if not ids:
        return
    session.info[_WROTE] = session.get_transaction()
    step = new_revision()
    session.connection().execute(
        update(Rotation).where(Rotation.id.in_(ids)).values(revision=Rotation.revision + step)
    )


def after_flush(session: Session, _context: Any) -> None:
    """Session hook: bump the rotations a flush changed (installed on every session of the
    runtime's factory by the duty domain, :mod:`teamassist.duty.domain`)."""
    ids = touched_rotations(session)
    if ids:
        bump(session, ids)


def install(factory: sessionmaker[Session]) -> None:
    """Register the revision hook on every session of ``factory``, for a factory outside a
    runtime (benchmarks); a runtime's factory gets it from the duty domain's install, which
    imports this module on the first flush after the duty models are."""
    listen_once(factory, "after_flush", after_flush)


def wrote_schedule(session: Session) -> bool:
    """Whether the session's current transaction changed a schedule (not committed yet)."""
    marker = session.info.get(_WROTE)
    return marker is not None and marker is session.get_transaction()


# -- reads: compiled rotations, reused while the revision holds -----------------------------------


@dataclass(frozen=True)
class SeenRotation:
    """A live rotation of a team as a read found it: what :mod:`teamassist.duty.on_duty_now`
    needs to pick it (kind, key) and find its compiled form (id, revision), and the name
    :mod:`teamassist.duty.who_now` shows (an edit of the row changes the revision too)."""

    id: int
    kind: str
    key: str
    revision: int
    name: str


class SpecCache:
    """Compiled rotations by rotation id, each with the (revision, time zone) it was built for;
    and each team's live rotations as last read (a guess, checked by every read that uses it)."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[int, str, CompiledRotation]] = {}
        self._teams: dict[int, tuple[SeenRotation, ...]] = {}
        self._lock = threading.Lock()

    def team(self, team_id: int) -> tuple[SeenRotation, ...] | None:
        """The team's live rotations (display order) as last read, else None."""
        return self._teams.get(team_id)

    def put_team(self, team_id: int, rotations: tuple[SeenRotation, ...]) -> None:
        with self._lock:
            if len(self._teams) >= MAX_ENTRIES and team_id not in self._teams:
                for old in list(self._teams)[: max(1, MAX_ENTRIES // 8)]:
                    del self._teams[old]
            self._teams[team_id] = rotations

    def get(self, rotation_id: int, revision: int, timezone: str) -> CompiledRotation | None:
        entry = self._entries.get(rotation_id)
        if entry is None or entry[0] != revision or entry[1] != timezone:
            return None
        return entry[2]

    def put(self, rotation_id: int, revision: int, timezone: str, c: CompiledRotation) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES and rotation_id not in self._entries:
                # Drop the oldest eighth (dicts keep insertion order), not everything: the
                # rotations of the teams the tick is about to reach stay.
                for old in list(self._entries)[: max(1, MAX_ENTRIES // 8)]:
                    del self._entries[old]
            self._entries.pop(rotation_id, None)  # a new revision counts as the newest entry
            self._entries[rotation_id] = (revision, timezone, c)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._teams.clear()

    def __len__(self) -> int:
        return len(self._entries)


_caches: weakref.WeakKeyDictionary[Engine, SpecCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(session: Session) -> SpecCache:
    """The cache of the engine ``session`` talks to (one per engine: a process's database)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    cache = _caches.get(engine)
    if cache is None:
        with _caches_lock:
            cache = _caches.setdefault(engine, SpecCache())
    return cache


def rotations_with_revisions(session: Session, *, team_id: int) -> list[tuple[Rotation, int]]:
    """The team's live rotations in display order, each with its revision as stored now.

    The revision comes from the row, not from the (possibly older) object in the session (or
    from the rows a scheduled batch loaded in this transaction).
    """
    loaded: dict[int, list[Rotation]] | None = preload.get(session, PRELOAD_ROTATIONS)
    if loaded is not None and team_id in loaded:
        return [(rotation, int(rotation.revision)) for rotation in loaded[team_id]]
    # Plain rows made into the session's objects (teamassist.row_objects): the ORM's loading
    # of the entities was a third of /值班签到's own CPU time (issue 9, session 28). The
    # session's pending changes are flushed first, as the ORM's autoflush did.
    session.flush()
    rows = session.connection().execute(_LIVE_ROTATIONS, {"team_id": team_id}).all()
    found = [(_rotation(session, row), int(row[_AT_REVISION])) for row in rows]
    if (cache := usable_cache(session)) is not None:
        # Remembered for the next "who is on duty" (teamassist.duty.on_duty_now), which
        # checks it against the rows in the same statement as its members before using it.
        # The name is the row's, read with the revision: the entity may be an older object
        # of the session's identity map (a rename elsewhere was then remembered under its
        # new revision with the old name, and served by every warm read after it).
        cache.put_team(
            team_id,
            tuple(
                SeenRotation(r.id, r.kind, r.key, rev, str(row[_AT_NAME]))
                for (r, rev), row in zip(found, rows, strict=True)
            ),
        )
    return found


def _rotation(session: Session, row: Sequence[Any]) -> Rotation:
    rotation = _ROTATIONS.of(session, row)
    assert rotation is not None  # a row of the table itself: its id is set
    return rotation


# Built once: every command that asks who is on duty runs it (issue 9 profile). The revision
# and name are read from the row, never from an object the session held already.
_ROTATIONS = RowObjects(Rotation)
_AT_REVISION = _ROTATIONS.keys.index("revision")
_AT_NAME = _ROTATIONS.keys.index("name")
_LIVE_ROTATIONS = (
    select(*_ROTATIONS.columns)
    .where(
        _ROTATIONS.table.c.team_id == bindparam("team_id"),
        _ROTATIONS.table.c.archived_at.is_(None),
    )
    .order_by(_ROTATIONS.table.c.position, _ROTATIONS.table.c.id)
)


def usable_cache(session: Session) -> SpecCache | None:
    """The engine's cache, or None when it is off or this transaction changed a schedule."""
    return cache_for(session) if _enabled and not wrote_schedule(session) else None


def _revisions(session: Session, ids: Sequence[int]) -> dict[int, int]:
    rows = session.execute(select(Rotation.id, Rotation.revision).where(Rotation.id.in_(ids)))
    return {int(i): int(r) for i, r in rows}


def compiled_rotations(
    session: Session,
    *,
    timezone: str,
    chosen: Sequence[tuple[Rotation, int]],
    load: Callable[[list[Rotation]], list[RotationSpec]],
) -> list[CompiledRotation]:
    """Compiled rotations for ``chosen`` (rotation, revision), from the cache where current.

    ``load(rotations) -> list[RotationSpec]`` loads the specs of the rotations not cached.
    """
    if not chosen:
        return []
    cache = usable_cache(session)
    found: dict[int, CompiledRotation] = {}
    missing: list[tuple[Rotation, int]] = []
    for rotation, revision in chosen:
        hit = cache.get(rotation.id, revision, timezone) if cache is not None else None
        if hit is None:
            missing.append((rotation, revision))
        else:
            found[rotation.id] = hit
    if missing:
        specs = load([r for r, _ in missing])
        compiled = [CompiledRotation(spec) for spec in specs]
        for (rotation, _), c in zip(missing, compiled, strict=True):
            found[rotation.id] = c
        if cache is not None:
            # A batch's preload read the revisions before the specs, in this transaction: the
            # specs are no older than the revision they are cached under.
            batch = preload.get(session, PRELOAD_SPECS) is not None
            now = (
                {r.id: rev for r, rev in missing}
                if batch
                else _revisions(session, [r.id for r, _ in missing])
            )
            for (rotation, revision), c in zip(missing, compiled, strict=True):
                if now.get(rotation.id) == revision:
                    cache.put(rotation.id, revision, timezone, c)
    return [found[rotation.id] for rotation, _ in chosen]
