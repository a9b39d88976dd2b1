"""A refused command that changed nothing keeps its transaction for its inbox row (issue 9).

A double tap of /值班签到 ("已经签到过了") was a rollback and a second transaction for the inbox
row; now one. A refusal after a change still rolls the change back: what the transaction
changed is read from the driver's row counts (:func:`teamassist.database.changed_since`).
"""

from __future__ import annotations

import gc
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from teamassist.chat.models import InboundEvent
from teamassist.chat.service import send_as
from teamassist.database import (
    StatementCounter,
    change_mark,
    changed_since,
    make_engine,
    skipping_insert,
    transaction,
)
from teamassist.duty.models import Rotation, SignIn
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from tests.conftest import load_demo
from tests.support.chat import ChatDriver

ALREADY = "今天已经签到过了"


def _owner(session: Session, *, placed_on: str | None = None) -> auth.Principal:
    """The global API token's principal (an admin, who may speak as zhangsan)."""
    principal = auth.token_principal(session, placed_on=placed_on)
    assert principal is not None
    return principal


def _sign_ins(runtime: Runtime) -> int:
    with transaction(runtime.factory) as session:
        return int(session.scalar(select(func.count()).select_from(SignIn)) or 0)


def test_a_double_tap_over_rest_is_one_transaction_and_keeps_its_inbox_row(
    runtime: Runtime,
) -> None:
    # given the demo workspace and zhangsan, on tech duty, signed in already
    load_demo(runtime)

    def say(event_id: str) -> tuple[str, bool]:
        result = send_as(
            runtime.dispatcher,
            principal=_owner,
            handle="zhangsan",
            text="/值班签到",
            event_id=event_id,
        )
        assert result.reply is not None
        return result.reply.body, result.duplicate

    say("first")
    rows = _sign_ins(runtime)
    # when he taps again
    with StatementCounter(runtime.engine) as counter:
        body, duplicate = say("again")
    # then he is told, in one transaction, and nothing else was written
    assert ALREADY in body and not duplicate
    assert counter.transactions == 1, counter.statements
    assert _sign_ins(runtime) == rows
    with transaction(runtime.factory) as session:
        status, reply = session.execute(
            select(InboundEvent.status, InboundEvent.reply).where(
                InboundEvent.event_id.like("%:again")
            )
        ).one()
    assert status == "done" and reply is not None and ALREADY in reply["body"]
    # and a retry of that message gets the same answer, marked as a retry, and runs nothing
    with StatementCounter(runtime.engine) as counter:
        body, duplicate = say("again")
    assert ALREADY in body and duplicate
    assert _sign_ins(runtime) == rows


def test_a_double_tap_from_a_platform_is_answered_in_the_commands_transaction(
    runtime: Runtime,
) -> None:
    # given zhangsan signed in through the web platform
    load_demo(runtime)
    chat = ChatDriver(runtime)
    chat.say("/值班签到", as_="zhangsan")
    # when he taps again as a platform event (recorded, then handled)
    with StatementCounter(runtime.engine) as counter:
        reply = chat.say("/值班签到", as_="zhangsan")
    # then the record and the command are two transactions (were three), the row is done
    assert reply is not None and reply.is_error and ALREADY in reply.body
    assert counter.transactions == 2, counter.statements
    with transaction(runtime.factory) as session:
        statuses = session.scalars(select(InboundEvent.status)).all()
    assert set(statuses) == {"done"}


def test_changed_since_counts_every_changed_row_and_nothing_else(runtime: Runtime) -> None:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        rotation_id = session.scalars(select(Rotation.id).limit(1)).one()
        member = session.scalars(select(Member).limit(1)).one()
        member_id, name = member.id, member.display_name
        mark = change_mark(session)
        # reads and an UPDATE that matches nothing change nothing
        session.execute(select(Member.id)).all()
        session.execute(update(Member).where(Member.id == -1).values(display_name="x"))
        assert not changed_since(session, mark)
        # an UPDATE that matched a row changed it
        session.execute(update(Member).where(Member.id == member_id).values(display_name=name))
        assert changed_since(session, mark)
        session.rollback()

    values = {
        "rotation_id": rotation_id,
        "member_id": member_id,
        "duty_date": date(2026, 6, 1),
        "signed_in_at": runtime.clock(),
    }
    with transaction(runtime.factory) as session:
        mark = change_mark(session)
        insert = skipping_insert(session, SignIn, "rotation_id", "member_id", "duty_date")
        if insert is None:  # MariaDB: an ORM row, flushed
            session.add(SignIn(**values))
            assert changed_since(session, mark)  # not flushed yet
            session.flush()
        else:
            # an INSERT … RETURNING whose row nobody read (SQLite counts it only once read)
            session.connection().execute(insert, values)
        assert changed_since(session, mark)
    if insert is None:
        return
    with transaction(runtime.factory) as session:
        mark = change_mark(session)
        # the same key again: skipped, no change
        assert session.scalars(insert, values).first() is None
        assert not changed_since(session, mark)


@pytest.mark.parametrize("dirty", [True, False])
def test_changed_since_sees_orm_changes_not_flushed(runtime: Runtime, dirty: bool) -> None:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        member = session.scalars(select(Member).limit(1)).one()
        mark = change_mark(session)
        if dirty:
            member.display_name = "改过的名字"
        assert changed_since(session, mark) is dirty
        session.rollback()


def test_an_engine_made_where_a_counting_one_was_is_not_taken_as_counting() -> None:
    """``changed_since`` trusts the driver's counts only on engines :func:`make_engine` made. It
    asked ``event.contains``, which SQLAlchemy keys by ``id(engine)``: an engine made at the
    address of a freed counting one whose listeners outlived it was taken as counting, and its
    changes as none (a refused command would have kept them). Here the freed engines' listener
    collections are kept until a plain engine lands at one's address."""
    plain = create_engine("sqlite://")
    kept = []  # the freed engines' dispatch, with the listener collections in it
    for _ in range(500):
        counting = make_engine("sqlite://")
        kept.append(counting.dispatch)
        address = id(counting)
        del counting
        gc.collect(1)  # an engine is in reference cycles: freed by the collector
        engine = Engine(plain.pool, plain.dialect, plain.url)
        if id(engine) == address:
            break
    else:
        pytest.fail("no engine was made at a freed one's address")
    with Session(engine) as session:
        session.execute(text("CREATE TEMP TABLE reused (x INTEGER)"))
        mark = change_mark(session)
        session.execute(text("INSERT INTO reused VALUES (1)"))
        assert changed_since(session, mark)
