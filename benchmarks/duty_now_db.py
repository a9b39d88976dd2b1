""" "Who is on duty now" through a real SQLite database, with and without the spec cache.

The scenario of :mod:`benchmarks.duty_schedule` (50 people, 3 rotations, two roster edits each,
200 overrides, 20 swaps over a year) is written into a file database migrated with
``teamassist.migrate.upgrade``. Each call of ``service.on_duty_members`` runs in a fresh
session, as a chat command or a request does, at a random instant of the year:

- **cache off**: ``teamassist.duty.revision`` disabled — every call loads the specs (one query
  per table) and compiles them: the behaviour before the cache;
- **cache on**: one query checks the rotations' revisions, the compiled rotations are reused,
  and one more loads the members on duty.

Timings use ``time.perf_counter`` (p50 / p95 / p99 over ``calls`` calls, after a warm-up).

Run: ``.venv/bin/python -m benchmarks.duty_now_db``.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from benchmarks.duty_schedule import SEED, Sizes, build, year_window
from teamassist import migrate
from teamassist.database import make_engine, make_session_factory, transaction
from teamassist.duty import revision, service
from teamassist.duty.models import Override, Rotation, RotationVersion, Swap
from teamassist.enums import Role
from teamassist.team import service as team_service
from teamassist.team.models import Team

TZ = "Asia/Shanghai"


@dataclass
class Figures:
    """Seconds per call, and SELECT statements per call, for each mode."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    queries: dict[str, float] = field(default_factory=dict)


def populate(session: Session, sizes: Sizes) -> Team:
    """The benchmark's team, members and rotations (rows as the services would write them)."""
    workspace = team_service.create_workspace(session, key="bench", name="bench")
    team = team_service.create_team(
        session, workspace=workspace, key="bench", name="bench", timezone=TZ
    )
    specs = build(sizes)
    ids: dict[int, int] = {}
    for n in sorted({m for s in specs for v in s.versions for m in v.member_ids}):
        member = team_service.create_member(
            session,
            workspace=workspace,
            handle=f"p{n:03d}",
            display_name=f"成员{n}",
            team=team,
            role=Role.MEMBER,
        )
        ids[n] = member.id
    created = min(v.effective_at for s in specs for v in s.versions) - timedelta(days=1)
    for position, spec in enumerate(specs):
        row = Rotation(
            team_id=team.id,
            key=spec.key,
            name=spec.name,
            kind="custom",
            position=position,
            created_at=created,
        )
        session.add(row)
        session.flush()
        for v in spec.versions:
            session.add(
                RotationVersion(
                    rotation_id=row.id,
                    effective_at=v.effective_at,
                    member_ids=[ids[m] for m in v.member_ids],
                    anchor_date=v.anchor_date,
                    anchor_index=v.anchor_index,
                    turn_days=v.turn_days,
                    people_per_turn=v.people_per_turn,
                    handoff_time=v.handoff.strftime("%H:%M"),
                    calendar=v.calendar,
                    created_at=created,
                )
            )
        for o in spec.overrides:
            session.add(
                Override(
                    rotation_id=row.id,
                    start_at=o.start,
                    end_at=o.end,
                    member_id=ids[o.member_id] if o.member_id is not None else None,
                    created_at=created,
                )
            )
        for s in spec.swaps:
            session.add(
                Swap(
                    rotation_id=row.id,
                    member_a_id=ids[s.member_a],
                    date_a=s.date_a,
                    member_b_id=ids[s.member_b],
                    date_b=s.date_b,
                    created_at=s.applies_from,
                )
            )
    session.flush()
    session.expunge(team)
    return team


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def run(sizes: Sizes = Sizes(), *, calls: int = 2000, folder: Path | None = None) -> Figures:
    """Build the database, then time ``on_duty_members`` with the cache off and on."""
    figures = Figures()
    with tempfile.TemporaryDirectory(prefix="ta-duty-now-") as tmp:
        url = f"sqlite:///{(folder or Path(tmp)) / 'duty.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        revision.install(factory)  # as the duty domain does for the runtime's factory
        try:
            with transaction(factory) as session:
                team = populate(session, sizes)
            start, _ = year_window(sizes.days)
            rng = random.Random(SEED)
            instants = [
                start + timedelta(seconds=rng.randrange(sizes.days * 86400)) for _ in range(256)
            ]
            selects = 0

            def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
                nonlocal selects
                if statement.lstrip().upper().startswith("SELECT"):
                    selects += 1

            event.listen(engine, "before_cursor_execute", count)
            answers: dict[int, list[int]] = {}
            for label, enabled in (("cache off", False), ("cache on", True)):
                revision.set_enabled(enabled)
                samples: list[float] = []
                for i in range(calls + 50):
                    at = instants[i % len(instants)]
                    with factory() as session:
                        began = time.perf_counter()
                        people = service.on_duty_members(session, team=team, at=at)
                        elapsed = time.perf_counter() - began
                    ids = [m.id for m in people]
                    if answers.setdefault(i % len(instants), ids) != ids:
                        raise AssertionError(f"{label} disagrees at {at.isoformat()}")
                    if i == 49:
                        selects = 0  # warm-up over (the first cache-on call fills the cache)
                    if i >= 50:
                        samples.append(elapsed)
                figures.samples[label] = samples
                figures.queries[label] = selects / calls
            event.remove(engine, "before_cursor_execute", count)
        finally:
            revision.set_enabled(True)
            engine.dispose()
    return figures


def report(figures: Figures) -> list[str]:
    """One line per mode."""
    lines = []
    for label, samples in figures.samples.items():
        lines.append(
            f"on_duty_members, SQLite, {label:<9}: p50 {percentile(samples, 50) * 1e3:.3f} ms"
            f"   p95 {percentile(samples, 95) * 1e3:.3f} ms"
            f"   p99 {percentile(samples, 99) * 1e3:.3f} ms"
            f"   mean {statistics.fmean(samples) * 1e3:.3f} ms"
            f"   ({figures.queries[label]:.1f} SELECTs per call, n={len(samples)})"
        )
    return lines


def main() -> None:
    """Print the figures (see the module docstring)."""
    for line in report(run()):
        print(line)


if __name__ == "__main__":
    main()
