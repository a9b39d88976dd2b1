"""Swaps and covers stored twice, from before the rotation lock (``85b3d10``, tester s25 F-26,
F-B18: 20 `/值班换班` sent at once stored 14 identical swaps on PostgreSQL, 20 `/值班代班` 9
overlapping covers), and rotation names stored with line breaks before ``2b46fb0``. The lock and
the name rule keep new ones right; these are what is left, for ``teamassist doctor``
(:class:`teamassist.events.StoredDoubles`). Read only: which of two
swaps is the one people meant is the admin's call, so nothing is cancelled here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.duty.models import Override, Rotation, Swap
from teamassist.duty.service import override_end
from teamassist.events import Double, StoredDoubles
from teamassist.i18n import t
from teamassist.team.doubles import not_one_line
from teamassist.team.models import Member, Team
from teamassist.team.names import one_line


def answer(session: Session, _query: StoredDoubles) -> tuple[Double, ...]:
    """Live swaps of a rotation that give away one person's shift of one day twice (the
    check 「这个班次已经换过了」 refuses a second now), and covers of a rotation whose times
    overlap (「重叠了」); each group once, oldest row first."""
    rotations = {
        r.id: (r, team)
        for r, team in session.execute(
            select(Rotation, Team).join(Team, Team.id == Rotation.team_id)
        )
    }
    people = select(Member.id, Member.display_name)
    names = {row.id: row.display_name for row in session.execute(people)}
    found: list[Double] = []
    swaps = session.scalars(
        select(Swap).where(Swap.cancelled_at.is_(None)).order_by(Swap.rotation_id, Swap.id)
    ).all()
    for traded in _sharing_a_shift(swaps):
        rotation, team = rotations[traded[0].rotation_id]
        first = traded[0]
        found.append(
            Double(
                "duty.swap",
                tuple(s.id for s in traded),
                t(
                    "duty.doctor.swaps",
                    team=team.name,
                    rotation=rotation.name,
                    rotation_id=rotation.id,
                    ids=_ids(s.id for s in traded),
                    a=names.get(first.member_a_id, "?"),
                    date_a=first.date_a.isoformat(),
                    b=names.get(first.member_b_id, "?"),
                    count=len(traded),
                ),
            )
        )
    # As add_override compares them: a cover cancelled part-way ends where it was cancelled.
    overrides = [
        o
        for o in session.scalars(
            select(Override).order_by(Override.rotation_id, Override.start_at, Override.id)
        )
        if override_end(o) > o.start_at
    ]
    for group in _overlapping(overrides):
        rotation, team = rotations[group[0].rotation_id]
        start = min(o.start_at for o in group)
        found.append(
            Double(
                "duty.override",
                tuple(sorted(o.id for o in group)),
                t(
                    "duty.doctor.overrides",
                    team=team.name,
                    rotation=rotation.name,
                    rotation_id=rotation.id,
                    ids=_ids(sorted(o.id for o in group)),
                    start=local(start, team.timezone).strftime("%Y-%m-%d %H:%M"),
                    count=len(group),
                ),
            )
        )
    # Names stored with line breaks before they were made one line (2b46fb0, tester s27 A-9):
    # they print fake roster lines. Rotations have no rename: the operator's edit.
    found.extend(
        not_one_line(
            "duty.rotation_name",
            ((rotation.id, rotation.name) for rotation, _team in rotations.values()),
            lambda row_id, clean: t(
                "duty.doctor.rotation_name",
                team=rotations[row_id][1].name,
                rotation_id=row_id,
                clean=clean,
            ),
            broken=lambda name: one_line(name) != name,
        )
    )
    return tuple(found)


def _sharing_a_shift(swaps: Sequence[Swap]) -> list[list[Swap]]:
    """Groups (two or more, by rotation) of swaps linked by a shift (person, day) they both
    give away, as ``overrides.create_swap`` compares them; each in id order."""
    by_rotation: dict[int, list[Swap]] = defaultdict(list)
    for swap in swaps:
        by_rotation[swap.rotation_id].append(swap)
    found: list[list[Swap]] = []
    for rows in by_rotation.values():
        groups: list[tuple[set[tuple[int, date]], list[Swap]]] = []
        for swap in rows:
            shifts = {
                (member, day)
                for member, day in (
                    (swap.member_a_id, swap.date_a),
                    (swap.member_b_id, swap.date_b),
                )
                if day is not None
            }
            linked = [g for g in groups if g[0] & shifts]
            merged = (shifts, [swap])
            for group in linked:
                groups.remove(group)
                merged = (merged[0] | group[0], group[1] + merged[1])
            groups.append(merged)
        found.extend(sorted(g, key=lambda s: s.id) for _, g in groups if len(g) > 1)
    return found


def _overlapping(overrides: Sequence[Override]) -> list[list[Override]]:
    """Groups (two or more, by rotation) of covers whose times overlap, in start order."""
    groups: list[list[Override]] = []
    current: list[Override] = []
    for row in overrides:  # by rotation, then start
        if (
            current
            and row.rotation_id == current[0].rotation_id
            and row.start_at < max(override_end(o) for o in current)
        ):
            current.append(row)
            continue
        if len(current) > 1:
            groups.append(current)
        current = [row]
    if len(current) > 1:
        groups.append(current)
    return groups


def _ids(ids: Iterable[int]) -> str:
    return "、".join(f"#{i}" for i in ids)
