"""The per-process cache of compiled rotations: one query to check it, and never a stale answer —
after every kind of schedule edit, in the process that made it and in any other."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from teamassist.clock import FrozenClock
from teamassist.database import make_session_factory, transaction
from teamassist.domain import Wiring
from teamassist.duty import domain as duty_domain
from teamassist.duty import overrides, revision, service, signin
from teamassist.duty.models import Rotation
from teamassist.duty.planning import RosterChange
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from tests.conftest import load_demo, make_runtime
from tests.duty.helpers import at_local

MONDAY = date(2026, 6, 1)
NOON = at_local(MONDAY, 12)


@pytest.fixture
def two(sqlite_url: str, clock: FrozenClock) -> Iterator[tuple[Runtime, Runtime]]:
    """Two runtimes (two "processes": engines and caches) on one SQLite file with the demo."""
    first, second = make_runtime(sqlite_url, clock), make_runtime(sqlite_url, clock)
    load_demo(first)
    yield first, second
    first.close()
    second.close()


@contextmanager
def team_session(runtime: Runtime) -> Iterator[tuple[Session, Team, dict[str, Member]]]:
    with transaction(runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        members = {
            m.handle: m for m in team_service.get_members(session, workspace_id=workspace.id)
        }
        yield session, team, members


def who(runtime: Runtime, at: Any = NOON) -> dict[str, list[str]]:
    """Each rotation's people (handles) at ``at``, as a fresh request sees them."""
    with team_session(runtime) as (session, team, _):
        return {
            d.rotation.key: [m.handle for m in d.members]
            for d in service.on_duty(session, team=team, at=at)
        }


def tech(session: Session, team: Team) -> Rotation:
    return service.get_rotation(session, team=team, name="tech")


def _roster(session: Session, team: Team, m: dict[str, Member], now: Any) -> None:
    change = RosterChange("replan", (m["wangwu"].id,))
    service.change_roster(session, team=team, rotation=tech(session, team), change=change, now=now)


def _params(session: Session, team: Team, m: dict[str, Member], now: Any) -> None:
    change = RosterChange("params", handoff_time="13:00")  # noon is now yesterday's duty day
    service.change_roster(session, team=team, rotation=tech(session, team), change=change, now=now)


def _calendar_mode(session: Session, team: Team, m: dict[str, Member], now: Any) -> None:
    change = RosterChange("params", calendar="weekdays", effective_date=MONDAY + timedelta(5))
    service.change_roster(session, team=team, rotation=tech(session, team), change=change, now=now)


def _override(session: Session, team: Team, m: dict[str, Member], now: Any) -> None:
    overrides.add_override(
        session,
        team=team,
        rotation=tech(session, team),
        start=now,
        end=now + timedelta(days=1),
        member=m["sunqi"],
        now=now,
    )


def _pause(session: Session, team: Team, m: dict[str, Member], now: Any) -> None:
    overrides.add_override(
        session,
        team=team,
        rotation=tech(session, team),
        start=now,
        end=now + timedelta(days=1),
        member=None,
        now=now,
    )


def _swap(session: Session, team: Team, m: dict[str, Member], now: Any) -> None:
    overrides.create_swap(
        session,
        team=team,
        rotation=tech(session, team),
        member_a=m["zhangsan"],
        date_a=MONDAY,
        member_b=m["sunqi"],
        date_b=None,
        now=now,
    )


def _archive(session: Session, team: Team, m: dict[str, Member], now: Any) -> None:
    tech(session, team).archived_at = now
    session.flush()


def _new_rotation(session: Session, team: Team, m: dict[str, Member], now: Any) -> None:
    service.create_rotation(
        session,
        team=team,
        key="ops",
        name="值守",
        members=[m["lihua"]],
        start_date=MONDAY,
        now=now,
    )


EDITS: dict[str, Callable[[Session, Team, dict[str, Member], Any], None]] = {
    "roster version": _roster,
    "rotation params (hand-off)": _params,
    "override": _override,
    "pause (override to nobody)": _pause,
    "swap": _swap,
    "archive": _archive,
    "new rotation": _new_rotation,
}


