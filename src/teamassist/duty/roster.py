"""The ``Roster`` port, provided by the duty desk: who is on duty, for every other domain.

Other domains never import duty; they receive this adapter through ``Ports`` (feedback routes
items and checks desk rights with it; OKR, meetings and 1on1s will).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.team.models import Member, Team


@dataclass(frozen=True)
class DutyRoster:
    """``Roster`` over the duty schedule (final schedule: versions, overrides and swaps).

    Stateless (the session carries everything), so all instances are equal: a subscriber bound
    to one is the same subscriber as one bound to another.
    """

    def on_duty(
        self,
        session: Session,
        *,
        team: Team,
        at: datetime,
        rotation_kind: str | None = None,
        identities: bool = False,
    ) -> Sequence[Member]:
        """Members on duty at ``at``, primary first; ``rotation_kind`` limits to one rotation;
        ``identities``: their platform identities joined into the members' read."""
        from teamassist.duty import service  # the port is built at start; the desk on first use

        return service.on_duty_members(
            session, team=team, at=at, rotation_kind=rotation_kind, identities=identities
        )

    def is_on_duty(self, session: Session, *, team: Team, member: Member, at: datetime) -> bool:
        """Whether ``member`` holds any of ``team``'s rotations at ``at``."""
        from teamassist.duty import service

        return service.is_on_duty(session, team, member, at)

    def has_rotation(self, session: Session, *, team: Team) -> bool:
        """Whether ``team`` has a rotation that is not archived."""
        from teamassist.duty.models import Rotation

        found = session.scalar(
            select(Rotation.id)
            .where(Rotation.team_id == team.id, Rotation.archived_at.is_(None))
            .limit(1)
        )
        return found is not None
