"""The schedule as a pure function of rotation parameters (no database, no clock).

A rotation is a list of *versions*, each in force from ``effective_at`` until the next one.
Within a version, duty days run from the hand-off time (local wall clock) to the next day's
hand-off; on each *active* day of the working calendar the turn number is

    turn = (active days in [anchor_date, day)) // turn_days

and the people of the turn are ``people_per_turn`` consecutive members starting at
``(anchor_index + turn * people_per_turn) mod n`` (the first is the primary). Inactive days
(holidays) have no shift and consume no turn: holidays skip days, never people.

On top of the rotation, in this order: swaps bound to shifts (from their creation on), then
overrides (someone, or nobody, takes the whole rotation for an interval). Edits are new
versions / rows effective from a moment that is never in the past, so an answer for a time
before an edit never changes.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from teamassist.duty.calendar import WorkCalendar

SOURCE_ROTATION = "rotation"
SOURCE_SWAP = "swap"
SOURCE_OVERRIDE = "override"
_TICK = timedelta(microseconds=1)  # the shortest window: what holds at one instant
_DAYS_KEPT = 3  # duty days remembered per compiled rotation (yesterday, today, tomorrow)


@dataclass(frozen=True)
class VersionSpec:
    """One version of a rotation's parameters."""

    effective_at: datetime
    member_ids: tuple[int, ...]
    anchor_date: date
    anchor_index: int = 0
    turn_days: int = 1
    people_per_turn: int = 1
    handoff: time = time(3, 0)
    calendar: str = "all"


@dataclass(frozen=True)
class OverrideSpec:
    """``member_id`` (None = nobody) takes the rotation for [start, end)."""

    id: int
    start: datetime
    end: datetime
    member_id: int | None


@dataclass(frozen=True)
class SwapSpec:
    """A trades the shift of ``date_a`` with B's shift of ``date_b`` (None: B covers A)."""

    id: int
    member_a: int
    date_a: date
    member_b: int
    date_b: date | None
    applies_from: datetime
    applies_until: datetime | None = None  # set when the swap was cancelled

    def in_force(self, at: datetime) -> bool:
        """Whether the swap applies at ``at``."""
        return self.applies_from <= at and (self.applies_until is None or at < self.applies_until)


@dataclass(frozen=True)
class RotationSpec:
    """Everything needed to compute one rotation's schedule."""

    id: int
    timezone: str
    versions: tuple[VersionSpec, ...]
    overrides: tuple[OverrideSpec, ...] = ()
    swaps: tuple[SwapSpec, ...] = ()
    exceptions: Mapping[date, bool] = field(default_factory=dict)
    key: str = ""
    name: str = ""
    kind: str = "custom"


@dataclass(frozen=True)
class Shift:
    """A piece of the final schedule: who holds the rotation in [start, end)."""

    rotation_id: int
    duty_date: date
    start: datetime
    end: datetime
    member_ids: tuple[int, ...]  # primary first; empty = nobody
    source: str = SOURCE_ROTATION
    turn: int = -1
    provisional: bool = False  # the calendar for this day is unknown (no official data)
    ref_id: int | None = None  # the override or swap behind this piece

    @property
    def primary(self) -> int | None:
        """The primary person, if anyone."""
        return self.member_ids[0] if self.member_ids else None


# -- time helpers ----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=65536)
def day_start(day: date, handoff: time, tz: str) -> datetime:
    """When duty day ``day`` begins: its hand-off, local wall clock, as UTC.

    A hand-off inside a DST gap resolves like the zone's rules do (fold=0), and the next day's
    start uses the same rule, so consecutive days tile time with no gap or overlap.
    """
    return datetime.combine(day, handoff, tzinfo=_zone(tz)).astimezone(UTC)


def duty_date_at(at: datetime, handoff: time, tz: str) -> date:
    """The duty day that instant ``at`` belongs to."""
    local = at.astimezone(_zone(tz))
    day = local.date()
    candidate = day_start(day, handoff, tz)
    return day if at >= candidate else day - timedelta(days=1)


# -- compiled rotation -----------------------------------------------------------------------


