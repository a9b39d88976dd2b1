"""Demo rotations: 技术 (tech) and 产品 (product), daily, from the demo members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.duty import service
from teamassist.team import service as team_service
from teamassist.team.models import Member, Workspace

TECH = ("zhangsan", "lisi", "wangwu")
PRODUCT = ("zhaoliu", "sunqi", "lihua")


def load(session: Session, workspace: Workspace, now: datetime) -> None:
    """Create the two seed rotations in the demo team (once)."""
    team = team_service.default_team(session, workspace_id=workspace.id)
    if service.rotations(session, team=team):
        return

    def people(handles: tuple[str, ...]) -> list[Member]:
        found = [
            team_service.get_member_by_handle(session, workspace_id=workspace.id, handle=h)
            for h in handles
        ]
        return [m for m in found if m is not None]

    today = service.today(team, now)
    service.create_rotation(
        session,
        team=team,
        key="tech",
        name="技术",
        kind=service.KIND_TECH,
        members=people(TECH),
        start_date=today,
        now=now,
    )
    service.create_rotation(
        session,
        team=team,
        key="product",
        name="产品",
        kind=service.KIND_PRODUCT,
        members=people(PRODUCT),
        start_date=today,
        now=now,
    )
