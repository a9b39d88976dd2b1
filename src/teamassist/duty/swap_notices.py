"""Who is told of a shift swap: each of its two people who did not make it, by DM, and the
team's duty channel. A member could take a colleague's day with ``/值班换班 @A 日期 @自己`` and
nobody was told; A learnt it from the roster (outside tester F14, session 23)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.duty import messages
from teamassist.duty.models import Rotation, Swap
from teamassist.enums import ChannelPurpose
from teamassist.i18n import t
from teamassist.team.models import Member, Team


def tell(
    session: Session,
    *,
    team: Team,
    rotation: Rotation,
    swap: Swap,
    a: Member,
    b: Member,
    by: Member | None,
    now: datetime,
) -> None:
    """Queue the notice of ``swap`` (A's ``date_a`` to B, and B's ``date_b`` to A when set) to
    A and B, but not to ``by`` who made it, and to ``team``'s duty (internal) channels. The
    workspace owner over REST (``by`` None) is named as 管理员."""
    reply = Reply()
    reply.body = t(
        "duty.swap_made_notice",
        by=messages.mention(reply, by) if by is not None else t("core.role.admin"),
        rotation=rotation.name,
        what=t(
            "duty.departure.swap" if swap.date_b else "duty.departure.swap_one_way",
            a=messages.mention(reply, a),
            b=messages.mention(reply, b),
            date_a=swap.date_a.isoformat(),
            date_b=swap.date_b.isoformat() if swap.date_b else "",
        ),
    )
    for member in (a, b):
        if by is None or member.id != by.id:
            key = f"duty.swap_made:{swap.id}:{member.id}"
            notify.to_member(session, member=member, reply=reply, key=key, now=now)
    notify.to_channels(
        session,
        team=team,
        purpose=ChannelPurpose.INTERNAL,
        reply=reply,
        key=f"duty.swap_made:{swap.id}",
        now=now,
    )