@dataclass
class CompiledRotation:
    """A rotation spec with its calendars and indexes built once, for repeated queries."""

    spec: RotationSpec
    calendars: dict[str, WorkCalendar] = field(init=False)
    _eff: list[datetime] = field(init=False)
    _overrides: list[OverrideSpec] = field(init=False)
    _override_starts: list[datetime] = field(init=False)
    _swaps_by_date: dict[date, list[SwapSpec]] = field(init=False)
    # The last few duty days' final schedules: the spec never changes (a new revision is a
    # new CompiledRotation), so a day is computed once per process, not once per notice.
    _days: dict[date, tuple[Shift, ...]] = field(init=False)

    def __post_init__(self) -> None:
        spec = self.spec
        self._days = {}
        self.calendars = {}
        for version in spec.versions:
            if version.calendar not in self.calendars:
                self.calendars[version.calendar] = WorkCalendar(version.calendar, spec.exceptions)
        self._eff = [v.effective_at for v in spec.versions]
        self._overrides = _flatten_overrides(spec.overrides)
        self._override_starts = [o.start for o in self._overrides]
        self._swaps_by_date = {}
        for swap in spec.swaps:
            self._swaps_by_date.setdefault(swap.date_a, []).append(swap)
            if swap.date_b is not None and swap.date_b != swap.date_a:
                self._swaps_by_date.setdefault(swap.date_b, []).append(swap)

    # -- single instant ----------------------------------------------------------------------

    def version_at(self, at: datetime) -> VersionSpec | None:
        """The version in force at ``at``."""
        index = bisect.bisect_right(self._eff, at) - 1
        return self.spec.versions[index] if index >= 0 else None

    def people_at(self, at: datetime) -> tuple[int, ...]:
        """Who holds the rotation at ``at`` (primary first); empty when nobody.

        Read off the final schedule itself (the piece covering ``at``), so an instant's answer
        can never disagree with the schedule, the notices or the feeds.
        """
        version = self.version_at(at)
        if version is not None:
            # The duty day's schedule (computed once per process and kept: every "who is on
            # duty now" of the day asks it; computing the instant each time was ~0.1 ms of a
            # /今日值班) holds the piece covering ``at`` unless an override files it under
            # another day: then compute the instant.
            day = self.day_shifts(duty_date_at(at, version.handoff, self.spec.timezone))
            for held in day:
                if held.start <= at < held.end:
                    return held.member_ids
        piece = self.shift_at(at)
        return piece.member_ids if piece is not None else ()

    def shift_at(self, at: datetime) -> Shift | None:
        """The piece of the final schedule covering ``at`` (None: no shift then)."""
        pieces = self.shifts(at, at + _TICK)
        return pieces[0] if pieces else None

    def day_shifts(self, day: date) -> list[Shift]:
        """The final schedule of duty day ``day`` (after versions, swaps, overrides and the
        calendar), whole: the one answer to "who is on duty on day D" that every notice, view
        and feed derives from. Empty: a day off."""
        found = self._days.get(day)
        if found is None:
            tz = self.spec.timezone
            # Local midnight of the day before to that of the day after next covers the duty
            # day whatever the hand-off time of the versions in force.
            start = day_start(day - timedelta(days=1), time(0), tz)
            end = day_start(day + timedelta(days=2), time(0), tz)
            found = tuple(s for s in self.shifts(start, end) if s.duty_date == day)
            kept = self._days
            if len(kept) >= _DAYS_KEPT:
                # The request threads share a cached rotation (people_at): list() copies the
                # keys in one step, where next(iter()) could see another thread's insertion.
                for old in list(kept)[: len(kept) - _DAYS_KEPT + 1]:
                    kept.pop(old, None)
            kept[day] = found
        return list(found)

    def _turn_people(self, version: VersionSpec, day: date) -> tuple[int, tuple[int, ...]] | None:
        """(turn, people) of ``day`` under ``version``; None on an inactive or pre-anchor day."""
        if not version.member_ids or day < version.anchor_date:
            return None
        calendar = self.calendars[version.calendar]
        if not calendar.is_active(day):
            return None
        turn = calendar.active_between(version.anchor_date, day) // max(1, version.turn_days)
        return turn, _people(version, turn)

    def _holds(self, member: int, day: date, not_before: datetime) -> bool:
        """Whether the rotation (before swaps and overrides) gives ``member`` duty day ``day``."""
        reference = self.version_at(not_before) or (
            self.spec.versions[0] if self.spec.versions else None
        )
        if reference is None:
            return False
        begin = day_start(day, reference.handoff, self.spec.timezone)
        version = self.version_at(max(begin, not_before))
        held = self._turn_people(version, day) if version else None
        return held is not None and member in held[1]

    # -- windows -----------------------------------------------------------------------------

    def shifts(self, start: datetime, end: datetime) -> list[Shift]:
        """The final schedule in [start, end), sorted, non-overlapping."""
        base = self._base_shifts(start, end)
        return merge_pieces(self._apply_overrides(base, start, end))

    def _base_shifts(self, start: datetime, end: datetime) -> list[Shift]:
        out: list[Shift] = []
        versions = self.spec.versions
        tz = self.spec.timezone
        rotation_id = self.spec.id
        one_day = timedelta(days=1)
        for i, version in enumerate(versions):
            v_start = max(version.effective_at, start)
            v_end = min(versions[i + 1].effective_at, end) if i + 1 < len(versions) else end
            if v_start >= v_end or not version.member_ids:
                continue
            calendar = self.calendars[version.calendar]
            handoff = version.handoff
            day = max(duty_date_at(v_start, handoff, tz), version.anchor_date)
            last = duty_date_at(v_end - timedelta(microseconds=1), handoff, tz)
            if last < day:
                continue
            active, known = calendar.day_flags(day, last)
            count = calendar.active_between(version.anchor_date, day)
            turn_days = max(1, version.turn_days)
            turn_people: dict[int, tuple[int, ...]] = {}
            begin = day_start(day, handoff, tz)
            for index in range(len(active)):
                following = day + one_day
                finish = day_start(following, handoff, tz)
                if active[index]:
                    turn = count // turn_days
                    count += 1
                    piece_start = begin if begin > v_start else v_start
                    piece_end = finish if finish < v_end else v_end
                    if piece_start < piece_end:
                        people = turn_people.get(turn)
                        if people is None:
                            people = turn_people[turn] = _people(version, turn)
                        shift = Shift(
                            rotation_id,
                            day,
                            piece_start,
                            piece_end,
                            people,
                            SOURCE_ROTATION,
                            turn,
                            not known[index],
                        )
                        if day in self._swaps_by_date:
                            out.extend(self._swapped(shift))
                        else:
                            out.append(shift)
                day, begin = following, finish
        return out

    def _swapped(self, shift: Shift) -> list[Shift]:
        swaps = self._swaps_by_date.get(shift.duty_date)
        if not swaps:
            return [shift]
        pieces = [shift]
        for swap in swaps:
            next_pieces: list[Shift] = []
            for piece in pieces:
                people = _swap_people(swap, piece.duty_date, piece.member_ids)
                until = swap.applies_until or piece.end
                lo, hi = max(piece.start, swap.applies_from), min(piece.end, until)
                if people == piece.member_ids or lo >= hi:
                    next_pieces.append(piece)
                    continue
                if piece.start < lo:
                    next_pieces.append(replace(piece, end=lo))
                next_pieces.append(
                    replace(
                        piece,
                        start=lo,
                        end=hi,
                        member_ids=people,
                        source=SOURCE_SWAP,
                        ref_id=swap.id,
                    )
                )
                if hi < piece.end:
                    next_pieces.append(replace(piece, start=hi))
            pieces = next_pieces
        return pieces

    def _apply_overrides(self, base: list[Shift], start: datetime, end: datetime) -> list[Shift]:
        if not self._overrides:
            return base
        lo = max(0, bisect.bisect_right(self._override_starts, start) - 1)
        overrides = [o for o in self._overrides[lo:] if o.end > start and o.start < end]
        if not overrides:
            return base
        out: list[Shift] = []
        j = 0
        for shift in base:
            pieces = [shift]
            # Skip overrides that end before this shift; cut the rest out of it.
            while j < len(overrides) and overrides[j].end <= shift.start:
                j += 1
            k = j
            while k < len(overrides) and overrides[k].start < shift.end:
                cut: list[Shift] = []
                o = overrides[k]
                for piece in pieces:
                    if o.end <= piece.start or o.start >= piece.end:
                        cut.append(piece)
                        continue
                    if piece.start < o.start:
                        cut.append(_cut(piece, piece.start, o.start))
                    if o.end < piece.end:
                        cut.append(_cut(piece, o.end, piece.end))
                pieces = cut
                k += 1
            out.extend(pieces)
        for o in overrides:
            out.extend(self._override_pieces(o, max(o.start, start), min(o.end, end)))
        out.sort(key=lambda s: s.start)
        return out

    def _override_pieces(self, o: OverrideSpec, start: datetime, end: datetime) -> list[Shift]:
        """An override cut at duty-day boundaries, so each piece belongs to one duty day."""
        version = self.version_at(start) or (self.spec.versions[0] if self.spec.versions else None)
        handoff = version.handoff if version else time(3, 0)
        tz = self.spec.timezone
        people = (o.member_id,) if o.member_id is not None else ()
        pieces: list[Shift] = []
        day = duty_date_at(start, handoff, tz)
        cursor = start
        while cursor < end:
            boundary = min(day_start(day + timedelta(days=1), handoff, tz), end)
            pieces.append(
                Shift(
                    rotation_id=self.spec.id,
                    duty_date=day,
                    start=cursor,
                    end=boundary,
                    member_ids=people,
                    source=SOURCE_OVERRIDE,
                    ref_id=o.id,
                )
            )
            cursor, day = boundary, day + timedelta(days=1)
        return pieces

    # -- helpers for edits -------------------------------------------------------------------

    def broken_swaps(self, since: datetime) -> list[SwapSpec]:
        """Swaps in force with a traded shift still to come that its person no longer holds."""
        tz = self.spec.timezone
        reference = self.version_at(since)
        if reference is None:
            return []
        broken: list[SwapSpec] = []
        for swap in self.spec.swaps:
            if swap.applies_until is not None:
                continue
            for member, day in ((swap.member_a, swap.date_a), (swap.member_b, swap.date_b)):
                if day is None:
                    continue
                if day_start(day + timedelta(days=1), reference.handoff, tz) <= since:
                    continue  # that shift is over: history
                if not self._holds(member, day, since):
                    broken.append(swap)
                    break
        return broken

    def turn_position(self, at: datetime, day: date) -> tuple[date, int, int] | None:
        """For the turn holding (or next after) ``day`` under the version in force at ``at``:
        (turn's first day, position, turn).

        ``position`` is the index in the version's member list of the turn's primary.
        """
        version = self.version_at(at)
        if version is None or not version.member_ids:
            return None
        calendar = self.calendars[version.calendar]
        ref = calendar.next_active(max(day, version.anchor_date))
        if ref is None:
            return None
        turn_days = max(1, version.turn_days)
        turn = calendar.active_between(version.anchor_date, ref) // turn_days
        first = ref
        while True:
            previous = first - timedelta(days=1)
            if previous < version.anchor_date:
                break
            if calendar.active_between(version.anchor_date, previous) < turn * turn_days:
                break
            first = previous
        n = len(version.member_ids)
        position = (version.anchor_index + turn * version.people_per_turn) % n
        return first, position, turn


