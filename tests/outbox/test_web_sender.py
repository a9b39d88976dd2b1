"""The web sender stores each notice once, in one statement where the database allows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from teamassist.adapters.web.models import WebMessage
from teamassist.adapters.web.sender import WebSender
from teamassist.chat.types import Reply
from teamassist.database import transaction
from teamassist.outbox import service
from teamassist.outbox.senders import OutgoingMessage
from teamassist.runtime import Runtime


def _message(outbox_id: int, address: str, body: str) -> OutgoingMessage:
    return OutgoingMessage(
        outbox_id=outbox_id,
        platform="web",
        address=address,
        reply=Reply(body=body),
        idempotency_key=f"web-sender:{outbox_id}",
        reply_to=None,
        attempt=0,
        possibly_sent=False,
    )


def test_a_notice_is_stored_once_with_its_workspace(runtime: Runtime) -> None:
    # given a queued web notice of workspace 1 (the demo's)
    now = runtime.clock()
    with transaction(runtime.factory) as session:
        row = service.enqueue(
            session,
            key="web-sender:1",
            platform="web",
            address="web:inbox:7",
            reply=Reply(body="新反馈 #3"),
            now=now,
            workspace_id=None,
        )
        assert row is not None
        outbox_id = row.id
    statements: list[str] = []

    def seen(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    sender = WebSender(runtime.factory, clock=runtime.clock)
    event.listen(runtime.engine, "before_cursor_execute", seen)
    try:
        # when it is sent, then sent again (a retry after a lost record of the first send)
        first = sender.send(_message(outbox_id, "web:inbox:7", "新反馈 #3"))
        first_statements = [s for s in statements if s != "BEGIN"]
        statements.clear()
        again = sender.send(_message(outbox_id, "web:inbox:7", "新反馈 #3"))
    finally:
        event.remove(runtime.engine, "before_cursor_execute", seen)
    # then one copy, found again by the retry, with the notice's address, text and time
    with transaction(runtime.factory, read_only=True) as session:
        copies = session.scalars(select(WebMessage)).all()
    assert [(str(c.id), c.outbox_id, c.address, c.workspace_id) for c in copies] == [
        (first, outbox_id, "web:inbox:7", None)
    ]
    assert copies[0].payload["body"] == "新反馈 #3"
    assert copies[0].created_at == now
    assert again == first
    # one statement where the database skips a taken key; MariaDB reads first
    if runtime.engine.dialect.name == "mysql":
        assert first_statements == ["SELECT", "SELECT", "INSERT"]
    else:
        assert first_statements == ["INSERT"]


def test_the_workspace_comes_from_the_outbox_row(demo_runtime: Runtime) -> None:
    # given a notice of the demo's workspace (1)
    now = demo_runtime.clock()
    with transaction(demo_runtime.factory) as session:
        row = service.enqueue(
            session,
            key="web-sender:ws",
            platform="web",
            address="web:chan:1",
            reply=Reply(body="值班提醒"),
            now=now,
            workspace_id=1,
        )
        assert row is not None
        outbox_id = row.id
    # when it is sent
    WebSender(demo_runtime.factory, clock=demo_runtime.clock).send(
        _message(outbox_id, "web:chan:1", "x")
    )
    # then its copy belongs to workspace 1 (exported and deleted with it)
    with transaction(demo_runtime.factory, read_only=True) as session:
        assert session.scalars(select(WebMessage.workspace_id)).all() == [1]


def test_a_notice_whose_row_is_gone_is_not_stored(runtime: Runtime) -> None:
    # when a notice is sent whose outbox row no longer exists (its workspace was deleted)
    sent = WebSender(runtime.factory, clock=runtime.clock).send(
        _message(987654, "web:inbox:1", "过期通知")
    )
    # then nothing is stored and no id is returned
    assert sent is None
    with transaction(runtime.factory, read_only=True) as session:
        assert session.scalars(select(WebMessage)).all() == []
