"""Direct messages to the other party of a change, through the outbox.

Keys are ``actions.<change>:<item>:<instant>``: one notice per change (a redelivered chat event
never gets this far twice: the dispatcher's inbox drops it), while the same change made again
later (done, sent back, done again) is a new notice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.actions import messages
from teamassist.actions.models import ActionItem
from teamassist.chat import notify
from teamassist.chat.types import Reply, user_text
from teamassist.clock import ensure_utc
from teamassist.team.models import Member, Team


def _send(
    session: Session, to_id: int, actor: Member | None, item: ActionItem, kind: str, reply: Reply
) -> None:
    if actor is not None and to_id == actor.id:
        return  # nobody needs to be told what they did themselves
    member = session.get(Member, to_id)
    if member is None or not member.active or member.merged_into_id is not None:
        return
    now = ensure_utc(item.updated_at)
    notify.to_member(
        session,
        member=member,
        reply=reply,
        key=f"actions.{kind}:{item.id}:{now.isoformat()}",
        now=now,
    )


def assigned(
    session: Session, *, team: Team, item: ActionItem, owner: Member, requester: Member
) -> None:
    """Tell the owner of a new item (with a button to mark it done)."""
    _send(session, owner.id, requester, item, "assigned", messages.assigned(item, team, requester))


def done(session: Session, *, team: Team, item: ActionItem, owner: Member) -> None:
    """Ask the requester to check (buttons: close, send back)."""
    _send(session, item.requester_id, owner, item, "done", messages.done_notice(item, team, owner))


def closed(session: Session, *, team: Team, item: ActionItem, actor: Member) -> None:
    """Tell the owner it is closed."""
    reply = messages.changed("notice.closed", item, team, actor)
    _send(session, item.owner_id, actor, item, "closed", reply)


def reopened(session: Session, *, team: Team, item: ActionItem, actor: Member, reason: str) -> None:
    """Tell the owner it came back, and why."""
    reply = messages.changed(
        "notice.reopened", item, team, actor, reason=user_text(reason) if reason else "-"
    )
    _send(session, item.owner_id, actor, item, "reopened", reply)


def undone(session: Session, *, team: Team, item: ActionItem, owner: Member) -> None:
    """Tell the requester the owner took back "done": nothing to check any more."""
    reply = messages.changed("notice.undone", item, team, owner)
    _send(session, item.requester_id, owner, item, "undone", reply)


def extended(
    session: Session, *, team: Team, item: ActionItem, actor: Member, before: datetime
) -> None:
    """Tell the other party (the requester when the owner extends, else the owner)."""
    reply = messages.changed(
        "notice.extended", item, team, actor, before=messages.due_text(before, team)
    )
    other = item.requester_id if actor.id == item.owner_id else item.owner_id
    _send(session, other, actor, item, "extended", reply)


def reassigned(
    session: Session, *, team: Team, item: ActionItem, owner: Member, actor: Member | None
) -> None:
    """Tell the new owner (with a button to mark it done); ``actor`` None: the assistant moved
    it because the owner left."""
    _send(session, owner.id, actor, item, "reassigned", messages.reassigned(item, team, actor))
