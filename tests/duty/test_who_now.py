"""/今日值班 in one statement of the roster while the process's compiled rotations hold
(:mod:`teamassist.duty.who_now`): the same reply as the plain read, and never a stale one after
a schedule edit, a sign-in, a rename or a deactivation made by another process, on every
backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from teamassist.clock import FrozenClock
from teamassist.duty import overrides, revision, service, signin
from teamassist.runtime import Runtime
from teamassist.team import people
from tests.conftest import load_demo, make_runtime
from tests.duty.test_spec_cache import EDITS, team_session, tech
from tests.support.chat import ChatDriver

# What the roster part of /今日值班 may read: rotations, their people, identities, sign-ins.
_ROSTER = ("duty_rotation", "duty_sign_in", "platform_identity", "FROM member")


@pytest.fixture
def two(db_url: str, clock: FrozenClock) -> Iterator[tuple[Runtime, Runtime]]:
    """Two runtimes (two "processes": engines and caches) on one database with the demo."""
    first, second = make_runtime(db_url, clock), make_runtime(db_url, clock)
    load_demo(first)
    yield first, second
    first.close()
    second.close()


def who(runtime: Runtime, statements: list[str] | None = None) -> str:
    """/今日值班's reply, as 孙七 (on no duty) asks it of ``runtime``; ``statements``: the
    statements that read the roster are appended there."""

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        flat = " ".join(statement.split())
        if statements is not None and any(table in flat for table in _ROSTER[:3]):
            statements.append(flat)

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        return ChatDriver(runtime).text("/今日值班", as_="sunqi")
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)


def plainly(runtime: Runtime) -> str:
    """What a process without the cache answers."""
    revision.set_enabled(False)
    try:
        return who(runtime)
    finally:
        revision.set_enabled(True)


def test_a_warm_who_reads_the_roster_in_one_statement(two: tuple[Runtime, Runtime]) -> None:
    # given a process that has answered /今日值班 before, 张三 signed in
    first, second = two
    assert "签到成功" in ChatDriver(first).text("/值班签到", as_="zhangsan")
    cold = who(second)
    # when it answers again
    statements: list[str] = []
    warm = who(second, statements)
    # then the same reply as the plain read, from one statement of the roster
    assert warm == cold == plainly(first)
    assert "「技术」@张三（已签到 09:00）" in warm and "「产品」@赵六（未签到）" in warm
    assert len(statements) == 1, statements


@pytest.mark.parametrize("edit", list(EDITS))
def test_every_edit_of_another_process_shows_at_once(
    two: tuple[Runtime, Runtime], edit: str
) -> None:
    # given a warm process
    first, second = two
    who(second)
    # when another process edits the schedule
    with team_session(first) as (session, team, members):
        EDITS[edit](session, team, members, first.clock())
    # then this one answers what a process without the cache answers, at once and after
    expected = plainly(first)
    assert who(second) == expected, edit
    statements: list[str] = []
    assert who(second, statements) == expected, edit
    assert len(statements) == 1, statements


def test_a_sign_in_a_rename_and_a_deactivation_elsewhere_show_at_once(
    two: tuple[Runtime, Runtime],
) -> None:
    # given a warm process: 张三 on tech duty, not signed in
    first, second = two
    assert "「技术」@张三（未签到）" in who(second)
    # when 张三 signs in through another process: then it shows, from the warm read
    with team_session(first) as (session, team, members):
        signin.sign_in(session, team=team, member=members["zhangsan"], now=first.clock())
    statements: list[str] = []
    assert "「技术」@张三（已签到 09:00）" in who(second, statements)
    assert len(statements) == 1, statements
    # when another process renames the rotation: then the new name, at once
    with team_session(first) as (session, team, _):
        tech(session, team).name = "后端"
        session.flush()
    assert "「后端」@张三（已签到 09:00）" in who(second) == plainly(first)
    # when another process deactivates 张三 now: then nobody is on tech duty, at once
    with team_session(first) as (session, team, members):
        people.deactivate(session, member=members["zhangsan"], now=first.clock())
    answer = who(second)
    assert "张三" not in answer and answer == plainly(first)


def test_nobody_on_any_duty_is_one_statement(two: tuple[Runtime, Runtime]) -> None:
    # given every rotation paused today by another process, and a warm process
    first, second = two
    with team_session(first) as (session, team, _):
        now = first.clock()
        for rotation in service.rotations(session, team=team):
            overrides.add_override(
                session,
                team=team,
                rotation=rotation,
                start=now,
                end=now + timedelta(days=1),
                member=None,
                now=now,
            )
    who(second)
    # when it asks again: then nobody, from one statement, as the plain read says
    statements: list[str] = []
    answer = who(second, statements)
    assert answer == plainly(first) and "张三" not in answer and "赵六" not in answer
    assert len(statements) == 1, statements
