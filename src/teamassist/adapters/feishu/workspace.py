"""The workspace ports for teams on Feishu: ``Tasks``, ``Calendar`` and ``Documents``.

Nothing here calls Feishu. Each call turns the product's request into an *operation* (a JSON
object holding the whole wanted state, people as open_ids) queued in the outbox in the caller's
transaction, for the platform ``feishu-workspace``; :mod:`teamassist.adapters.feishu.operations`
carries it out. The outbox gives what the Feishu APIs need: one lane per object (its address is
the product key, so an object's operations run in order), retries with backoff, waiting out a
rate limit without spending attempts, and a dead row an admin can retry. An operation converges
the object to its state, so running one twice, or an old one after a newer, is harmless.

Only open_ids go in a payload; no token ever does (the operations use the tenant token).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.adapters.feishu.models import FeishuObject
from teamassist.chat.types import Reply
from teamassist.enums import Platform
from teamassist.events import DocumentReady, publish
from teamassist.i18n import t
from teamassist.outbox import service as outbox
from teamassist.outbox.models import OutboxMessage
from teamassist.ports import CalendarEntry, DocumentDraft, TaskMirror
from teamassist.team.models import Member, PlatformIdentity, Team

PLATFORM = "feishu-workspace"  # the outbox lane of workspace operations (≤ 16 characters)


def open_ids(session: Session, member_ids: Sequence[int]) -> list[str]:
    """The Feishu open_ids of ``member_ids`` in their order; people not on Feishu are left
    out (a task or event without them is better than none)."""
    if not member_ids:
        return []
    rows = session.execute(
        select(PlatformIdentity.member_id, PlatformIdentity.user_key).where(
            PlatformIdentity.member_id.in_(member_ids),
            PlatformIdentity.platform == Platform.FEISHU.value,
        )
    ).all()
    found = {m: key for m, key in rows if key.startswith("ou_")}
    return [found[m] for m in dict.fromkeys(member_ids) if m in found]


def queue(
    session: Session, *, team: Team, kind: str, key: str, op: dict[str, Any], now: datetime
) -> None:
    """Queue operation ``op`` (``kind`` task/event) on object ``key``, unless the last one
    queued for it asks for the same state. Its outbox key chains the state to the previous
    operation's key: the same change queued twice (a redelivery, two handlers) is one row,
    and a later change back to an earlier state is a new one."""
    body = json.dumps({**op, "workspace_id": team.workspace_id}, ensure_ascii=False, sort_keys=True)
    last = session.execute(
        select(OutboxMessage.idempotency_key, OutboxMessage.payload)
        .where(OutboxMessage.platform == PLATFORM, OutboxMessage.address == key)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()
    if last is not None and last.payload.get("body") == body:
        return
    previous = last.idempotency_key if last is not None else ""
    digest = hashlib.sha256(f"{previous}|{body}".encode()).hexdigest()[:40]
    outbox.enqueue(
        session,
        key=f"feishu.{kind}:{digest}",
        platform=PLATFORM,
        address=key,
        reply=Reply(title=kind, body=body),
        now=now,
        workspace_id=team.workspace_id,
    )


def _millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class FeishuTasks:
    """``Tasks`` on Feishu: one Task v2 task per action item, the owner its assignee and the
    requester and director followers; completed when the item is done, reopened with it,
    deleted when it was dropped (``cancelled``).

    An owner without a Feishu identity (not on Feishu, never linked) cannot be assigned: the
    team's director stands in as the assignee and the task's title says for whom
    (``…（代张三，其未绑定飞书）``), so the task is still seen and followed in Feishu; the
    owner keeps the action item itself (chat, dashboard). Without a director on Feishu either,
    the task has followers only."""

    def mirror(self, session: Session, *, team: Team, task: TaskMirror, now: datetime) -> None:
        """Queue the task's wanted state (see :class:`teamassist.ports.Tasks`)."""
        summary = task.title
        assignees = open_ids(session, [task.assignee_id])
        if not assignees and team.director_id is not None:
            assignees = open_ids(session, [team.director_id])
            if assignees:
                owner = session.get(Member, task.assignee_id)
                name = owner.display_name if owner is not None else "?"
                summary = t("feishu.workspace.stand_in", title=task.title, name=name)
        op = {
            "key": task.key,
            "summary": summary,
            "description": task.url,
            "due_ms": _millis(task.due_at),
            "assignees": assignees,
            "followers": [x for x in open_ids(session, task.follower_ids) if x not in assignees],
            "done": task.done,
            "cancelled": task.cancelled,
        }
        queue(session, team=team, kind="task", key=task.key, op=op, now=now)


class FeishuCalendar:
    """``Calendar`` on Feishu: a Calendar v4 event with the attendees, the place and a video
    link (the meeting's own, else a Feishu VC), patched when moved, deleted when cancelled."""

    def schedule(
        self, session: Session, *, team: Team, entry: CalendarEntry, now: datetime
    ) -> None:
        """Queue the event's wanted state (see :class:`teamassist.ports.Calendar`)."""
        op = {
            "key": entry.key,
            "summary": entry.title,
            "description": entry.description,
            "start_s": int(entry.start_at.timestamp()),
            "end_s": int(entry.end_at.timestamp()),
            "place": entry.place,
            "video_url": entry.video_url or "",
            "attendees": open_ids(session, entry.attendee_ids),
            "cancelled": entry.cancelled,
            "sequence": entry.sequence,
        }
        queue(session, team=team, kind="event", key=entry.key, op=op, now=now)


class FeishuDocuments:
    """``Documents`` on Feishu: a docx in the team's folder, filled from the Markdown, the
    editors given edit and the viewers view; its link once made, the dashboard's until then.

    :class:`DocumentReady` comes with the Feishu link once the document exists (from the
    operation, :mod:`teamassist.adapters.feishu.documents`), or with the dashboard page at once
    when an editor has no Feishu identity: the docx is still made (for the viewers), but the
    person it is for could not open it."""

    def publish(self, session: Session, *, team: Team, draft: DocumentDraft, now: datetime) -> str:
        """See :class:`teamassist.ports.Documents`; a document is made once per key, and
        published again with other content (a rebuilt pack) that same document gets the new
        content; the same content again queues nothing."""
        made = session.scalar(
            select(FeishuObject).where(
                FeishuObject.kind == "document", FeishuObject.key == draft.key
            )
        )
        editors = open_ids(session, draft.editor_ids)
        op = {
            "key": draft.key,
            "title": draft.title,
            "markdown": draft.markdown,
            "folder": [team.name, *draft.folder],
            "editors": editors,
            "viewers": open_ids(session, draft.viewer_ids),
            "local_url": draft.local_url,
        }
        queue(session, team=team, kind="document", key=draft.key, op=op, now=now)
        url = made.url if made is not None and made.url else ""
        if url or len(editors) < len(set(draft.editor_ids)):
            ready = DocumentReady(
                workspace_id=team.workspace_id, key=draft.key, url=url or draft.local_url, now=now
            )
            publish(session, ready)
        return url or draft.local_url
