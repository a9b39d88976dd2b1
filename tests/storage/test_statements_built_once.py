"""The hot statements of a writing command are built once and run with parameters (issue 9):
building one per call cost more than the driver's execute. Built once, they must still answer
as before for every shape of arguments."""

from __future__ import annotations

import pytest
from sqlalchemy import event, inspect, select

from teamassist.database import inserted, skipping_insert, skipping_insert_id, transaction
from teamassist.enums import ChannelPurpose
from teamassist.feedback import flows
from teamassist.feedback.models import FeedbackItem, FeedbackKind
from teamassist.feedback.service import Origin
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.ports import Roster
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Member, Team
from tests.conftest import load_demo


def test_the_skipping_insert_is_built_once_and_says_which_happened(runtime: Runtime) -> None:
    load_demo(runtime)
    now = runtime.clock()
    values = {
        "idempotency_key": "built-once:1",
        "platform": "web",
        "address": "web:admin",
        "payload": {"body": "你好"},
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    with transaction(runtime.factory) as session:
        insert = skipping_insert(session, OutboxMessage, "idempotency_key")
        if insert is None:  # MariaDB keeps its savepoint: nothing to build
            return
        # the same statement object for every call: its compiled form and cache key are reused
        assert skipping_insert(session, OutboxMessage, "idempotency_key") is insert
        row = session.scalars(insert, values).first()
        assert row is not None and row in session and row.payload == {"body": "你好"}
        assert session.scalars(insert, values).first() is None  # the key is taken
    with transaction(runtime.factory) as session:
        stored = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "built-once:1")
        ).all()
    assert [(r.address, r.payload) for r in stored] == [("web:admin", {"body": "你好"})]


def test_channels_and_members_answer_for_every_shape(runtime: Runtime) -> None:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        team = session.scalars(select(Team).order_by(Team.id).limit(1)).one()
        every = session.scalars(
            select(Channel).where(Channel.workspace_id == team.workspace_id).order_by(Channel.id)
        ).all()
        enabled = [c for c in every if c.enabled]
        assert enabled, "the demo has channels"
        internal = ChannelPurpose.INTERNAL.value
        shapes = {
            (None, None): enabled,
            (team.id, None): [c for c in enabled if c.team_id in (team.id, None)],
            (None, internal): [c for c in enabled if c.purpose == internal],
            (team.id, internal): [
                c for c in enabled if c.team_id in (team.id, None) and c.purpose == internal
            ],
        }
        for (team_id, purpose), expected in shapes.items():
            found = team_service.channels(
                session, workspace_id=team.workspace_id, team_id=team_id, purpose=purpose
            )
            assert [c.id for c in found] == [c.id for c in expected], (team_id, purpose)
        ids = session.scalars(select(Member.id).order_by(Member.id).limit(3)).all()
        for identities in (False, True):
            found_members = team_service.members_by_id(
                session, [*ids, None, 2**31 - 1], identities=identities
            )
            assert sorted(found_members) == sorted(ids)
        assert team_service.members_by_id(session, [None]) == {}


def _columns(row: object) -> dict[str, object]:
    return {a.key: getattr(row, a.key) for a in inspect(type(row)).column_attrs}


# What a notice's INSERT may return besides its id: the channel it went to, read by the same
# statement (chat.channel_notices), so a quiet window can move its send time (d8791c1).
_NOTICE_RETURNS = {"id", "channel_id", "platform", "address", "quiet_start", "quiet_end"}


def _returned_names(returned: str) -> set[str]:
    """The names a RETURNING clause gives: its columns or their labels (``… as quiet_end``)."""
    names: set[str] = set()
    depth, part = 0, ""
    for char in returned + ",":
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            names.add(part.strip().rpartition(" as ")[2].rpartition(".")[2].strip())
            part = ""
        else:
            part += char
    return names - {""}


