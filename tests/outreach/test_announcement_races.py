"""Retries of one announcement with the same Idempotency-Key at once all get the first (tester
s25 F-B6): on MariaDB 20 concurrent POSTs with one key answered 3 × 201 and 17 × 422 「已经发过了」
(one 「已经排好了」), because the key was looked up before the author's row lock and the
repeat check after it. A client whose first request timed out and that retried while it was
still committing was told its announcement failed. Each request runs in its own thread and
transaction; all have read before any writes (``tests.support.races``). The key is claimed in
the HTTP kit's one store (``http.idempotency``), as the endpoint does, before announcing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.actions.models import ActionItem
from teamassist.announcements import groups, service
from teamassist.announcements.models import Announcement, AnnouncementKind, AnnouncementRecipient
from teamassist.chat.types import Reply
from teamassist.http import idempotency
from teamassist.http.auth import Principal
from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.outreach.support import set_up_groups
from tests.support.races import Work, side_by_side
from tests.team.support import demo

KEY = "t25b-key-1"


def _send(digest: str, *, force: bool = False) -> Work:
    def work(session: Session) -> str:
        d = demo(session)
        now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
        caller = Principal(workspace=d.workspace, member=d["lihua"], username="lihua")
        claim = idempotency.begin(
            session, caller, KEY, request="POST announcements", body={"d": digest}, now=now
        )
        if isinstance(claim, idempotency.Replay):
            return f"#{claim.resource_id('announcement')} replayed"
        group = groups.resolve(
            session, workspace_id=d.workspace.id, name="开发者大群", acting=d.team
        )
        outcome = service.announce(
            session,
            workspace=d.workspace,
            author=d["lihua"],
            group=group,
            kind=AnnouncementKind.BULK,
            reply=Reply(body="幂等键测试 请周五前交周报"),
            now=datetime(2026, 11, 30, 1, 0, tzinfo=UTC),
            due_at=datetime(2026, 12, 11, 10, 0, tzinfo=UTC),
            title="交周报",
            force=force,
        )
        made = outcome.announcement.id
        idempotency.finish(
            session, claim, resource=f"announcement:{made}", label=f"#{made}", answer={}, status=201
        )
        return f"#{made} made"

    return work


def _set_up(runtime: Runtime) -> None:
    load_demo(runtime)
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime)


def test_retries_with_one_key_at_once_all_answer_with_the_first(runtime: Runtime) -> None:
    _set_up(runtime)

    outcome = side_by_side(runtime, [_send("d1")] * 6)

    with runtime.factory() as session:
        [made] = session.scalars(select(Announcement)).all()
        items = session.scalar(
            select(func.count())
            .select_from(ActionItem)
            .where(ActionItem.source_kind == "announcement")
        )
        recipients = session.scalar(
            select(func.count())
            .select_from(AnnouncementRecipient)
            .where(AnnouncementRecipient.member_id.is_not(None))
        )
    # one made it; every other retry is answered with it, none refused as a repeat
    assert outcome == [f"#{made.id} made"] + [f"#{made.id} replayed"] * 5, outcome
    assert items == recipients  # one action item per recipient, not doubled


def test_one_key_with_two_bodies_at_once_makes_one_and_refuses_the_other(
    runtime: Runtime,
) -> None:
    """Forced (no repeat check, so nothing else serialises them) and with a different body:
    one is made, the other is the key reused (422), never a unique-key error (500)."""
    _set_up(runtime)

    outcome = side_by_side(runtime, [_send("d1", force=True), _send("d2", force=True)])

    with runtime.factory() as session:
        [made] = session.scalars(select(Announcement)).all()
    assert outcome == sorted([f"#{made.id} made", "core.error.idempotency_key_reused"]), outcome
