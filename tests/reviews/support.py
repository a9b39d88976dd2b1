"""The 360 tests' setting: the demo team directed by 李华 (lihua), a clock on Monday
2026-11-30 09:00 Beijing, and helpers that answer as a member through the service."""

from __future__ import annotations

from datetime import date
from typing import Any

from teamassist.reviews import service, summary
from teamassist.reviews.models import ReviewCycle
from teamassist.runtime import Runtime
from tests.okr.support import demo, set_clock
from tests.outreach.support import set_up_groups

DUE = "2026-12-04"


def set_up(runtime: Runtime) -> None:
    """李华 directs the demo team; the clock is Monday 2026-11-30 09:00 (Beijing)."""
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime)


def start(runtime: Runtime, *reviewees: str, by: str = "lihua") -> int:
    """Start a cycle for ``reviewees`` due :data:`DUE`; returns its id."""
    with demo(runtime) as d:
        cycle = service.start(
            d.session,
            team=d.team,
            by=d.member(by),
            reviewees=[d.member(h) for h in reviewees],
            due_on=date.fromisoformat(DUE),
            now=runtime.clock(),
        )
        return cycle.id


def answer(runtime: Runtime, reviewer: str, reviewee: str, answers: dict[str, Any]) -> None:
    """``reviewer`` submits ``answers`` about ``reviewee`` in the latest cycle (committed)."""
    with demo(runtime) as d:
        cycle = service.latest_cycle(d.session, team=d.team)
        service.submit(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member(reviewee),
            reviewer=d.member(reviewer),
            answers=answers,
            now=runtime.clock(),
        )


def close(runtime: Runtime, by: str = "lihua") -> None:
    """The director closes the latest cycle."""
    with demo(runtime) as d:
        cycle = service.latest_cycle(d.session, team=d.team)
        service.close(d.session, team=d.team, cycle=cycle, by=d.member(by), now=runtime.clock())


def read(runtime: Runtime, reviewee: str, *, as_: str) -> summary.Summary:
    """``reviewee``'s summary of the latest cycle as ``as_`` reads it."""
    with demo(runtime) as d:
        cycle: ReviewCycle = service.latest_cycle(d.session, team=d.team)
        return summary.read(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member(reviewee),
            reader=d.member(as_),
            now=runtime.clock(),
        )
