"""A 200-person team's OKR cycle: publish it, roll it up, render the team page (issue 12).

On a SQLite database migrated with ``teamassist.migrate``, a team of ``people`` members (200)
each writes 3 Os of 4 KRs (weights 25%) for 2026Q4 and publishes them through the service
(``objectives.create_objective`` / ``add_key_result`` / ``publish``); then 12 weekly check-ins
per KR are bulk-inserted (28,800 rows) with each KR's latest value, as ``checkins.check_in``
leaves it. With the clock pinned at 2026-12-24 (the cycle active, 12 weeks in), three targets
are timed in turn, interleaved, ``reps`` rounds of ``calls`` each (after a warm-up):

- **roll-up**: the whole team's cycle in a fresh session, as ``/团队OKR`` and
  ``GET /api/v1/okr/objectives`` compute it: ``objectives.objectives`` then
  ``rollup.of_cycle`` (expectation in working days, every KR's progress, every O's);
- **team page**: ``GET /okr/team`` through the app in-process (``TestClient``, signed in),
  the server's whole request: roll-up, names, template;
- **bare**: a FastAPI endpoint returning a constant, through its own ``TestClient``.

Reported: p50/p99 per target (pooled over rounds) and the median of the rounds' p50s, the
page's ratio to the bare endpoint, and the statements each target runs (one per table, not
one per O). Targets: roll-up ≤ 50 ms, team page ≤ 100 ms.

Run: ``python -m benchmarks.okr_team`` (or ``make bench``); ``--people 200 --calls 30``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert, update

from teamassist import migrate
from teamassist.bootstrap import build_runtime
from teamassist.clock import FrozenClock
from teamassist.config import Settings
from teamassist.database import StatementCounter, transaction
from teamassist.enums import Role
from teamassist.http import auth
from teamassist.okr import cycles, rollup, rows
from teamassist.okr import objectives as okr
from teamassist.okr.models import CheckIn, CycleKind, KeyResult
from teamassist.okr.objectives import KrInput
from teamassist.okr.pages import team as team_screen
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 24, 10, 0, tzinfo=ZONE)
PLANNED = datetime(2026, 10, 1, 9, 0, tzinfo=ZONE)
OS_EACH, KRS_EACH, WEEKS = 3, 4, 12
SEED = 12
PASSWORD = "bench-password"


@dataclass
class Figures:
    """Seconds per call per target and round; fill times; statements per target."""

    people: int
    rounds: dict[str, list[list[float]]] = field(default_factory=dict)
    publish_seconds: float = 0.0
    checkin_seconds: float = 0.0
    statements: dict[str, int] = field(default_factory=dict)
    objectives: int = 0
    key_results: int = 0
    check_ins: int = 0


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def publish(runtime: Runtime, people: int) -> tuple[int, int]:
    """The team, its members and their published Os and KRs; returns (team id, cycle id)."""
    with transaction(runtime.factory) as session:
        workspace = team_service.create_workspace(session, key="bench", name="bench")
        team = team_service.create_team(
            session, workspace=workspace, key="okr", name="OKR 团队", timezone="Asia/Shanghai"
        )
        cycle = cycles.get_or_create(session, team=team, kind=CycleKind.QUARTER, year=2026, index=4)
        for n in range(people):
            member = team_service.create_member(
                session,
                workspace=workspace,
                handle=f"p{n:03d}",
                display_name=f"成员{n:03d}",
                team=team,
                role=Role.ADMIN if n == 0 else Role.MEMBER,
            )
            if n == 0:
                auth.set_password(session, username="bench", password=PASSWORD, member=member)
            made = []
            for o in range(OS_EACH):
                objective = okr.create_objective(
                    session, team=team, cycle=cycle, owner=member, title=f"目标{o}", now=PLANNED
                )
                for k in range(KRS_EACH):
                    okr.add_key_result(
                        session,
                        team=team,
                        objective=objective,
                        data=KrInput(f"关键结果{k}", start=0, target=100, unit="%", weight=25),
                        now=PLANNED,
                    )
                made.append(objective)
            okr.publish(session, team=team, cycle=cycle, chosen=made, now=PLANNED)
        return team.id, cycle.id


def check_in(runtime: Runtime, cycle_id: int) -> int:
    """12 weekly check-ins per KR, bulk-inserted, and each KR's latest value set."""
    rng = random.Random(SEED)
    with transaction(runtime.factory) as session:
        krs = list(
            session.execute(
                KeyResult.__table__.select().where(KeyResult.cycle_id == cycle_id)
            ).mappings()
        )
        rows: list[dict[str, object]] = []
        latest: list[dict[str, object]] = []
        for kr in krs:
            value, confidence = 0.0, 7
            for week in range(1, WEEKS + 1):
                day = date(2026, 10, 5) + timedelta(days=7 * (week - 1))
                value = min(120.0, value + rng.uniform(0, 14))
                confidence = max(0, min(10, confidence + rng.choice((-1, 0, 0, 1))))
                at = datetime.combine(day, clock_time(17), tzinfo=ZONE)
                rows.append(
                    {
                        "key_result_id": kr["id"],
                        "author_id": kr["owner_id"],
                        "value": round(value, 1),
                        "confidence": confidence,
                        "comment": "",
                        "at": at,
                        "local_date": day,
                        "late": False,
                    }
                )
            latest.append(
                {
                    "id": kr["id"],
                    "current_value": round(value, 1),
                    "confidence": confidence,
                    "last_checkin_at": at,
                }
            )
        for start in range(0, len(rows), 5000):
            session.execute(insert(CheckIn), rows[start : start + 5000])
        session.execute(update(KeyResult), latest)
        return len(rows)


