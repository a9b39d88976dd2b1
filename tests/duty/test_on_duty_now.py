"""Who is on duty in one statement while the process's compiled rotations hold
(:mod:`teamassist.duty.on_duty_now`): one statement when warm, and never a stale answer after
any schedule edit made by another process, on every backend (the pairs' string is built by
each server's own aggregate)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from teamassist.clock import FrozenClock
from teamassist.duty import overrides, revision, service
from teamassist.runtime import Runtime
from tests.conftest import load_demo, make_runtime
from tests.duty.test_spec_cache import EDITS, NOON, team_session, tech


@pytest.fixture
def two(db_url: str, clock: FrozenClock) -> Iterator[tuple[Runtime, Runtime]]:
    """Two runtimes (two "processes": engines and caches) on one database with the demo."""
    first, second = make_runtime(db_url, clock), make_runtime(db_url, clock)
    load_demo(first)
    yield first, second
    first.close()
    second.close()


def on_duty(runtime: Runtime, kind: str | None, statements: list[str] | None = None) -> list[str]:
    """The handles ``on_duty_members`` answers at noon, as a fresh request sees them;
    ``statements``: what it ran is appended there."""

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        assert statements is not None
        statements.append(" ".join(statement.split()))

    with team_session(runtime) as (session, team, _):
        if statements is not None:
            event.listen(runtime.engine, "before_cursor_execute", record)
        try:
            people = service.on_duty_members(
                session, team=team, at=NOON, rotation_kind=kind, identities=True
            )
            return [m.handle for m in people]
        finally:
            if statements is not None:
                event.remove(runtime.engine, "before_cursor_execute", record)


def cacheless(runtime: Runtime, kind: str | None) -> list[str]:
    """What a process without the cache answers."""
    revision.set_enabled(False)
    try:
        return on_duty(runtime, kind)
    finally:
        revision.set_enabled(True)


@pytest.mark.parametrize("kind", [None, "tech"])
@pytest.mark.parametrize("edit", list(EDITS))
def test_a_warm_read_is_one_statement_and_sees_every_edit_of_another_process(
    two: tuple[Runtime, Runtime], edit: str, kind: str | None
) -> None:
    # given a process that has asked before: its next read is one statement
    first, second = two
    before = on_duty(second, kind)
    statements: list[str] = []
    assert on_duty(second, kind, statements) == before == cacheless(first, kind)
    assert len(statements) == 1, statements
    # when another process edits the schedule
    with team_session(first) as (session, team, members):
        EDITS[edit](session, team, members, first.clock())
    # then this one answers what a process without the cache answers, at once and after
    expected = cacheless(first, kind)
    assert on_duty(second, kind) == expected, edit
    statements.clear()
    assert on_duty(second, kind, statements) == expected, edit
    assert len(statements) == 1, statements
    assert on_duty(first, kind) == expected, edit


def test_nobody_on_duty_is_one_statement_too(two: tuple[Runtime, Runtime]) -> None:
    # given the tech duty paused for a day, and a process that has asked before
    first, second = two
    with team_session(first) as (session, team, members):
        EDITS["pause (override to nobody)"](session, team, members, first.clock())
    assert on_duty(second, "tech") == []
    # when it asks again, then nobody, in one statement
    statements: list[str] = []
    assert on_duty(second, "tech", statements) == []
    assert len(statements) == 1, statements
    # and once the other process lifts the pause, it sees who is on duty again
    with team_session(first) as (session, team, _):
        [row] = overrides.overrides(session, rotation=tech(session, team))
        overrides.cancel_override(
            session, rotation=tech(session, team), override_id=row.id, now=first.clock()
        )
    assert on_duty(second, "tech") == cacheless(first, "tech") == ["zhangsan"]
