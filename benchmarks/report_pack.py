"""The weekly report pack of a 50-person team (issue 13): build it, render its .docx and PDF.

On a SQLite database migrated with ``teamassist.migrate``, ``people`` members (50) each publish
3 Os of 4 KRs for 2026Q4 with 12 weekly check-ins per KR (``benchmarks.okr_team``'s fill), write
a weekly entry (done / not done / next / risks / help), and own 2 action items (one overdue).
With the clock pinned at Monday 2026-12-21 10:00 Beijing, these are timed in turn, interleaved,
``reps`` rounds of ``calls`` each (after a warm-up):

- **weekly pack**: ``packs.build_pack`` for 12-14..12-20 in a fresh session (rolled back):
  the OKR and action-item queries through the event bus, the entries, the template, stored;
- **quarter pack** (only with ``--quarter``: minutes at 50 people): the same for 2026Q4 with
  the KR trend chart (each O's burn-up replayed day by day);
- **.docx** / **PDF**: the weekly pack's Markdown rendered by python-docx / WeasyPrint (a
  first download), and **.docx cached** / **PDF cached**: the same through the rendered-document
  cache (a second download of an unchanged pack);
- **bare**: a FastAPI endpoint returning a constant, through its own ``TestClient``.

Reported: p50/p99 per target and the ratio of each p50 to the bare endpoint's, with the load
average (the machine is shared). Run: ``python -m benchmarks.report_pack`` (or ``make bench``);
``--people 50 --calls 3 --reps 2 [--quarter]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from benchmarks.okr_team import _bare, _timed, check_in, percentile, publish
from teamassist import documents, migrate
from teamassist.actions.models import ActionItem
from teamassist.bootstrap import build_runtime
from teamassist.clock import FrozenClock
from teamassist.config import Settings
from teamassist.database import transaction
from teamassist.reports import packs
from teamassist.reports.models import WeeklyEntry
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Team

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 21, 10, 0, tzinfo=ZONE)
WEEK = (date(2026, 12, 14), date(2026, 12, 20))
QUARTER = (date(2026, 10, 1), date(2026, 12, 31))


@dataclass
class Figures:
    """Seconds per call per target and round; the pack's size."""

    people: int
    rounds: dict[str, list[list[float]]] = field(default_factory=dict)
    markdown_chars: int = 0
    docx_bytes: int = 0
    pdf_bytes: int = 0
    pdf_pages: int = 0


def _entries_and_items(runtime: Runtime, team_id: int) -> None:
    with transaction(runtime.factory) as session:
        team = session.get(Team, team_id)
        assert team is not None
        members = [m for m, _role in team_service.team_members(session, team=team)]
        session.execute(
            insert(WeeklyEntry),
            [
                {
                    "workspace_id": team.workspace_id,
                    "team_id": team.id,
                    "member_id": m.id,
                    "week_start": WEEK[0],
                    "done": "接口文档\n压测",
                    "not_done": "性能优化",
                    "next": "灰度上线\n复盘",
                    "risks": "人手不足",
                    "help": "需要测试支持",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for m in members
            ],
        )
        created = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)
        session.execute(
            insert(ActionItem),
            [
                {
                    "workspace_id": team.workspace_id,
                    "team_id": team.id,
                    "title": f"销项{n}",
                    "owner_id": m.id,
                    "requester_id": members[0].id,
                    "due_at": created + timedelta(days=2 + 7 * n),
                    "state": "open",
                    "created_at": created,
                    "updated_at": created,
                }
                for m in members
                for n in range(2)
            ],
        )


def run(people: int = 50, *, calls: int = 3, reps: int = 2, quarter: bool = False) -> Figures:
    """Fill a scratch SQLite database and time the targets (see the module docstring)."""
    figures = Figures(people)
    with tempfile.TemporaryDirectory(prefix="ta-reports-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'reports.db'}"
        migrate.upgrade(url)
        runtime = build_runtime(Settings(database={"url": url}), clock=FrozenClock(NOW))
        try:
            team_id, cycle_id = publish(runtime, people)
            check_in(runtime, cycle_id)
            _entries_and_items(runtime, team_id)

            def build(kind: str, period: tuple[date, date]) -> str:
                with runtime.factory() as session:
                    team = session.get(Team, team_id)
                    assert team is not None
                    pack = packs.build_pack(session, team, kind, *period, NOW)
                    markdown = pack.markdown
                    session.rollback()  # every round builds the same pack afresh
                    return markdown

            weekly = build("weekly", WEEK)
            figures.markdown_chars = len(weekly)
            figures.docx_bytes = len(documents.markdown_to_docx(weekly, title="bench"))
            pdf = documents.markdown_to_pdf(weekly, title="bench")
            figures.pdf_bytes, figures.pdf_pages = len(pdf), pdf.count(b"/Type /Page\n")
            with _bare() as bare:
                targets: dict[str, Callable[[], object]] = {
                    "bare": lambda: bare.get("/bare").raise_for_status(),
                    "weekly pack": lambda: build("weekly", WEEK),
                    ".docx": lambda: documents.markdown_to_docx(weekly, title="bench"),
                    "PDF": lambda: documents.markdown_to_pdf(weekly, title="bench"),
                    # what a download costs once the pack was rendered (documents/cache.py)
                    ".docx cached": lambda: documents.cached_docx(weekly, title="bench"),
                    "PDF cached": lambda: documents.cached_pdf_or_503(weekly, title="bench"),
                }
                if quarter:
                    targets["quarter pack"] = lambda: build("quarterly", QUARTER)
                for target in targets.values():  # warm-up
                    _timed(target, 1)
                for _round in range(reps):
                    for name, target in targets.items():
                        figures.rounds.setdefault(name, []).append(_timed(target, calls))
        finally:
            runtime.close()
    return figures


def report(figures: Figures) -> list[str]:
    """The pack's size, then one line per target with its ratio to the bare endpoint's p50."""
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    lines = [
        f"{figures.people} people · weekly pack {figures.markdown_chars:,} chars of Markdown · "
        f".docx {figures.docx_bytes // 1024} KiB · PDF {figures.pdf_bytes // 1024} KiB · "
        f"load average {load}"
    ]
    bare = percentile([s for r in figures.rounds["bare"] for s in r], 50)
    for name, rounds in figures.rounds.items():
        pooled = [s for r in rounds for s in r]
        p50 = percentile(pooled, 50)
        medians = statistics.median(percentile(r, 50) for r in rounds)
        lines.append(
            f"{name:<13}: p50 {p50 * 1e3:8.1f} ms   p99 {percentile(pooled, 99) * 1e3:8.1f} ms"
            f"   median of {len(rounds)} rounds' p50 {medians * 1e3:8.1f} ms"
            f"   {p50 / bare:8.0f}x bare"
        )
    return lines


def main() -> None:
    """Print the figures (see the module docstring)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--quarter", action="store_true")
    args, _rest = parser.parse_known_args()
    figures = run(args.people, calls=args.calls, reps=args.reps, quarter=args.quarter)
    for line in report(figures):
        print(line)


if __name__ == "__main__":
    main()
