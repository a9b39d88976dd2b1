"""People who leave: a deactivated member goes out of every rotation from the day it takes effect.

The team domain publishes :class:`~teamassist.events.MemberDeactivated`; this removes the member
with the roster change an admin's ``/值班人员移除`` makes, so pending changes are replayed and
broken swaps cancelled as usual. Today's person on duty keeps today's shift and leaves from the
next duty day; a rotation that would be left empty refuses (the deactivation with it), so an
admin adds someone first.

The removal is stored as ``leave`` (:data:`~teamassist.duty.planning.ACTION_LEAVE`), not
``remove``, with the member's id alone in its note: that is how a departure's removal is told
from one an admin made by hand. When the departure is called off
(:class:`~teamassist.events.MemberReactivated`) the ``leave`` rows of that member still pending
are withdrawn and the changes after them replayed; a removal by hand, and a ``leave`` already in
effect (they had left: an admin adds them again), stay. A tester called off
``/停用成员 @李四 12月20日`` and the rotation still dropped 李四 from 12-20.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.clock import local, parse_hhmm
from teamassist.duty import planning, service
from teamassist.duty.models import Rotation, RotationVersion
from teamassist.duty.rotation import CompiledRotation, duty_date_at
from teamassist.events import MemberDeactivated, MemberReactivated
from teamassist.exceptions import Conflict
from teamassist.i18n import t
from teamassist.team.models import Member, Team


def on_member_deactivated(session: Session, event: MemberDeactivated) -> None:
    """Remove the member from each rotation they are in, from the duty day of ``event.at``."""
    by = session.get(Member, event.by_id) if event.by_id else None
    for team_id in event.team_ids:
        team = session.get(Team, team_id)
        if team is None:
            continue
        for rotation in service.rotations(session, team=team):
            spec = service.current_spec(session, team, rotation)
            if not spec.versions or event.member_id not in spec.versions[-1].member_ids:
                continue
            handoff = parse_hhmm(service.rotation_handoff(session, team, rotation))
            # A deactivation "from 06-05" means from that calendar day, not from the night
            # shift before it; never before the duty day running now.
            day = max(
                local(event.at, team.timezone).date(),
                duty_date_at(event.now, handoff, team.timezone),
            )
            change = planning.RosterChange(
                planning.ACTION_LEAVE, member_ids=(event.member_id,), effective_date=day
            )
            try:
                service.change_roster(
                    session, team=team, rotation=rotation, change=change, now=event.now, by=by
                )
            except Conflict as exc:
                if exc.key != "duty.error.remove_on_duty":
                    raise
                # On duty right now: today's shift stays theirs, they leave from tomorrow.
                tomorrow = planning.RosterChange(
                    planning.ACTION_LEAVE,
                    member_ids=(event.member_id,),
                    effective_date=day + timedelta(days=1),
                )
                service.change_roster(
                    session, team=team, rotation=rotation, change=tomorrow, now=event.now, by=by
                )


def on_member_reactivated(session: Session, event: MemberReactivated) -> str | None:
    """Withdraw the departure's removals of the member that have not taken effect yet (and
    replay what was planned after them). Says which rotations they stay in, and which they
    had already left (an admin adds them again), or None when the departure touched no
    rotation: a tester was told a removal "was withdrawn" that had taken effect."""
    withdrawn: list[str] = []
    left: list[str] = []
    for team_id in event.team_ids:
        team = session.get(Team, team_id)
        if team is None:
            continue
        for rotation in service.rotations(session, team=team):
            taken_back = False
            for version in _departure_removals(session, rotation.id, event):
                if service.withdraw_and_replay(
                    session, team=team, rotation=rotation, version=version, now=event.now
                ):
                    taken_back = True
            if taken_back:
                withdrawn.append(rotation.name)
            elif _left_already(session, team, rotation, event):
                left.append(rotation.name)
    said = []
    if withdrawn:
        said.append(t("duty.departure.withdrawn", rotations=_quoted(withdrawn)))
    if left:
        said.append(t("duty.departure.left_already", rotations=_quoted(left)))
    return "".join(said) or None


def _quoted(names: list[str]) -> str:
    return "、".join(f"「{name}」" for name in names)


def _left_already(
    session: Session, team: Team, rotation: Rotation, event: MemberReactivated
) -> bool:
    """Whether a removal of this departure took effect and the member is still out of the
    rotation now."""
    removed = session.scalar(
        select(RotationVersion.id).where(
            RotationVersion.rotation_id == rotation.id,
            RotationVersion.change == planning.ACTION_LEAVE,
            RotationVersion.note == str(event.member_id),
            RotationVersion.cancelled_at.is_(None),
            RotationVersion.effective_at <= event.now,
        )
    )
    if removed is None:
        return False
    version = CompiledRotation(service.current_spec(session, team, rotation)).version_at(event.now)
    return version is not None and event.member_id not in version.member_ids


def _departure_removals(
    session: Session, rotation_id: int, event: MemberReactivated
) -> list[RotationVersion]:
    return list(
        session.scalars(
            select(RotationVersion)
            .where(
                RotationVersion.rotation_id == rotation_id,
                RotationVersion.change == planning.ACTION_LEAVE,
                RotationVersion.note == str(event.member_id),
                RotationVersion.cancelled_at.is_(None),
                RotationVersion.effective_at > event.now,
            )
            .order_by(RotationVersion.effective_at.desc(), RotationVersion.id.desc())
        )
    )