def test_a_report_and_its_notice_insert_returning_only_their_ids(runtime: Runtime) -> None:
    # given the demo workspace (the tech desk's on-duty person, an internal channel)
    load_demo(runtime)
    returning: list[tuple[str, set[str]]] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        flat = " ".join(statement.replace("`", "").replace('"', "").split()).lower()
        if flat.startswith(("insert into feedback_item", "insert into outbox_message")):
            table = flat.split()[2]
            returning.append((table, _returned_names(flat.partition(" returning ")[2])))

    with transaction(runtime.factory) as session:
        team = session.scalars(select(Team).order_by(Team.id).limit(1)).one()
        reporter = session.scalars(select(Member).order_by(Member.id).limit(1)).one()
    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        # when a bug is reported
        with transaction(runtime.factory) as session:
            team = session.get_one(Team, team.id)
            done = flows.submit(
                session,
                roster=runtime.dispatcher.ports.get(Roster),
                team=team,
                reporter=session.get_one(Member, reporter.id),
                kind=FeedbackKind.BUG,
                text="登录页打不开",
                origin=Origin(platform="web", chat_key="web:x"),
                now=runtime.clock(),
            )
            # then the item is an object of the session with nothing left to flush
            assert done.item in session and not (session.new or session.dirty)
            made = _columns(done.item)
            notices = session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.idempotency_key.startswith(f"feedback.new:{done.item.id}:")
                )
            ).all()
            assert notices, "the demo's internal channel gets the notice"
            made_notices = {n.id: _columns(n) for n in notices}
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)
    # and what the objects held is what was stored, column by column
    with transaction(runtime.factory) as session:
        assert _columns(session.get_one(FeedbackItem, done.item.id)) == made
        for notice_id, columns in made_notices.items():
            assert _columns(session.get_one(OutboxMessage, notice_id)) == columns
    # and where the database returns rows from an INSERT, the item's returned only its id and
    # a notice's its id and its channel's delivery fields, never the whole row
    if runtime.engine.dialect.insert_returning:
        items = [names for table, names in returning if table == "feedback_item" and names]
        returned = [names for table, names in returning if table == "outbox_message" and names]
        assert items == [{"id"}], returning  # MariaDB: its savepoint
        assert all("id" in n and n <= _NOTICE_RETURNS for n in returned), returning
        # (MariaDB queues its notices per channel and returns nothing for them)
        assert returned or runtime.engine.dialect.name == "mysql", returning


def test_an_inserted_row_takes_the_defaults_of_the_columns_left_out(runtime: Runtime) -> None:
    load_demo(runtime)
    now = runtime.clock()
    # a notice without its scalar-default columns (status, attempts) and nullable ones
    values = {
        "idempotency_key": "inserted:1",
        "platform": "web",
        "address": "web:admin",
        "payload": {"body": "你好"},
        "next_attempt_at": now,
        "created_at": now,
    }
    with transaction(runtime.factory) as session:
        insert = skipping_insert_id(session, OutboxMessage, "idempotency_key")
        if insert is None:  # MariaDB keeps its savepoint
            return
        assert skipping_insert_id(session, OutboxMessage, "idempotency_key") is insert
        row_id = session.execute(insert, values).scalar()
        assert row_id is not None
        row = inserted(session, OutboxMessage, values, row_id)
        made = _columns(row)
        assert session.execute(insert, values).scalar() is None  # the key is taken
        # a computed default (created_at's clock) cannot be guessed: it must be given
        without_clock = {k: v for k, v in values.items() if k != "created_at"}
        with pytest.raises(ValueError, match="created_at"):
            inserted(session, OutboxMessage, without_clock, 0)
    with transaction(runtime.factory) as session:
        assert _columns(session.get_one(OutboxMessage, row_id)) == made
    assert made["status"] == OutboxStatus.PENDING and made["attempts"] == 0
    assert made["lease_until"] is None and made["reply_to"] is None