def merge_pieces(pieces: Sequence[Shift]) -> list[Shift]:
    """Adjacent pieces of one duty day with the same people and origin as one piece.

    Every roster edit starts a version at the moment it is made, so three edits on one day cut
    the day into four pieces that all say the same thing; consumers (views, the API, the feeds)
    must see one shift. Pieces of no length are dropped.
    """
    out: list[Shift] = []
    for piece in pieces:
        if piece.end <= piece.start:
            continue
        if out:
            last = out[-1]
            if (
                last.end == piece.start
                and last.duty_date == piece.duty_date
                and last.member_ids == piece.member_ids
                and last.source == piece.source
                and last.ref_id == piece.ref_id
            ):
                out[-1] = replace(
                    last, end=piece.end, provisional=last.provisional or piece.provisional
                )
                continue
        out.append(piece)
    return out


def day_people(pieces: Sequence[Shift]) -> tuple[int, ...]:
    """Everyone who holds some of a duty day, longest-held first (ties: who comes first)."""
    held: dict[int, timedelta] = {}
    for piece in pieces:
        for member_id in piece.member_ids:
            held[member_id] = held.get(member_id, timedelta(0)) + (piece.end - piece.start)
    order = list(held)
    return tuple(sorted(order, key=lambda m: (-held[m], order.index(m))))