def _bare() -> TestClient:
    app = FastAPI()

    @app.get("/bare")
    def bare() -> dict[str, int]:
        return {"ok": 1}

    return TestClient(app)


def _timed(call: Callable[[], object], calls: int) -> list[float]:
    samples = []
    for _ in range(calls):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def run(people: int = 200, *, calls: int = 30, reps: int = 5) -> Figures:
    """Fill a scratch SQLite database and time the three targets (see the module docstring)."""
    figures = Figures(people)
    with tempfile.TemporaryDirectory(prefix="ta-okr-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'okr.db'}"
        migrate.upgrade(url)
        runtime = build_runtime(Settings(database={"url": url}), clock=FrozenClock(NOW))
        try:
            began = time.perf_counter()
            team_id, cycle_id = publish(runtime, people)
            figures.publish_seconds = time.perf_counter() - began
            began = time.perf_counter()
            figures.check_ins = check_in(runtime, cycle_id)
            figures.checkin_seconds = time.perf_counter() - began
            workdays = runtime.ports.get(Workdays)

            workspace_id = _workspace_id(runtime)

            def roll_up() -> int:
                with runtime.factory() as session:
                    team = team_service.get_team(
                        session, workspace_id=workspace_id, team_id=team_id
                    )
                    cycle = cycles.get(session, team=team, cycle_id=cycle_id)
                    _expected, found = rollup.summary_of_cycle(
                        session, team=team, cycle=cycle, workdays=workdays, today=NOW.date()
                    )
                    return len(found)

            def kr_views() -> int:
                with runtime.factory() as session:
                    team = team_service.get_team(
                        session, workspace_id=workspace_id, team_id=team_id
                    )
                    cycle = cycles.get(session, team=team, cycle_id=cycle_id)
                    found = rows.objectives(session, team_id=team.id, cycle_id=cycle.id)
                    _expected, views = rollup.of_cycle(
                        session,
                        team=team,
                        cycle=cycle,
                        objectives=found,
                        workdays=workdays,
                        today=NOW.date(),
                    )
                    return len(views)

            figures.objectives = roll_up()
            figures.key_results = figures.objectives * KRS_EACH
            app = create_app(runtime, start_background=False)
            with TestClient(app) as page, _bare() as bare:
                signed = page.post(
                    "/login",
                    data={"username": "bench", "password": PASSWORD},
                    follow_redirects=False,
                )
                assert signed.status_code == 303, signed.text

                def team_page() -> None:
                    response = page.get("/okr/team")
                    response.raise_for_status()
                    shown = min(figures.objectives, team_screen.PAGE_SIZE)
                    assert response.text.count('<tr data-ref="O-') == shown

                targets: dict[str, Callable[[], object]] = {
                    "bare": lambda: bare.get("/bare").raise_for_status(),
                    "roll-up": roll_up,
                    "KR views": kr_views,
                    "team page": team_page,
                }
                for name, target in targets.items():  # warm-up, and the statements each runs
                    _timed(target, 3)
                    with StatementCounter(runtime.engine) as counter:
                        target()
                    figures.statements[name] = len(
                        [s for s in counter.statements if s not in ("BEGIN", "COMMIT", "ROLLBACK")]
                    )
                for _round in range(reps):
                    for name, target in targets.items():
                        figures.rounds.setdefault(name, []).append(_timed(target, calls))
        finally:
            runtime.close()
    return figures


def _workspace_id(runtime: Runtime) -> int:
    with runtime.factory() as session:
        workspace = team_service.get_workspace_by_key(session, key="bench")
        assert workspace is not None
        return workspace.id


def report(figures: Figures) -> list[str]:
    """The fill, then one line per target with its ratio to the bare endpoint's p50."""
    lines = [
        f"{figures.people} people · {figures.objectives} Os · {figures.key_results} KRs · "
        f"{figures.check_ins:,} check-ins: publish through the service "
        f"{figures.publish_seconds:.1f} s, check-ins bulk-inserted {figures.checkin_seconds:.1f} s"
    ]
    bare = percentile([s for r in figures.rounds["bare"] for s in r], 50)
    for name, rounds in figures.rounds.items():
        pooled = [s for r in rounds for s in r]
        p50 = percentile(pooled, 50)
        medians = statistics.median(percentile(r, 50) for r in rounds)
        lines.append(
            f"{name:<10}: p50 {p50 * 1e3:7.2f} ms   p99 {percentile(pooled, 99) * 1e3:7.2f} ms"
            f"   median of {len(rounds)} rounds' p50 {medians * 1e3:7.2f} ms"
            f"   {p50 / bare:6.1f}x bare   {figures.statements[name]} statements"
        )
    return lines


def main() -> None:
    """Print the figures (see the module docstring)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--reps", type=int, default=5)
    args, _rest = parser.parse_known_args()
    for line in report(run(args.people, calls=args.calls, reps=args.reps)):
        print(line)


if __name__ == "__main__":
    main()
