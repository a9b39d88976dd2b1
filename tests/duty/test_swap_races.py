"""One swap or cover sent many times at once is stored once (tester s25 F-26, F-B18), on every
backend: on PostgreSQL 20 `/值班换班 @dan 2026-12-07 @alice 2026-12-08` at once stored 14
identical swaps (MariaDB 2), so undoing one left the roster swapped, and 20 `/值班代班` stored 9
overlapping covers; each had checked 「已经换过了」 / 「重叠了」 before the others committed.
Each sender runs in its own thread and transaction; all have read the rotation, its swaps and
its covers before any writes (``tests.support.races.side_by_side``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.clock import parse_hhmm
from teamassist.duty import overrides, service
from teamassist.duty.models import Override, Rotation, Swap
from teamassist.duty.rotation import day_start
from teamassist.runtime import Runtime
from tests.support.races import side_by_side
from tests.team.support import demo

# The demo's 技术 rotation, one a day from Monday 2026-06-01: 张三, 李四, 王五, 张三, 李四, ...
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (date(2026, 6, d) for d in (2, 3, 4, 5))


def _tech(session: Session) -> Rotation:
    return next(r for r in service.rotations(session, team=demo(session).team) if r.key == "tech")


def _read_rotation(session: Session) -> None:
    """Read first, as the chat command does: the team, the tech rotation's spec (versions,
    covers, swaps)."""
    service.current_spec(session, demo(session).team, _tech(session))


def _friday(session: Session) -> tuple[datetime, datetime]:
    """Friday's duty day of the tech rotation: from its hand-off (03:00) to Saturday's."""
    d = demo(session)
    handoff = parse_hhmm(service.rotation_handoff(session, d.team, _tech(session)))
    start = day_start(FRIDAY, handoff, d.team.timezone)
    return start, day_start(FRIDAY + timedelta(days=1), handoff, d.team.timezone)


def _trade(session: Session, now: datetime) -> None:
    d = demo(session)
    overrides.create_swap(
        session,
        team=d.team,
        rotation=_tech(session),
        member_a=d["zhangsan"],
        date_a=THURSDAY,
        member_b=d["lisi"],
        date_b=TUESDAY,
        now=now,
    )


def _one_way(session: Session, now: datetime) -> None:
    d = demo(session)
    overrides.create_swap(
        session,
        team=d.team,
        rotation=_tech(session),
        member_a=d["wangwu"],
        date_a=WEDNESDAY,
        member_b=d["zhangsan"],
        date_b=None,
        now=now,
    )


def _override(session: Session, now: datetime) -> None:
    d = demo(session)
    start, end = _friday(session)
    overrides.add_override(
        session,
        team=d.team,
        rotation=_tech(session),
        start=start,
        end=end,
        member=d["wangwu"],
        now=now,
    )


def _live_swaps(session: Session) -> list[tuple[object, ...]]:
    handles = {m.id: m.handle for m in demo(session).people.values()}
    rows = session.scalars(select(Swap).where(Swap.cancelled_at.is_(None))).all()
    return [(handles[r.member_a_id], r.date_a, handles[r.member_b_id], r.date_b) for r in rows]


def _live_overrides(session: Session) -> list[tuple[object, ...]]:
    handles = {m.id: m.handle for m in demo(session).people.values()}
    rows = session.scalars(select(Override).where(Override.cancelled_at.is_(None))).all()
    return [(handles.get(r.member_id or 0), r.start_at, r.end_at) for r in rows]


@dataclass(frozen=True)
class Race:
    """One change sent by four senders at once: what the three late ones are told, and the
    one live row that must be left (read by ``live``; ``stored`` may ask the session)."""

    send: Callable[[Session, datetime], None]
    refusal: str
    live: Callable[[Session], list[tuple[object, ...]]]
    stored: Callable[[Session], tuple[object, ...]]


RACES = [
    pytest.param(
        Race(
            _trade,
            "duty.error.swap_exists",  # 「这个班次已经换过了」
            _live_swaps,
            lambda _session: ("zhangsan", THURSDAY, "lisi", TUESDAY),
        ),
        id="trade",
    ),
    pytest.param(
        Race(
            _one_way,
            "duty.error.swap_exists",
            _live_swaps,
            lambda _session: ("wangwu", WEDNESDAY, "zhangsan", None),
        ),
        id="one-way cover",
    ),
    pytest.param(
        Race(
            _override,
            "duty.error.override_overlap",  # it overlaps the cover just made
            _live_overrides,
            lambda session: ("wangwu", *_friday(session)),
        ),
        id="override",
    ),
]


@pytest.mark.parametrize("race", RACES)
def test_the_same_change_sent_at_once_is_stored_once(demo_runtime: Runtime, race: Race) -> None:
    rt = demo_runtime
    now = rt.clock()

    outcome = side_by_side(rt, [lambda session: race.send(session, now)] * 4, read=_read_rotation)

    # one is stored; the others are told it was made already
    assert outcome == [race.refusal] * 3 + ["ok"], outcome
    with rt.factory() as session:
        assert race.live(session) == [race.stored(session)]