def tech_revision(runtime: Runtime) -> int:
    with team_session(runtime) as (session, team, _):
        value = session.scalar(
            select(Rotation.revision).where(Rotation.team_id == team.id, Rotation.key == "tech")
        )
        return int(value or 0)


@pytest.mark.parametrize("kind", list(EDITS))
def test_every_kind_of_edit_is_seen_at_once_by_both_processes(
    two: tuple[Runtime, Runtime], kind: str
) -> None:
    first, second = two
    before = who(first)
    assert who(second) == before  # both caches warm
    revisions = tech_revision(first)
    with team_session(first) as (session, team, members):
        EDITS[kind](session, team, members, first.clock())
    if kind != "new rotation":
        assert tech_revision(first) != revisions, kind
    after_first, after_second = who(first), who(second)
    assert after_first != before, kind
    assert after_second == after_first
    # and the fresh answer is what a cacheless process computes
    revision.set_enabled(False)
    try:
        assert who(first) == after_first
    finally:
        revision.set_enabled(True)


def test_withdrawals_and_calendar_edits_are_seen_too(two: tuple[Runtime, Runtime]) -> None:
    first, second = two
    tuesday = at_local(MONDAY + timedelta(days=1), 12)
    saturday = at_local(MONDAY + timedelta(days=5), 12)
    base = {"now": who(first), "tue": who(first, tuesday), "sat": who(first, saturday)}
    assert who(second, saturday) == base["sat"]

    def both(at: Any) -> dict[str, list[str]]:
        answer = who(first, at)
        assert who(second, at) == answer
        return answer

    # a calendar exception (Tuesday off), then removing it
    with team_session(first) as (session, team, _):
        overrides.add_exception(
            session,
            team=team,
            rotation=tech(session, team),
            day=MONDAY + timedelta(days=1),
            active=False,
            now=first.clock(),
        )
    assert both(tuesday)["tech"] == []
    with team_session(second) as (session, team, _):
        overrides.delete_exception(
            session,
            team=team,
            rotation=tech(session, team),
            day=MONDAY + timedelta(days=1),
            now=second.clock(),
        )
    assert both(tuesday) == base["tue"]
    # a calendar mode change for Saturday on, then withdrawing it before it starts
    with team_session(first) as (session, team, members):
        _calendar_mode(session, team, members, first.clock())
    assert both(saturday)["tech"] == []
    with team_session(second) as (session, team, _):
        rotation = tech(session, team)
        [pending] = [
            v for v in service.versions(session, rotation=rotation) if v.change == "params"
        ]
        service.cancel_version(
            session, rotation=rotation, version_id=pending.id, now=second.clock()
        )
    assert both(saturday) == base["sat"]
    # an override and a swap, each cancelled from the other process
    with team_session(first) as (session, team, members):
        _override(session, team, members, first.clock())
    assert both(NOON)["tech"] == ["sunqi"]
    with team_session(second) as (session, team, _):
        [row] = overrides.overrides(session, rotation=tech(session, team))
        overrides.cancel_override(
            session, rotation=tech(session, team), override_id=row.id, now=second.clock()
        )
    assert both(NOON) == base["now"]
    with team_session(second) as (session, team, members):
        _swap(session, team, members, second.clock())
    assert both(NOON)["tech"] == ["sunqi"]
    with team_session(first) as (session, team, _):
        [swap] = overrides.swaps(session, rotation=tech(session, team))
        overrides.cancel_swap(
            session, rotation=tech(session, team), swap_id=swap.id, now=first.clock()
        )
    assert both(NOON) == base["now"]


def test_a_rolled_back_edit_never_reaches_the_cache(two: tuple[Runtime, Runtime]) -> None:
    first, second = two
    before = who(first)
    session = first.factory()
    try:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        members = {
            m.handle: m for m in team_service.get_members(session, workspace_id=workspace.id)
        }
        _override(session, team, members, first.clock())
        # the writing transaction sees its own edit (read around the cache)...
        people = service.on_duty_members(session, team=team, at=NOON, rotation_kind="tech")
        assert [m.handle for m in people] == ["sunqi"]
        session.rollback()
    finally:
        session.close()
    # ...and nobody keeps it after the rollback
    assert who(first) == before
    assert who(second) == before


