"""Issue 13: deleting a workspace leaves no web notice behind (a tester found two meeting
notices in ``web_message`` after ``DELETE /api/v1/workspace``).

A web notice found its workspace only through its outbox row; once retention purged that row,
or when a delivery finished after the delete, the copy belonged to nobody. On every backend:
the cascade is the database's.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from teamassist.adapters.web.models import WebMessage
from teamassist.chat.retention import purge
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox.models import OutboxMessage
from teamassist.outbox.senders import OutgoingMessage, Sender
from teamassist.runtime import Runtime
from teamassist.team import service
from teamassist.team.archive import ownership
from teamassist.team.models import Workspace
from teamassist.team.workspaces import delete_workspace
from teamassist.web.pages import _feed
from tests.conftest import load_demo

DEMO_NAME = "演示社区 Demo Community"


def _meeting_notices_on_the_web(runtime: Runtime) -> None:
    """Run the demo's scheduler for a few days: meeting notices reach its web channels."""
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    for _ in range(8):
        runtime.scheduler.tick()
        runtime.deliver()
        clock.set(clock.now + timedelta(hours=12))


def _web_meeting_keys(runtime: Runtime) -> list[str]:
    with runtime.factory() as session:
        return list(
            session.scalars(
                select(OutboxMessage.idempotency_key)
                .join(WebMessage, WebMessage.outbox_id == OutboxMessage.id)
                .where(OutboxMessage.idempotency_key.like("meetings.%"))
            )
        )


class _DeleteFirst:
    """The web sender, but the workspace is deleted just before the first notice is stored
    (a delete committing while the delivery worker is mid-batch)."""

    def __init__(self, runtime: Runtime, inner: Sender) -> None:
        self.runtime, self.inner, self.deleted = runtime, inner, False
        self.platform = inner.platform

    def send(self, message: OutgoingMessage) -> str | None:
        if not self.deleted:
            self.deleted = True
            _delete(self.runtime)
        return self.inner.send(message)


def _delete(runtime: Runtime) -> None:
    with transaction(runtime.factory) as session:
        workspace = service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        delete_workspace(session, workspace=workspace, confirm=DEMO_NAME)


def _left_of(runtime: Runtime, workspace: Workspace) -> dict[str, int]:
    """Rows of ``workspace`` still there, per table, found by walking the schema as the export
    does, plus every web copy and notice (the demo is the only workspace)."""
    left: dict[str, int] = {}
    with runtime.factory() as session:
        for table, condition in ownership(session, workspace):
            left[table.name] = int(
                session.scalar(select(func.count()).select_from(table).where(condition)) or 0
            )
        for model in (WebMessage, OutboxMessage):
            left[f"any {model.__tablename__}"] = int(
                session.scalar(select(func.count()).select_from(model)) or 0
            )
    return {name: n for name, n in left.items() if n}


def test_delete_leaves_no_web_notice_after_the_outbox_was_purged(runtime: Runtime) -> None:
    # given the demo with meeting notices delivered to its web channels, their outbox rows
    # purged by retention (the feed still shows them)
    load_demo(runtime)
    _meeting_notices_on_the_web(runtime)
    assert _web_meeting_keys(runtime)
    with transaction(runtime.factory) as session:
        gone = purge(
            session, now=runtime.clock() + timedelta(days=31), inbox_days=7, outbox_days=30
        )
        assert gone.outbox > 0
        demo = service.get_workspace_by_key(session, key="demo")
        assert demo is not None
        assert session.scalar(select(func.count()).select_from(WebMessage))
        assert _feed(session, "core-room", demo.id)
        session.expunge(demo)

    # when the workspace is deleted
    _delete(runtime)

    # then nothing of it is left in any table
    assert _left_of(runtime, demo) == {}


def test_a_delivery_finishing_after_the_delete_stores_nothing(runtime: Runtime) -> None:
    # given meeting notices queued for the web, and the delete committing mid-delivery
    load_demo(runtime)
    runtime.scheduler.tick()
    with runtime.factory() as session:
        demo = service.get_workspace_by_key(session, key="demo")
        assert demo is not None
        session.expunge(demo)
        pending = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.platform == "web", OutboxMessage.sent_at.is_(None))
        )
    assert pending
    runtime.senders["web"] = _DeleteFirst(runtime, runtime.senders["web"])

    # when the delivery runs
    runtime.deliver()

    # then no copy was stored for the deleted workspace
    assert runtime.senders["web"].deleted  # type: ignore[attr-defined]
    assert _left_of(runtime, demo) == {}