def main_people(pieces: Sequence[Shift]) -> tuple[int, ...]:
    """The people (primary first) holding most of a duty day: the day's "turn" as people say it."""
    held: dict[tuple[int, ...], timedelta] = {}
    for piece in pieces:
        if piece.member_ids:
            held[piece.member_ids] = held.get(piece.member_ids, timedelta(0)) + (
                piece.end - piece.start
            )
    if not held:
        return ()
    order = list(held)
    return min(order, key=lambda people: (-held[people], order.index(people)))


def _people(version: VersionSpec, turn: int) -> tuple[int, ...]:
    members = version.member_ids
    n = len(members)
    size = min(max(1, version.people_per_turn), n)
    first = (version.anchor_index + turn * max(1, version.people_per_turn)) % n
    return tuple(members[(first + j) % n] for j in range(size))


def _swap_people(swap: SwapSpec, day: date, people: tuple[int, ...]) -> tuple[int, ...]:
    """The turn's people after ``swap`` on ``day`` (never anyone twice).

    ``create_swap`` refuses a swap that would bring someone onto a shift they already hold;
    a roster edit after the swap can still make it so (B joins A's turn). Then the taker keeps
    their own place and A's place goes away: A is still off, as the swap promised.
    """
    if day == swap.date_a and swap.member_a in people:
        giver, taker = swap.member_a, swap.member_b
    elif swap.date_b is not None and day == swap.date_b and swap.member_b in people:
        giver, taker = swap.member_b, swap.member_a
    else:
        return people
    if taker in people:
        return tuple(m for m in people if m != giver)
    return tuple(taker if m == giver else m for m in people)


