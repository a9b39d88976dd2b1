"""Feedback desk on SQLite: submissions through the dispatcher, and listing one day's items.

1. ``/问题反馈 …`` and ``/产品建议 …`` from varied members through
   ``runtime.dispatcher.handle(InboundMessage(...))``: parse, route by the duty roster, record
   the item, queue the notices to the internal channel and the webhook robot, commit. Reported:
   commands per second and p50/p99 latency per command.
2. 100,000 items bulk-inserted over ~100 local days (not timed), then listing one random
   day's items: the core's ``service.day_lines`` (the light rows /当日反馈 lists) and, for
   comparison, ``service.items_of_day`` (full ORM items): p50/p99.

Run: ``python -m benchmarks.feedback_submit`` (or ``make bench``).
"""

from __future__ import annotations

import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from teamassist import demo, migrate
from teamassist.bootstrap import build_runtime
from teamassist.chat.types import ChatType, InboundMessage
from teamassist.clock import FrozenClock
from teamassist.config import Settings
from teamassist.database import transaction
from teamassist.enums import ChannelPurpose, Platform, Role
from teamassist.feedback import queries as feedback_queries
from teamassist.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import service as team_service

START = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # Monday 09:00 Asia/Shanghai
EXTRA_MEMBERS = 50
TEXTS = [
    "登录页面在 Safari 上点「登录」没有反应",
    "上传头像时报错 500 😭",
    "希望文档能加一个深色模式 🌙",
    "API 返回 429 太频繁了，能不能放宽限流",
    "SDK 的 README 示例跑不通：ImportError",
    "建议支持导出 CSV",
]


@dataclass
class Figures:
    """What one run measured (seconds unless named otherwise)."""

    submissions: int = 0
    submit_seconds: float = 0.0
    submit_cpu_seconds: float = 0.0  # this process's CPU time (other load on the machine aside)
    submit_latencies: list[float] = field(default_factory=list)
    items_in_db: int = 0
    notices_queued: int = 0
    day_queries: int = 0
    day_latencies: list[float] = field(default_factory=list)  # service.day_lines
    orm_day_latencies: list[float] = field(default_factory=list)  # service.items_of_day
    day_rows: list[int] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.submissions / self.submit_seconds if self.submit_seconds else 0.0


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def build(folder: Path) -> tuple[Runtime, FrozenClock, list[str]]:
    """A migrated SQLite file with the demo (rotations, internal channel), a webhook robot and
    extra community members; returns the runtime, its clock and the member handles."""
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    clock = FrozenClock(START)
    runtime = build_runtime(Settings(database={"url": url}), clock=clock)
    with transaction(runtime.factory) as session:
        demo.load(session, now=clock(), domains=runtime.domains)
        workspace = team_service.get_workspace_by_key(session, key=demo.DEMO_KEY)
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        team_service.create_channel(
            session,
            workspace=workspace,
            platform=Platform.WECOM.value,
            address="bench-robot",
            purpose=ChannelPurpose.WEBHOOK.value,
            name="企业微信机器人",
            team=team,
        )
        for n in range(EXTRA_MEMBERS):
            team_service.create_member(
                session,
                workspace=workspace,
                handle=f"user{n:02d}",
                display_name=f"社区用户{n:02d}",
                team=team,
                role=Role.MEMBER,
            )
        handles = [m.handle for m in team_service.get_members(session, workspace_id=workspace.id)]
    return runtime, clock, handles


def submit(
    runtime: Runtime,
    clock: FrozenClock,
    handles: list[str],
    n: int,
    figures: Figures,
    rng: random.Random,
) -> None:
    """``n`` submissions through the dispatcher, a few seconds apart on the frozen clock."""
    handle = runtime.dispatcher.handle
    started = time.perf_counter()
    cpu = time.process_time()
    for i in range(n):
        who = rng.choice(handles)
        command = "/问题反馈" if i % 3 else "/产品建议"
        message = InboundMessage(
            platform=Platform.WEB,
            tenant_key=demo.DEMO_KEY,
            chat_key="public",
            chat_type=ChatType.GROUP,
            sender_key=who,
            sender_name=who,
            text=f"{command} {rng.choice(TEXTS)} #{i}",
        )
        t0 = time.perf_counter()
        result = handle(message)
        figures.submit_latencies.append(time.perf_counter() - t0)
        if result.reply is None or result.reply.is_error:
            raise RuntimeError(f"submission {i} failed: {result.reply}")
        clock.set(clock() + timedelta(seconds=3))
    figures.submit_seconds = time.perf_counter() - started
    figures.submit_cpu_seconds = time.process_time() - cpu
    figures.submissions = n


