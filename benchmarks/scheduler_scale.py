"""The scheduler at 100, 1,000 and 10,000 teams: morning notices, a reminder hour, an idle tick.

Each team (all in one workspace, the case where a per-workspace scan hurts most) has four
members, a public and an internal channel, and one daily rotation of the four; nobody has
signed in. The duty domain's jobs run through the real :class:`Scheduler` on a database
migrated with ``teamassist.migrate.upgrade``, on a frozen clock (Asia/Shanghai):

- **plan**: the first tick at 07:59 plans every (job, team) (not a target, printed for scale);
- **morning**: the tick at 08:00 queues every team's morning notice;
- **idle**: a tick at 08:00:20, when nothing is due (median of 5);
- **reminder hour**: the ticks at 10:00, 10:30 and 11:00 (sign-in reminders, three slots).

Next to them, the floor: one transaction inserting the same number of notice rows with an
executemany and nothing else ("bare insert"); the ratio says what the scheduler costs above it.
Statements are counted with an SQLAlchemy event (``StatementCounter``): per team they stay flat.
Next to each wall time, the CPU seconds this process spent (``cpu s``): on SQLite, where the
database runs in the process, it is the work itself, less skewed by a busy shared machine.

Targets (issue 9): 10,000 teams' morning notices ≤ 10 s, the reminder hour ≤ 20 s, an idle tick
≤ 100 ms, the cost per team flat from 100 to 10,000 teams.

Backends: SQLite always; PostgreSQL when ``TEAMASSIST_BENCH_PG_URL`` (or
``TEAMASSIST_TEST_PG_URL``) names a server whose scratch database may be dropped and recreated.
Sizes: ``TEAMASSIST_BENCH_SCHED_TEAMS=100,1000`` (default 100,1000,10000).

The interval sweeps of every domain (:func:`measure_sweeps`) are timed too, one slot per team
(their ``candidates`` hooks off) and set-based in turn; ``TEAMASSIST_BENCH_SCHED_SWEEPS=0``
leaves them out, ``TEAMASSIST_BENCH_SCHED_DUTY=0`` the duty jobs.

Run: ``.venv/bin/python -m benchmarks.scheduler_scale``.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from teamassist import migrate
from teamassist.clock import FrozenClock
from teamassist.database import (
    StatementCounter,
    make_engine,
    make_session_factory,
    normalise_url,
)
from teamassist.duty.jobs import jobs as duty_jobs
from teamassist.duty.models import Rotation, RotationVersion
from teamassist.outbox.models import OutboxMessage
from teamassist.scheduler.runner import Scheduler
from teamassist.team.models import Channel, Member, Team, TeamMembership, Workspace

TZ = "Asia/Shanghai"
DAY = date(2026, 6, 1)
PEOPLE = 4


def shanghai(hour: int, minute: int = 0, second: int = 0) -> datetime:
    """``hour:minute`` on the benchmark's day in Shanghai, as UTC."""
    local = datetime(DAY.year, DAY.month, DAY.day, hour, minute, second, tzinfo=ZoneInfo(TZ))
    return local.astimezone(UTC)


@dataclass
class Figures:
    """One backend, one number of teams."""

    backend: str
    teams: int
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # this process's CPU seconds
    statements: dict[str, int] = field(default_factory=dict)
    notices: dict[str, int] = field(default_factory=dict)

    def per_team_ms(self, phase: str) -> float:
        return self.seconds[phase] * 1000 / self.teams


