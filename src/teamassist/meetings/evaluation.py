"""The after-meeting evaluation (OKR评价) of a period meeting, built in instead of the seed's
external 快问卷: each member ranks the team's leaders (``/评价 <编号> @A @B …``, best first);
ballots are secret and the result is hidden until the form closes, a day after the meeting ends
(:data:`teamassist.meetings.steps.EVALUATION_WINDOW`); then ``/评价结果 <编号>`` shows the ranking.

Scoring is the Borda count: on a ballot naming ``n`` leaders, place ``p`` earns ``n − p + 1``
points; leaders are ordered by total points, then by how many ballots named them, then by name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc
from teamassist.enums import Role
from teamassist.exceptions import Conflict, Invalid
from teamassist.meetings.models import MeetingOccurrence, MeetingRank, Status
from teamassist.meetings.settings import Kind
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

WINDOW = timedelta(days=1)  # the form closes this long after the meeting ends


def closes_at(occ: MeetingOccurrence) -> datetime:
    """When the form closes (UTC)."""
    return ensure_utc(occ.end_at) + WINDOW


def candidates(session: Session, *, team: Team) -> list[Member]:
    """Who is ranked: the team's active leads, by name."""
    found = [
        m
        for m, role in team_service.team_members(session, team=team)
        if role is Role.LEAD and m.active and m.merged_into_id is None
    ]
    return sorted(found, key=lambda m: (m.display_name, m.id))


def submit(
    session: Session,
    *,
    team: Team,
    occ: MeetingOccurrence,
    judge: Member,
    ranked: list[Member],
    now: datetime,
) -> int:
    """Record ``judge``'s ranking (best first), replacing theirs; returns how many were ranked.

    Raises ``Invalid`` for a weekly meeting, an empty ranking, someone named twice or someone
    who is not a candidate; ``Conflict`` before the meeting has ended, after the form closed, or
    for a cancelled meeting."""
    now = ensure_utc(now)
    # One ranking of an occurrence at a time, checked on the row as locked: two of one judge at
    # once each found no ballot to replace and both inserted, the second dying of the unique
    # key (tester s26 B-29); a cancel in between is seen.
    session.scalar(
        select(MeetingOccurrence)
        .where(MeetingOccurrence.id == occ.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if occ.kind == Kind.WEEKLY.value or not occ.evaluation:
        raise Invalid("meetings.error.no_evaluation", title=occ.title)
    if occ.status == Status.CANCELLED.value:
        raise Conflict("meetings.error.cancelled", id=occ.id, title=occ.title)
    if now < ensure_utc(occ.end_at) or now >= closes_at(occ):
        raise Conflict("meetings.error.form_closed", title=occ.title)
    allowed = {m.id for m in candidates(session, team=team)}
    ids = [m.id for m in ranked]
    if not ids:
        raise Invalid("meetings.error.no_ranking")
    if len(set(ids)) != len(ids):
        raise Invalid("meetings.error.named_twice")
    strangers = [m.display_name for m in ranked if m.id not in allowed]
    if strangers:
        raise Invalid("meetings.error.not_candidate", names="、".join(strangers))
    session.execute(
        delete(MeetingRank).where(
            MeetingRank.occurrence_id == occ.id, MeetingRank.judge_id == judge.id
        )
    )
    for position, member_id in enumerate(ids, start=1):
        session.add(
            MeetingRank(
                occurrence_id=occ.id,
                judge_id=judge.id,
                candidate_id=member_id,
                position=position,
                at=now,
            )
        )
    session.flush()
    return len(ids)


@dataclass(frozen=True)
class Standing:
    """One leader's result."""

    member_id: int
    points: int
    ballots: int


def results(
    session: Session, *, occ: MeetingOccurrence, now: datetime
) -> tuple[list[Standing], int]:
    """The ranking and the number of judges; raises ``Conflict`` while the form is open."""
    if ensure_utc(now) < closes_at(occ):
        raise Conflict("meetings.error.results_hidden", title=occ.title)
    rows = list(session.scalars(select(MeetingRank).where(MeetingRank.occurrence_id == occ.id)))
    sizes: dict[int, int] = defaultdict(int)
    for row in rows:
        sizes[row.judge_id] += 1
    points: dict[int, int] = defaultdict(int)
    ballots: dict[int, int] = defaultdict(int)
    for row in rows:
        points[row.candidate_id] += sizes[row.judge_id] - row.position + 1
        ballots[row.candidate_id] += 1
    names = team_service.names_by_id(session, points)
    order = sorted(points, key=lambda m: (-points[m], -ballots[m], names.get(m, ""), m))
    return [Standing(m, points[m], ballots[m]) for m in order], len(sizes)