def _flatten_overrides(overrides: Iterable[OverrideSpec]) -> list[OverrideSpec]:
    """Sorted, non-overlapping overrides; where two overlap, the later one (higher id) wins."""
    valid = sorted((o for o in overrides if o.end > o.start), key=lambda x: (x.start, x.id))
    if all(a.end <= b.start for a, b in itertools.pairwise(valid)):
        return valid  # the usual case: the service refuses overlapping overrides
    result: list[OverrideSpec] = []
    for o in sorted(valid, key=lambda x: x.id):
        trimmed: list[OverrideSpec] = []
        for existing in result:
            if existing.end <= o.start or existing.start >= o.end:
                trimmed.append(existing)
                continue
            if existing.start < o.start:
                trimmed.append(replace(existing, end=o.start))
            if existing.end > o.end:
                trimmed.append(replace(existing, start=o.end))
        trimmed.append(o)
        result = trimmed
    result.sort(key=lambda x: x.start)
    return result


def _cut(shift: Shift, start: datetime, end: datetime) -> Shift:
    """The part of ``shift`` in [start, end) (faster than dataclasses.replace)."""
    return Shift(
        shift.rotation_id,
        shift.duty_date,
        start,
        end,
        shift.member_ids,
        shift.source,
        shift.turn,
        shift.provisional,
        shift.ref_id,
    )


# -- module-level conveniences ---------------------------------------------------------------


def compute_shifts(spec: RotationSpec, start: datetime, end: datetime) -> list[Shift]:
    """The final schedule of one rotation in [start, end)."""
    return CompiledRotation(spec).shifts(start, end)


def on_duty_at(spec: RotationSpec, at: datetime) -> tuple[int, ...]:
    """Who holds one rotation at ``at``, primary first."""
    return CompiledRotation(spec).people_at(at)


def team_shifts(
    specs: Sequence[RotationSpec], start: datetime, end: datetime
) -> dict[int, list[Shift]]:
    """The final schedule of several rotations, by rotation id."""
    return {spec.id: compute_shifts(spec, start, end) for spec in specs}


def team_on_duty(specs: Sequence[RotationSpec], at: datetime) -> dict[int, tuple[int, ...]]:
    """Who holds each rotation of a team at ``at`` (pure; what "who is on duty now" runs)."""
    return {spec.id: CompiledRotation(spec).people_at(at) for spec in specs}