def bulk_items(runtime: Runtime, count: int, days: int, rng: random.Random) -> list[date]:
    """Insert ``count`` items spread over ``days`` local days before START (untimed)."""
    first = START.date() - timedelta(days=days)
    with transaction(runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key=demo.DEMO_KEY)
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        members = team_service.get_members(session, workspace_id=workspace.id)
        statuses = [s.value for s in FeedbackStatus if s is not FeedbackStatus.DUPLICATE]
        batch: list[dict[str, object]] = []
        for i in range(count):
            day = first + timedelta(days=rng.randrange(days))
            at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                seconds=rng.randrange(16 * 3600)
            )
            reporter, owner = rng.choice(members), rng.choice(members)
            batch.append(
                {
                    "workspace_id": workspace.id,
                    "team_id": team.id,
                    "kind": rng.choice((FeedbackKind.BUG.value, FeedbackKind.SUGGESTION.value)),
                    "text": f"{rng.choice(TEXTS)} (bulk {i})",
                    "reporter_id": reporter.id,
                    "reporter_name": reporter.display_name,
                    "origin_platform": "web",
                    "origin_tenant_key": demo.DEMO_KEY,
                    "origin_chat_key": "public",
                    "origin_chat_name": "公共频道",
                    "origin_message_id": None,
                    "owner_id": owner.id,
                    "status": rng.choice(statuses),
                    "duplicate_of_id": None,
                    "plus_ones": 0,
                    # UTC midnight + up to 16 h is the same Asia/Shanghai day until 16:00 UTC
                    "local_date": (at + timedelta(hours=8)).date(),
                    "created_at": at,
                    "acknowledged_at": None,
                    "resolved_at": None,
                    "resolution_note": None,
                    "awaiting_since": at,
                    "renotified_at": None,
                    "escalated_at": None,
                    "digest_pending": False,
                    "updated_at": at,
                }
            )
            if len(batch) == 5000:
                session.execute(insert(FeedbackItem), batch)
                batch = []
        if batch:
            session.execute(insert(FeedbackItem), batch)
    return [first + timedelta(days=d) for d in range(days + 1)]


def list_days(
    runtime: Runtime, days: list[date], n: int, figures: Figures, rng: random.Random
) -> None:
    """``day_lines`` and ``items_of_day`` for ``n`` random days, each call in a fresh session
    (as a command would)."""
    with runtime.factory() as session:
        workspace = team_service.get_workspace_by_key(session, key=demo.DEMO_KEY)
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        session.expunge(team)
    chosen = [rng.choice(days) for _ in range(n)]
    # Two separate passes: the ORM pass's garbage would otherwise land in the other's figures.
    for day in chosen:
        with runtime.factory() as session:
            t0 = time.perf_counter()
            rows = feedback_queries.day_lines(session, team=team, day=day)
            figures.day_latencies.append(time.perf_counter() - t0)
            figures.day_rows.append(len(rows))
    for day in chosen:
        with runtime.factory() as session:
            t0 = time.perf_counter()
            feedback_queries.items_of_day(session, team=team, day=day)
            figures.orm_day_latencies.append(time.perf_counter() - t0)
    figures.day_queries = n


def run(
    *,
    submissions: int = 10_000,
    items: int = 100_000,
    days: int = 100,
    queries: int = 1_000,
    seed: int = 7,
    folder: Path | None = None,
) -> Figures:
    """Build, submit, bulk-load, list; returns the figures."""
    rng = random.Random(seed)
    figures = Figures()
    with tempfile.TemporaryDirectory(prefix="ta-bench-") as tmp:
        runtime, clock, handles = build(folder or Path(tmp))
        try:
            submit(runtime, clock, handles, submissions, figures, rng)
            with runtime.factory() as session:
                figures.notices_queued = (
                    session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
                )
            all_days = bulk_items(runtime, items, days, rng)
            with runtime.factory() as session:
                figures.items_in_db = (
                    session.scalar(select(func.count()).select_from(FeedbackItem)) or 0
                )
            list_days(runtime, all_days, queries, figures, rng)
        finally:
            runtime.close()
    return figures


def machine() -> str:
    """One line naming what the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def report(figures: Figures) -> list[str]:
    """The figures as lines for the README."""
    ms = 1000.0
    return [
        f"machine: {machine()}",
        f"submit: {figures.submissions} commands in {figures.submit_seconds:.1f} s = "
        f"{figures.per_second:.0f} commands/s; latency p50 "
        f"{percentile(figures.submit_latencies, 50) * ms:.2f} ms, p99 "
        f"{percentile(figures.submit_latencies, 99) * ms:.2f} ms, mean "
        f"{statistics.fmean(figures.submit_latencies or [0]) * ms:.2f} ms; "
        f"CPU {figures.submit_cpu_seconds / max(1, figures.submissions) * ms:.2f} ms per command "
        f"({figures.notices_queued} notices queued)",
        f"list a day: {figures.day_queries} random days out of {figures.items_in_db} items, "
        f"{statistics.fmean(figures.day_rows or [0]):.0f} items per day on average; "
        f"day_lines p50 {percentile(figures.day_latencies, 50) * ms:.2f} ms, p99 "
        f"{percentile(figures.day_latencies, 99) * ms:.2f} ms; items_of_day (ORM) p50 "
        f"{percentile(figures.orm_day_latencies, 50) * ms:.2f} ms, p99 "
        f"{percentile(figures.orm_day_latencies, 99) * ms:.2f} ms",
    ]


def main() -> None:
    """Run at full size and print the figures."""
    for line in report(run()):
        print(line)


if __name__ == "__main__":
    main()
