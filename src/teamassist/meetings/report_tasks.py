"""At the weekly meeting's notice, each core member is asked for their part of the report as an
action item (the seed's Feishu task per participant, the director following it).

The items are opened through :class:`teamassist.events.FollowUpNeeded` (source ``meeting``, the
occurrence's id, one per owner), so the action-item desk owns them: on a Feishu team it mirrors
each as a Task v2 task through the ``Tasks`` port (the director a follower, as requester), on a
QQ or WeCom team the action item is the task. Asking again (a re-run, a redelivered step) finds
the same items.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc, local
from teamassist.events import FollowUpNeeded, FollowUpSourceChanged, ask, publish
from teamassist.i18n import t
from teamassist.meetings import calendar_sync
from teamassist.meetings.models import MeetingOccurrence, Status
from teamassist.meetings.settings import Kind
from teamassist.team import service as team_service
from teamassist.team.models import Team

SOURCE_KIND = "meeting"


def ask_core_members(session: Session, *, team: Team, occ: MeetingOccurrence, now: datetime) -> int:
    """Open one report item per core member of a weekly ``occ``, due at its report-due time,
    requested by the director (else the leader, else an admin); returns how many were asked.
    Nothing for a period meeting, a report already due, or a team nobody directs."""
    if occ.kind != Kind.WEEKLY.value or ensure_utc(occ.due_at) <= ensure_utc(now):
        return 0
    leads = team_service.director_or_stand_in(session, team=team)
    if not leads:
        return 0
    due_at = ensure_utc(occ.due_at)
    members = calendar_sync.attendees(session, team=team, occ=occ)
    for member_id in members:
        ask(
            session,
            FollowUpNeeded(
                team=team,
                source_kind=SOURCE_KIND,
                source_id=occ.id,
                owner_id=member_id,
                requester_id=leads[0].id,
                title=t("meetings.notice.report_task", report=occ.report_title)[:200],
                due=local(due_at, team.timezone).date(),
                now=now,
                due_at=due_at,
                per_owner=True,
            ),
        )
    return len(members)


def follow(session: Session, *, team: Team, occ: MeetingOccurrence, now: datetime) -> None:
    """The report items of ``occ`` follow it: due at its (new) report-due time when it moved,
    cancelled with it (on Feishu their tasks follow: patched, or deleted; their owners are
    told, naming the meeting by its title)."""
    publish(
        session,
        FollowUpSourceChanged(
            team=team,
            source_kind=SOURCE_KIND,
            source_id=occ.id,
            due_at=ensure_utc(occ.due_at),
            cancelled=occ.status == Status.CANCELLED.value,
            now=now,
            title=occ.title,
        ),
    )