def populate(engine: Engine, teams: int) -> None:
    """The teams and their people, channels and rotations, written with a few executemanys."""
    created = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Workspace),
            [{"id": 1, "key": "bench", "name": "bench", "kind": "standalone"}],
        )
        stamp = {"created_at": created, "updated_at": created}
        connection.execute(
            insert(Team),
            [
                {"id": t, "workspace_id": 1, "key": f"t{t}", "name": f"团队{t}", "timezone": TZ}
                | {"settings": {}}
                | stamp
                for t in range(1, teams + 1)
            ],
        )
        connection.execute(
            insert(Member),
            [
                {"id": m, "workspace_id": 1, "handle": f"m{m}", "display_name": f"成员{m}"}
                | {"active": True}
                | stamp
                for m in range(1, teams * PEOPLE + 1)
            ],
        )
        connection.execute(
            insert(TeamMembership),
            [
                {"team_id": t, "member_id": (t - 1) * PEOPLE + i, "role": "member", "core": False}
                for t in range(1, teams + 1)
                for i in range(1, PEOPLE + 1)
            ],
        )
        connection.execute(
            insert(Channel),
            [
                {"workspace_id": 1, "team_id": t, "platform": "web", "address": f"{p}-{t}"}
                | {"purpose": p, "name": p, "enabled": True}
                | stamp
                for t in range(1, teams + 1)
                for p in ("public", "internal")
            ],
        )
        connection.execute(
            insert(Rotation),
            [
                {"id": t, "team_id": t, "key": "tech", "name": "技术", "kind": "tech"}
                | {"position": 0, "created_at": created, "revision": t}
                for t in range(1, teams + 1)
            ],
        )
        connection.execute(
            insert(RotationVersion),
            [
                {"rotation_id": t, "effective_at": created, "anchor_date": created.date()}
                | {"member_ids": [(t - 1) * PEOPLE + i for i in range(1, PEOPLE + 1)]}
                | {"anchor_index": 0, "turn_days": 1, "people_per_turn": 1}
                | {"handoff_time": "03:00", "calendar": "all", "change": "create", "note": ""}
                | {"created_at": created}
                for t in range(1, teams + 1)
            ],
        )


def _timed(engine: Engine, work: Callable[[], object]) -> tuple[float, float, int]:
    """Wall seconds, this process's CPU seconds and statements of ``work()``."""
    with StatementCounter(engine) as counter:
        started, cpu = time.perf_counter(), time.process_time()
        work()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, len(counter.statements)


