"""REST shapes of the announcements desk."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from teamassist.announcements.models import Announcement
from teamassist.announcements.service import MAX_TEXT, Receipt
from teamassist.chat.render import to_plain
from teamassist.chat.types import Person, Reply
from teamassist.http.fields import DueAt, IsoDateTime
from teamassist.request_body import RequestBody


class AnnouncementCreate(RequestBody):
    """``{"group": "产品核心群", "text": "…", "kind": "notice"}``; ``targets`` are member ids
    (default: everyone in the group); ``due_at`` adds an action item per target (the only
    deadline: a ``text`` ending in ``截止 周五`` is refused, not read); ``send_at``
    holds the notices until then. ``"targets": []`` is refused (422): a script whose filter
    came out empty would otherwise have DMed the whole group (session 16). Times are ISO
    8601 text (no offset: the team's wall clock; a number or ``20261209`` is refused); a
    ``due_at`` date alone is 18:00 that day, as in chat;
    ``send_at`` needs its time of day (a date alone is refused: midnight is rarely meant) and
    may be at most 5 minutes past (later: refused, send without it to send now).
    ``@name`` in ``text`` is a mention and a target, as in chat; a notice may target anyone of
    the workspace, a bulk DM only the group's members. An unknown key (``due`` for
    ``due_at``) is refused, not ignored."""

    group: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    kind: Literal["notice", "bulk"] = "notice"
    # None (left out): everyone in the group; an empty list is refused, never "everyone"
    targets: list[int] | None = Field(default=None, max_length=500)
    due_at: DueAt | None = None
    send_at: IsoDateTime | None = None
    # The same group, text and people as the caller's own announcement of the last 10
    # minutes is refused (422 ``announcements.error.repeat``) unless this is true.
    force: bool = False
    # Who announces, by handle: only for the workspace owner (the global API token, a
    # member-less account), which is no person and must name one (tester s23 F4: its notices
    # went out in the name of the group team's first admin, who never wrote them). A member's
    # token announces as its owner; another handle is refused.
    as_member: str | None = Field(default=None, alias="as", min_length=1, max_length=64)


class ReceiptRead(BaseModel):
    """One recipient: ``status`` is sent, pending, failed, action, scheduled, left or
    cancelled."""

    label: str
    status: str
    member_id: int | None
    channel_id: int | None
    action_note: str | None
    # a ``scheduled`` one: when it goes (its send time, or the end of a chat's quiet hours)
    goes_at: datetime | None = None


class AnnouncementRead(BaseModel):
    """An announcement with its receipts."""

    id: int
    kind: str
    group: str
    text: str
    team_id: int
    author_id: int | None
    due_at: datetime | None
    send_at: datetime
    created_at: datetime
    # set when it was cancelled before it went out (every receipt then says ``cancelled``)
    cancelled_at: datetime | None = None
    receipts: list[ReceiptRead]
    # what the author who just sent it should know: owners of its action items set to leave
    # before the deadline (the chat receipt's 「注意：…」 lines); empty on every other answer
    warnings: list[str] = Field(default_factory=list)


def announcement_read(
    row: Announcement, receipts: list[Receipt], people: Mapping[int, Person]
) -> AnnouncementRead:
    """The read shape (the body as plain text, mentions as @names: ``people`` are the members
    its ``<@m:ID>`` tokens name, :func:`teamassist.announcements.service.mentioned`)."""
    return AnnouncementRead(
        id=row.id,
        kind=row.kind,
        group=row.group_name,
        text=to_plain(Reply(body=row.body, people=dict(people))),
        team_id=row.team_id,
        author_id=row.author_id,
        due_at=row.due_at,
        send_at=row.send_at,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
        receipts=[
            ReceiptRead(
                label=r.label,
                status=r.status,
                member_id=r.member_id,
                channel_id=r.channel_id,
                action_note=r.action_note,
                goes_at=r.goes_at,
            )
            for r in receipts
        ],
    )
