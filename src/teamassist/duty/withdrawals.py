"""Withdrawing a pending roster change: ``/撤销排班变更``, REST ``DELETE …/versions/{id}`` and
the editor's button all call :func:`withdraw_change`.

The changes after it are replayed without it (:func:`~teamassist.duty.service.cancel_version`).
A shift swap (``/值班换班``) made after it traded shifts the change had planned: when its people
still hold them without the change, it stands; when not, it is cancelled from now and its
people (and whoever made it) are told, as a roster change that breaks a swap says so. A tester
(session 17) undid an addition and the swap the added person had made since stopped applying,
with nobody told.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.duty import messages, service
from teamassist.duty.models import Rotation, Swap
from teamassist.i18n import t
from teamassist.team.models import Team


def withdraw_change(
    session: Session, *, team: Team, rotation: Rotation, version_id: int, now: datetime
) -> service.Withdrawn:
    """Withdraw the pending change ``version_id``; the swaps it took with it are told."""
    done = service.cancel_version(session, rotation=rotation, version_id=version_id, now=now)
    day = service.version_day(team, service.version_spec(done.version)).isoformat()
    for spec in done.broken_swaps:
        swap = session.get(Swap, spec.id)
        if swap is None:
            continue
        people = service.members_by_id(
            session, [swap.created_by_id, swap.member_a_id, swap.member_b_id]
        )
        reply = Reply()
        a, b = people.get(swap.member_a_id), people.get(swap.member_b_id)
        reply.body = t(
            "duty.swap_withdrawn_notice",
            rotation=rotation.name,
            date=day,
            change=t(f"duty.change.{done.version.change}"),
            what=t(
                "duty.departure.swap" if swap.date_b else "duty.departure.swap_one_way",
                a=messages.mention(reply, a) if a else "?",
                b=messages.mention(reply, b) if b else "?",
                date_a=swap.date_a.isoformat(),
                date_b=swap.date_b.isoformat() if swap.date_b else "",
            ),
        )
        for member in people.values():
            if member.active:
                key = f"duty.swap_withdrawn_notice:{swap.id}:{member.id}"
                notify.to_member(session, member=member, reply=reply, key=key, now=now)
    return done
