"""One swap or cover sent many times at once is stored once (tester s25 F-26, F-B18), on every
backend: on PostgreSQL 20 `/值班换班 @dan 2026-12-07 @alice 2026-12-08` at once stored 14
identical swaps (MariaDB 2), so undoing one left the roster swapped, and 20 `/值班代班` stored 9
overlapping covers; each had checked 「已经换过了」 / 「重叠了」 before the others committed.
Each sender runs in its own thread and transaction; all have read the rotation, its swaps and
its covers before any writes (``tests.support.races.side_by_side``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

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


def _live_swaps(rt: Runtime) -> list[tuple[str, date, str, date | None]]:
    with rt.factory() as session:
        handles = {m.id: m.handle for m in demo(session).people.values()}
        rows = session.scalars(select(Swap).where(Swap.cancelled_at.is_(None))).all()
        return [(handles[r.member_a_id], r.date_a, handles[r.member_b_id], r.date_b) for r in rows]


def test_the_same_trade_sent_at_once_is_stored_once(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    now = rt.clock()

    def trade(session: Session) -> None:
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

    outcome = side_by_side(rt, [trade] * 4, read=_read_rotation)

    # one trades; the others are told the shift was traded already
    assert outcome == ["duty.error.swap_exists"] * 3 + ["ok"], outcome
    assert _live_swaps(rt) == [("zhangsan", THURSDAY, "lisi", TUESDAY)]


def test_the_same_one_way_cover_sent_at_once_is_stored_once(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    now = rt.clock()

    def cover(session: Session) -> None:
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

    outcome = side_by_side(rt, [cover] * 4, read=_read_rotation)

    assert outcome == ["duty.error.swap_exists"] * 3 + ["ok"], outcome
    assert _live_swaps(rt) == [("wangwu", WEDNESDAY, "zhangsan", None)]


def test_the_same_override_sent_at_once_is_stored_once(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    now = rt.clock()
    with rt.factory() as session:
        d = demo(session)
        tz, handoff = d.team.timezone, time(3, 0)
        assert service.rotation_handoff(session, d.team, _tech(session)) == "03:00"
    start: datetime = day_start(FRIDAY, handoff, tz)
    end: datetime = day_start(FRIDAY + timedelta(days=1), handoff, tz)

    def cover(session: Session) -> None:
        d = demo(session)
        overrides.add_override(
            session,
            team=d.team,
            rotation=_tech(session),
            start=start,
            end=end,
            member=d["wangwu"],
            now=now,
        )

    outcome = side_by_side(rt, [cover] * 4, read=_read_rotation)

    # one cover; the others are told it overlaps the one just made
    assert outcome == ["duty.error.override_overlap"] * 3 + ["ok"], outcome
    with rt.factory() as session:
        wangwu = demo(session)["wangwu"].id
        rows = session.scalars(select(Override).where(Override.cancelled_at.is_(None))).all()
        assert [(r.member_id, r.start_at, r.end_at) for r in rows] == [(wangwu, start, end)]