def _notices(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def measure(url: str, teams: int, backend: str, *, batch: int | None = None) -> Figures:
    """Migrate ``url``, fill it with ``teams`` teams and time the ticks of one morning."""
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        populate(engine, teams)
        factory = make_session_factory(engine)
        clock = FrozenClock(shanghai(7, 59))
        extra: dict[str, Any] = {} if batch is None else {"batch": batch}
        scheduler = Scheduler(factory, [duty_jobs], clock=clock, **extra)
        figures = Figures(backend, teams)

        def phase(name: str, *at: datetime) -> None:
            before = _notices(engine)
            total, cpu, statements = 0.0, 0.0, 0
            for instant in at:
                clock.set(instant)
                seconds, used, count = _timed(engine, scheduler.tick)
                total, cpu, statements = total + seconds, cpu + used, statements + count
            figures.seconds[name], figures.statements[name] = total, statements
            figures.cpu[name] = cpu
            figures.notices[name] = _notices(engine) - before

        phase("plan", shanghai(7, 59))
        phase("morning", shanghai(8, 0))
        idle: list[float] = []
        for second in range(10, 60, 10):
            phase("idle", shanghai(8, 0, second))
            idle.append(figures.seconds["idle"])
        figures.seconds["idle"] = statistics.median(idle)
        phase("calendar", shanghai(9, 0))
        phase("reminders", shanghai(10, 0), shanghai(10, 30), shanghai(11, 0))
        figures.seconds["bare"] = _bare_insert(engine, figures.notices["morning"])
        return figures
    finally:
        engine.dispose()


def _bare_insert(engine: Engine, rows: int) -> float:
    """The floor: ``rows`` notice rows inserted in one transaction, nothing computed."""
    now = datetime.now(UTC)
    values = [
        {"idempotency_key": f"bare:{i}", "platform": "web", "address": f"bare-{i}"}
        | {"payload": {"title": "早上好", "body": "今日值班：成员1"}, "status": "pending"}
        | {"attempts": 0, "next_attempt_at": now, "created_at": now}
        for i in range(rows)
    ]
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(insert(OutboxMessage), values)
    return time.perf_counter() - started


@dataclass
class Sweeps:
    """One slot of every domain's interval sweeps, per team (``candidates`` hooks switched off,
    as before they existed) and set-based, on the same database."""

    backend: str
    teams: int
    warm_up: float = 0.0
    seconds: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # this process's CPU seconds
    statements: dict[str, list[int]] = field(default_factory=dict)
    ran: dict[str, list[int]] = field(default_factory=dict)


def measure_sweeps(url: str, teams: int, backend: str) -> Sweeps:
    """Every installed domain's interval sweeps for ``teams`` teams, with nothing to do.

    The ticks at 07:59 and 08:00 plan and run them once (meetings plan each team's
    occurrences; the 6-hour directory refresh takes its 08:00 slot); then the slots of 08:15,
    08:30 and 08:45 (follow-ups, meeting steps, award phases, departures) run set-based, per
    team and set-based again. Nothing is due in them, as for most teams most of the day (the month's
    award round opens at 09:00)."""
    from dataclasses import replace

    from teamassist.bootstrap import build_runtime
    from teamassist.config import Settings
    from teamassist.scheduler.registry import JobGroup

    migrate.upgrade(url)
    clock = FrozenClock(shanghai(7, 59))
    runtime = build_runtime(Settings(database={"url": url}), clock=clock)
    try:
        populate(runtime.engine, teams)
        sweeps = list(runtime.scheduler.interval_jobs)
        ports = runtime.scheduler.ports
        set_based = Scheduler(
            runtime.factory, [JobGroup("all", interval_jobs=sweeps)], clock=clock, ports=ports
        )
        per_team = Scheduler(
            runtime.factory,
            [JobGroup("all", interval_jobs=[replace(job, candidates=None) for job in sweeps])],
            clock=clock,
            ports=ports,
        )
        figures = Sweeps(backend, teams)
        for instant in (shanghai(7, 59), shanghai(8, 0)):
            clock.set(instant)
            figures.warm_up += _timed(runtime.engine, set_based.tick)[0]
        slots = [(8, 15, "set-based"), (8, 30, "per team"), (8, 45, "set-based")]
        reports: list[Any] = []
        for hour, minute, name in slots:
            clock.set(shanghai(hour, minute))
            scheduler = per_team if name == "per team" else set_based
            seconds, cpu, statements = _timed(
                runtime.engine, partial(_tick_into, scheduler, reports)
            )
            figures.seconds.setdefault(name, []).append(seconds)
            figures.cpu.setdefault(name, []).append(cpu)
            figures.statements.setdefault(name, []).append(statements)
            figures.ran.setdefault(name, []).append(len(reports[-1].ran))
        return figures
    finally:
        runtime.close()


def _tick_into(scheduler: Scheduler, reports: list[Any]) -> None:
    reports.append(scheduler.tick())


def sweeps_report(figures: Sequence[Sweeps]) -> list[str]:
    """Lines to print for one backend's sweep slots (wall s / this process's CPU s)."""
    lines = [
        f"-- {figures[0].backend}: one slot of every interval sweep, nothing due; load average "
        f"{os.getloadavg()[0]:.1f}",
        f"{'teams':>6} {'warm-up s':>10} {'per team s (cpu)':>22} {'stmts':>7} {'runs':>6} "
        f"{'set-based s (cpu)':>30} {'stmts':>7} {'runs':>6}",
    ]
    for f in figures:
        cells = []
        for name in ("per team", "set-based"):
            times = " / ".join(
                f"{wall:.2f} ({cpu:.2f})"
                for wall, cpu in zip(f.seconds[name], f.cpu[name], strict=True)
            )
            cells.append(f"{times} {max(f.statements[name]):>7} {max(f.ran[name]):>6}")
        lines.append(f"{f.teams:>6} {f.warm_up:>10.2f} {cells[0]:>37} {cells[1]:>45}")
    return lines


def run(url_for: Callable[[int], str], backend: str, sizes: Sequence[int]) -> list[Figures]:
    """Measure each size on a fresh database from ``url_for(size)``."""
    return [measure(url_for(n), n, backend) for n in sizes]


def report(figures: Sequence[Figures]) -> list[str]:
    """Lines to print for one backend's sizes."""
    lines = [
        f"-- {figures[0].backend}: {PEOPLE} people, 2 channels, 1 rotation per team; one process; "
        f"load average {os.getloadavg()[0]:.1f}",
        f"{'teams':>6} {'morning s':>10} {'cpu s':>6} {'ms/team':>8} {'reminder hr s':>14} "
        f"{'cpu s':>6} {'ms/team':>8} "
        f"{'idle ms':>8} {'bare s':>7} {'÷ bare':>7} {'stmts/team':>11} {'plan s':>7}",
    ]
    for f in figures:
        lines.append(
            f"{f.teams:>6} {f.seconds['morning']:>10.2f} {f.cpu['morning']:>6.2f} "
            f"{f.per_team_ms('morning'):>8.2f} "
            f"{f.seconds['reminders']:>14.2f} {f.cpu['reminders']:>6.2f} "
            f"{f.per_team_ms('reminders'):>8.2f} "
            f"{f.seconds['idle'] * 1000:>8.1f} {f.seconds['bare']:>7.3f} "
            f"{f.seconds['morning'] / max(f.seconds['bare'], 1e-9):>7.1f} "
            f"{f.statements['morning'] / f.teams:>11.2f} {f.seconds['plan']:>7.2f}"
        )
    first, last = figures[0], figures[-1]
    lines.append(
        f"cost per team {last.teams} ÷ {first.teams} teams: morning "
        f"{last.per_team_ms('morning') / first.per_team_ms('morning'):.2f}, reminder hour "
        f"{last.per_team_ms('reminders') / first.per_team_ms('reminders'):.2f} (flat: ≈ 1)"
    )
    lines.append(
        f"targets at 10,000 teams: morning ≤ 10 s, reminder hour ≤ 20 s, idle ≤ 100 ms; at "
        f"{last.teams} teams: morning {last.seconds['morning']:.1f} s, reminder hour "
        f"{last.seconds['reminders']:.1f} s, idle {last.seconds['idle'] * 1000:.0f} ms"
    )
    lines.append(
        f"notices queued at {last.teams} teams: morning {last.notices['morning']}, "
        f"reminder hour {last.notices['reminders']}; idle tick {last.statements['idle']} "
        "statements"
    )
    return lines


def sizes_from_env() -> list[int]:
    raw = os.environ.get("TEAMASSIST_BENCH_SCHED_TEAMS", "100,1000,10000")
    return [int(part) for part in raw.split(",") if part.strip()]


def main() -> None:
    """Print the figures (see the module docstring)."""
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.platform()}")
    sizes = sizes_from_env()
    # As `teamassist serve` does once started: what is loaded by now lives as long as the
    # process, so the collector's full passes need not walk it (a third of a reminder hour's
    # CPU at 1,000 teams went to those passes).
    gc.collect()
    gc.freeze()
    sweeps = os.environ.get("TEAMASSIST_BENCH_SCHED_SWEEPS", "1") != "0"
    duty = os.environ.get("TEAMASSIST_BENCH_SCHED_DUTY", "1") != "0"
    with tempfile.TemporaryDirectory() as folder:
        if duty:
            figures = run(lambda n: f"sqlite:///{folder}/sched-{n}.db", "SQLite", sizes)
            for line in report(figures):
                print(line)
        if sweeps:
            swept = [
                measure_sweeps(f"sqlite:///{folder}/sweeps-{n}.db", n, "SQLite") for n in sizes
            ]
            for line in sweeps_report(swept):
                print(line)
    pg = os.environ.get("TEAMASSIST_BENCH_PG_URL") or os.environ.get("TEAMASSIST_TEST_PG_URL")
    if pg:
        if duty:
            figures = run(lambda n: _fresh_pg(pg, f"bench_sched_{n}"), "PostgreSQL", sizes)
            for line in report(figures):
                print(line)
        if sweeps:
            swept = [
                measure_sweeps(_fresh_pg(pg, f"bench_sweeps_{n}"), n, "PostgreSQL") for n in sizes
            ]
            for line in sweeps_report(swept):
                print(line)


def _fresh_pg(server_url: str, name: str) -> str:
    """A new, empty database on the PostgreSQL server (dropped again at the next run)."""
    admin = create_engine(normalise_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(normalise_url(server_url)).set(database=name).render_as_string(False)


if __name__ == "__main__":
    main()
