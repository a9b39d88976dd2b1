"""Starting plans across rooms: each new plan's person gets a DM with the link (outbox key
``careers.started:<plan>``) and an action item due at the deadline, asked through
:class:`teamassist.events.FollowUpNeeded` (source kind ``career_plan``). A plan that already
existed gets neither again, so a second start or a redelivered event doubles nothing.

Also the answers to the two queries other domains ask: :class:`CareerPlanWanted` (the seed's
``***制定个人职业发展规划***`` in a DM, asked by announcements) and :class:`CareerGoals` (a 1on1).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.careers import service
from teamassist.careers.models import CareerPlan
from teamassist.careers.service import Started
from teamassist.chat import notify
from teamassist.chat.types import Reply, user_text
from teamassist.clock import local
from teamassist.events import (
    CareerGoals,
    CareerPlanWanted,
    FollowUpNeeded,
    GoalFact,
    SourceKnown,
    ask,
)
from teamassist.exceptions import NotFound
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.people import addressed_as

SOURCE_KIND = "career_plan"  # an action item's source_kind; source_id is the plan


def link(public_url: str, plan: CareerPlan) -> str:
    """The plan's dashboard page."""
    return f"{public_url.rstrip('/')}/career-plans/{plan.id}?team={plan.team_id}"


def due_text(plan: CareerPlan, team: Team) -> str:
    """``2026-12-31 18:00`` on the team's wall clock."""
    return local(plan.due_at, team.timezone).strftime("%Y-%m-%d %H:%M")


def start(
    session: Session,
    *,
    team: Team,
    director: Member,
    people: Sequence[Member],
    due_at: datetime,
    request: str,
    now: datetime,
    public_url: str,
    year: int | None = None,
) -> list[Started]:
    """:func:`service.start`, then for each new plan the DM and the action item."""
    started = service.start(
        session,
        team=team,
        director=director,
        people=people,
        due_at=due_at,
        request=request,
        now=now,
        year=year,
    )
    for one in started:
        if one.created:
            _tell(session, team=team, director=director, one=one, now=now, public_url=public_url)
    return started


def _tell(
    session: Session,
    *,
    team: Team,
    director: Member,
    one: Started,
    now: datetime,
    public_url: str,
) -> None:
    plan = one.plan
    url = link(public_url, plan)
    note = ask(
        session,
        FollowUpNeeded(
            team=team,
            source_kind=SOURCE_KIND,
            source_id=plan.id,
            owner_id=one.member.id,
            requester_id=director.id,
            title=t("careers.action_title", title=plan.title, url=url)[:200],
            due=local(plan.due_at, team.timezone).date(),
            now=now,
            due_at=plan.due_at,
        ),
    )
    body = t(
        "careers.dm",
        director=user_text(addressed_as(director, team)),
        title=user_text(plan.title),
        request=user_text(plan.request) if plan.request else t("careers.dm_no_request"),
        due=due_text(plan, team),
        url=url,
    )
    if note:
        body += "\n" + note[0]
    notify.to_member(
        session,
        member=one.member,
        reply=Reply(title=plan.title, body=body),
        key=f"careers.started:{plan.id}",
        now=now,
    )


def summary(started: Sequence[Started], team: Team) -> str:
    """The director's reply: who got a new plan, who had one already."""
    new = [s for s in started if s.created]
    old = [s for s in started if not s.created]
    lines: list[str] = []
    if new:
        lines.append(
            t(
                "careers.started",
                count=len(new),
                names="、".join(user_text(s.member.display_name) for s in new),
                year=new[0].plan.year,
                due=due_text(new[0].plan, team),
            )
        )
    if old:
        lines.append(
            t(
                "careers.already_started",
                names="、".join(user_text(s.member.display_name) for s in old),
                year=old[0].plan.year,
            )
        )
    return "\n".join(lines)


def answer_wanted(session: Session, query: CareerPlanWanted, *, public_url: str) -> str:
    """The seed grammar's start: the director's reply text (errors raise, nothing is sent)."""
    director = session.get(Member, query.director_id)
    if director is None:
        raise NotFound("careers.error.not_director", team=query.team.name)
    people = list(team_service.members_by_id(session, query.member_ids).values())
    people.sort(key=lambda m: query.member_ids.index(m.id))
    started = start(
        session,
        team=query.team,
        director=director,
        people=people,
        due_at=query.due_at,
        request=query.text,
        now=query.now,
        public_url=public_url,
    )
    return summary(started, query.team)


def answer_goals(session: Session, query: CareerGoals) -> tuple[GoalFact, ...]:
    """The reviewed plan's goals for a 1on1 (see :class:`CareerGoals`); nothing unless the
    asker may read the plan (its person or the director), as :func:`service.get` rules."""
    asker = query.asker
    if asker.id != query.member.id and not service.is_director(
        session, team=query.team, member=asker
    ):
        return ()
    return service.goal_facts(session, team=query.team, member=query.member, now=query.now)


def answer_known(session: Session, query: SourceKnown) -> bool | None:
    """Whether ``career_plan`` + id is a plan of the team (other kinds: not ours, None)."""
    if query.kind != SOURCE_KIND:
        return None
    plan = session.get(CareerPlan, query.source_id)
    return plan is not None and plan.team_id == query.team.id
