"""Who may see one feedback item: the one object-level rule chat, REST and the dashboard share.

An item is visible to its reporter and to whoever may work it (``flows.require_desk``: a lead or
admin of the item's team, the person on duty, the item's owner). Everyone else gets
``feedback.error.forbidden`` — the same answer /反馈详情 has always given.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.exceptions import PermissionDenied
from teamassist.feedback import flows
from teamassist.feedback import service as feedback_service
from teamassist.feedback.models import FeedbackItem
from teamassist.ports import Roster
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team


def can_view(
    session: Session, *, roster: Roster, item: FeedbackItem, member: Member | None, now: datetime
) -> bool:
    """Whether ``member`` may read ``item`` (``None`` is the API token, the workspace owner)."""
    if member is None or item.reporter_id == member.id:
        return True
    team = team_service.get_team(session, workspace_id=item.workspace_id, team_id=item.team_id)
    try:
        flows.require_desk(session, roster=roster, team=team, member=member, now=now, item=item)
    except PermissionDenied:
        return False
    return True


def get_visible(
    session: Session,
    *,
    roster: Roster,
    workspace_id: int,
    item_id: int,
    member: Member | None,
    now: datetime,
    trusted: bool = False,
) -> FeedbackItem:
    """One item the caller may read; NotFound outside the workspace, PermissionDenied otherwise.

    ``trusted`` is for callers already known to be on the desk by other means (a platform admin
    in chat), so the rule is not asked twice.
    """
    item = feedback_service.get(session, workspace_id=workspace_id, item_id=item_id)
    if not trusted and not can_view(session, roster=roster, item=item, member=member, now=now):
        raise PermissionDenied("feedback.error.forbidden")
    return item


def require_team_reader(session: Session, *, team: Team, member: Member | None) -> None:
    """PermissionDenied ``feedback.error.forbidden`` unless ``member`` is one of ``team``'s
    people (None, the workspace owner, always is): who reads a team's desk report (load per
    person, response times) and its desk settings, on REST and the dashboard. Both answered
    any member about any team of the workspace (testers s18-19). The team's director reads
    them too, from a parent team as well (escalations reach them)."""
    if member is not None and member.id == team.director_id:
        return
    team_service.require_in_team(session, team=team, member=member, key="feedback.error.forbidden")