def test_a_stale_object_in_a_long_session_does_not_fool_the_check(
    two: tuple[Runtime, Runtime],
) -> None:
    """Sessions keep objects across commits (expire_on_commit=False): the revision is read from
    the row, not from the object."""
    first, second = two
    with first.factory() as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        assert [
            m.handle
            for m in service.on_duty_members(session, team=team, at=NOON, rotation_kind="tech")
        ] == ["zhangsan"]
        session.commit()
        with team_session(second) as (other, other_team, members):
            _override(other, other_team, members, second.clock())
        assert [
            m.handle
            for m in service.on_duty_members(session, team=team, at=NOON, rotation_kind="tech")
        ] == ["sunqi"]


def test_a_warm_check_is_one_query(two: tuple[Runtime, Runtime]) -> None:
    first, _ = two
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    with team_session(first) as (session, team, members):
        service.on_duty_members(session, team=team, at=NOON)  # warm
        event.listen(first.engine, "before_cursor_execute", record)
        try:
            assert service.is_on_duty(session, team, members["zhangsan"], NOON)
            assert len(statements) == 1
            statements.clear()
            people = service.on_duty_members(session, team=team, at=NOON)
            assert [m.handle for m in people] == ["zhangsan", "zhaoliu"]
            assert len(statements) <= 2  # the revision check, and the members not yet loaded
        finally:
            event.remove(first.engine, "before_cursor_execute", record)


def test_a_revision_changed_behind_the_orm_is_still_seen(two: tuple[Runtime, Runtime]) -> None:
    """The check is the revision column itself: any change to it (even a raw UPDATE) misses."""
    first, _ = two
    who(first)
    cache = None
    with team_session(first) as (session, _team, _):
        cache = revision.cache_for(session)
        assert len(cache) == 2
        session.execute(update(Rotation).values(revision=Rotation.revision + 1))
    with team_session(first) as (session, team, _):
        chosen = revision.rotations_with_revisions(session, team_id=team.id)
        assert all(cache.get(r.id, rev, team.timezone) is None for r, rev in chosen)
    who(first)
    with team_session(first) as (session, team, _):
        chosen = revision.rotations_with_revisions(session, team_id=team.id)
        assert all(cache.get(r.id, rev, team.timezone) is not None for r, rev in chosen)


def test_a_team_time_zone_change_is_seen(two: tuple[Runtime, Runtime]) -> None:
    """The time zone is part of the cache key (team settings can change it)."""
    first, second = two
    # Tuesday 08:00 in Shanghai is 02:00 in Berlin: still Monday's duty day there
    late = at_local(MONDAY + timedelta(days=1), 8)
    before = who(second, late)
    with team_session(first) as (_session, team, _):
        team.timezone = "Europe/Berlin"
    after = who(second, late)
    revision.set_enabled(False)
    try:
        assert who(first, late) == after
    finally:
        revision.set_enabled(True)
    assert after != before


def test_a_full_cache_drops_its_oldest_eighth_not_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A tick walks every team's rotations in turn: clearing the whole cache when full made
    each batch recompile what the one before evicted (cost per team grew with the teams)."""
    monkeypatch.setattr(revision, "MAX_ENTRIES", 16)
    cache = revision.SpecCache()
    compiled = object()
    for rotation_id in range(16):
        cache.put(rotation_id, 1, "Asia/Shanghai", compiled)  # type: ignore[arg-type]
    cache.put(3, 2, "Asia/Shanghai", compiled)  # type: ignore[arg-type]  # new revision of a kept rotation: no eviction
    assert len(cache) == 16
    cache.put(16, 1, "Asia/Shanghai", compiled)  # type: ignore[arg-type]
    assert len(cache) == 15  # 16 - 16 // 8 + 1
    assert cache.get(0, 1, "Asia/Shanghai") is None and cache.get(1, 1, "Asia/Shanghai") is None
    assert cache.get(2, 1, "Asia/Shanghai") is compiled
    assert cache.get(3, 2, "Asia/Shanghai") is compiled  # re-put: now among the newest
    assert cache.get(16, 1, "Asia/Shanghai") is compiled
    monkeypatch.undo()
    assert revision.MAX_ENTRIES >= 3 * 10_000  # the real bound holds 10,000 teams' rotations


def test_sign_in_reads_the_warm_cache_and_sees_another_process_edit(
    two: tuple[Runtime, Runtime],
) -> None:
    # given a process whose cache is warm
    first, second = two
    who(second)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    # when 张三, on tech duty, signs in there
    with team_session(second) as (session, team, members):
        event.listen(second.engine, "before_cursor_execute", record)
        try:
            rows = signin.sign_in(session, team=team, member=members["zhangsan"], now=NOON)
        finally:
            event.remove(second.engine, "before_cursor_execute", record)
    # then it is recorded, and no table of the schedule was read again (it was four reads)
    assert [r.duty_date for r in rows] == [MONDAY]
    schedule = ("duty_rotation_version", "duty_override", "duty_swap", "duty_calendar_exception")
    assert not [s for s in statements if any(f"FROM {table}" in s for table in schedule)]
    # and once the other process hands the tech duty to 王五, this one lets 王五 sign in
    with team_session(first) as (session, team, members):
        _roster(session, team, members, first.clock())
    with team_session(second) as (session, team, members):
        signed = signin.sign_in(session, team=team, member=members["wangwu"], now=NOON)
    assert [r.member_id for r in signed] == [members["wangwu"].id]


def test_a_remembered_roster_carries_the_rows_name_not_a_stale_entitys(
    two: tuple[Runtime, Runtime],
) -> None:
    # given a session of one process that holds the tech rotation from before a commit
    # (sessions keep their objects across commits: expire_on_commit is off)
    first, second = two
    with team_session(second) as (session, team, _):
        held = tech(session, team)
        session.commit()
        # when another process renames it, and this session reads the live rotations
        with team_session(first) as (other, other_team, _):
            tech(other, other_team).name = "后端"
        revision.rotations_with_revisions(session, team_id=team.id)
        # then the process remembers the new name with the new revision, whatever the
        # held object still says
        assert held.name == "技术"
        seen = revision.cache_for(session).team(team.id)
        assert seen is not None
        assert {s.key: s.name for s in seen}["tech"] == "后端"


def test_a_factory_made_where_a_freed_one_was_still_bumps_revisions(
    sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flaky once each in loaded runs (test_on_duty_now [sqlite-swap-tech], test_midday_changes):
    a runtime's schedule writes bumped no revision, so another process answered from its stale
    cache. The duty domain hooked a factory only if ``event.contains`` said it was not hooked,
    and SQLAlchemy keys listeners by ``id(target)``: a factory freed while its session class
    waits for the cycle collector left its key behind, and a new factory at its address was
    taken as hooked. Here the freed factories' session classes are kept, as the collector
    would, until a new factory lands at one's address."""
    bumps: list[Session] = []
    monkeypatch.setattr(duty_domain, "_bump", lambda session, _context: bumps.append(session))
    install = duty_domain.DOMAIN.install
    assert install is not None
    rt = sqlite_runtime
    wiring = Wiring(settings=rt.settings, factory=rt.factory, clock=rt.clock, ports=rt.ports)
    kept = []  # the freed factories' session classes, alive as until the collector runs
    for _ in range(100):
        old = make_session_factory(rt.engine)
        install(replace(wiring, factory=old))
        kept.append(old.class_)
        address = id(old)
        del old
        new = make_session_factory(rt.engine)
        if id(new) == address:
            break
    else:
        pytest.fail("no new factory was made at a freed one's address")
    install(replace(wiring, factory=new))
    with new() as session:
        team_service.create_workspace(session, key="reused", name="reused")  # flushes
        session.rollback()
    assert len(bumps) == 1
