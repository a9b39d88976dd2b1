"""Career plans: start them (the director), write them (the person), read them (the person and
the director of the team that started the plan), and what a 1on1 reviews of them.

Who is "the director" here is :func:`teamassist.team.service.director_or_stand_in`: the team's
director, else its leader, else its admins (a team without a director still gets plans, read
by whoever stands in). Nobody else reads a plan: a stranger gets NotFound, as if there were
none. Services flush, never commit; the chat dispatcher and the request commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamassist.careers.models import STATUSES, UNFINISHED, CareerGoal, CareerPlan
from teamassist.clock import beyond_horizon, ensure_utc, local, plan_horizon
from teamassist.events import GoalFact
from teamassist.exceptions import Conflict, Invalid, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text

MAX_GOALS = 3
MAX_TEXT = 4000  # characters of one text field
MAX_TITLE = 400
# A target date this many years before or after the plan's year is a typo (2062 for 2026).
DATE_SPAN = 5


# -- who ----------------------------------------------------------------------------------------


def directors(session: Session, *, team: Team) -> list[Member]:
    """Who starts and reads the team's plans: the director, else the leader, else the admins."""
    return team_service.director_or_stand_in(session, team=team)


def is_director(session: Session, *, team: Team, member: Member) -> bool:
    """Whether ``member`` starts and reads the team's plans."""
    return any(m.id == member.id for m in directors(session, team=team))


def check_director(session: Session, *, team: Team, member: Member) -> None:
    """Raises PermissionDenied ``careers.error.not_director`` unless ``member`` is the team's
    director (or stand-in)."""
    if not is_director(session, team=team, member=member):
        raise PermissionDenied("careers.error.not_director", team=team.name)


def require_in_team(session: Session, *, team: Team, person: Member) -> None:
    """Raises NotFound ``careers.error.view_outsider`` unless ``person`` is one of ``team``'s
    people: a director asking of someone elsewhere read 「还没有职业发展规划」 of a person
    with a plan in another team (tester s26 B-20)."""
    if team_service.role_of(session, team=team, member=person) is None:
        raise NotFound("careers.error.view_outsider", name=person.display_name, team=team.name)


def plan_title(member: Member) -> str:
    """``个人职业发展规划-张三`` (the seed's document name)."""
    return t("careers.title", name=member.display_name)[:240]


# -- start ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    """One person's plan after a start: ``created`` False when it already existed."""

    plan: CareerPlan
    member: Member
    created: bool
    # an existing plan not written yet whose deadline this start moved later: the old one
    moved_from: datetime | None = None
    # an existing plan not written yet whose later deadline this start kept: the earlier one
    # asked (deadlines only move later, tester F12, session 20)
    earlier_asked: datetime | None = None
    # an existing plan another team of the person started: the name of that team (the plan
    # is the person's, one a year, read by the team that started it; this start left it as it
    # was, tester s25 F-16)
    elsewhere: str | None = None


def year_of(due_at: datetime, team: Team) -> int:
    """The plan year a deadline (UTC) falls in, on the team's wall clock."""
    return local(due_at, team.timezone).year


def find(session: Session, *, member_id: int, year: int) -> CareerPlan | None:
    """The member's plan for ``year``, if started, by whichever of their teams: a plan is the
    person's, one a year (the unique key ``uq_career_plan_member_year``; tester s25 F-16: a
    second team started a second plan and was told there was none)."""
    return session.scalar(
        select(CareerPlan).where(CareerPlan.member_id == member_id, CareerPlan.year == year)
    )


def _check_people(session: Session, team: Team, people: Sequence[Member]) -> list[Member]:
    if not people:
        raise Invalid("careers.error.nobody")
    unique = list({m.id: m for m in people}.values())
    for person in unique:
        if team_service.has_left(person):
            raise Conflict("careers.error.left", name=person.display_name)
        if person.workspace_id != team.workspace_id or (
            team_service.role_of(session, team=team, member=person) is None
        ):
            raise Invalid("careers.error.not_in_team", name=person.display_name, team=team.name)
    return unique


def start(
    session: Session,
    *,
    team: Team,
    director: Member,
    people: Sequence[Member],
    due_at: datetime,
    request: str,
    now: datetime,
    year: int | None = None,
) -> list[Started]:
    """Start a plan for each of ``people`` for ``year`` (default: the deadline's), due at
    ``due_at`` (UTC). A person who already has that year's plan keeps it (``created`` False);
    if they have not written it yet and ``due_at`` is later, it takes that deadline
    (``moved_from``: tester F13, session 18, a re-issue kept a deadline already past while the
    director believed the new one applied). A new plan copies the unfinished goals of the
    person's previous plan.

    Raises PermissionDenied (not the director), Conflict ``careers.error.left`` (someone has
    left: nobody is started), Invalid (no people, someone outside the team, a deadline that
    has passed or lies after :func:`~teamassist.clock.plan_horizon`, a request too long, a year
    far from the deadline's)."""
    check_director(session, team=team, member=director)
    if due_at <= now:
        raise Invalid(
            "careers.error.due_past", due=local(due_at, team.timezone).strftime("%Y-%m-%d %H:%M")
        )
    if beyond_horizon(due_at, now, team.timezone):
        raise Invalid(
            "careers.error.due_too_far",
            due=local(due_at, team.timezone).strftime("%Y-%m-%d"),
            latest=plan_horizon(now, team.timezone).isoformat(),
        )
    if len(request) > MAX_TEXT:
        raise Invalid("careers.error.too_long", limit=MAX_TEXT)
    chosen = year_of(due_at, team)
    if year is not None:
        if abs(year - chosen) > 1:  # a plan for 2031 due in 2026 is a typo
            raise Invalid("careers.error.bad_year", year=year)
        chosen = year
    started: list[Started] = []
    for person in _check_people(session, team, people):
        existing = find(session, member_id=person.id, year=chosen)
        if existing is not None and existing.team_id != team.id:
            # another team's director asked for it: theirs to move, this one reads it
            other = session.get(Team, existing.team_id)
            name = other.name if other is not None else ""
            started.append(Started(existing, person, False, elsewhere=name))
            continue
        if existing is not None:
            old_due = ensure_utc(existing.due_at)
            if existing.written_at is None and due_at > old_due:
                existing.due_at = due_at
                existing.updated_at = now
                started.append(Started(existing, person, False, moved_from=old_due))
            elif existing.written_at is None and due_at < old_due:
                started.append(Started(existing, person, False, earlier_asked=due_at))
            else:
                started.append(Started(existing, person, False))
            continue
        plan = CareerPlan(
            workspace_id=team.workspace_id,
            team_id=team.id,
            member_id=person.id,
            year=chosen,
            title=plan_title(person),
            started_by_id=director.id,
            due_at=due_at,
            request=clean_text(request),
            direction="",
            strengths="",
            notes="",
            started_at=now,
            updated_at=now,
        )
        try:  # two starts racing: the unique key keeps one, the other finds it
            with session.begin_nested():
                session.add(plan)
        except IntegrityError:
            raced = find(session, member_id=person.id, year=chosen)
            assert raced is not None
            if raced.team_id != team.id:
                other = session.get(Team, raced.team_id)
                elsewhere = other.name if other is not None else ""
                started.append(Started(raced, person, False, elsewhere=elsewhere))
            else:
                started.append(Started(raced, person, False))
            continue
        carry_over(session, plan=plan)
        started.append(Started(plan, person, True))
    return started


def carry_over(session: Session, *, plan: CareerPlan) -> list[CareerGoal]:
    """Copy the unfinished goals (planned / in progress) of the person's latest earlier plan
    into ``plan`` (status kept, marked carried), up to the free numbers, when the same team
    started both: another team's director does not read the old plan, so its goals are not
    handed to them in the new one (tester s27 B-6)."""
    previous = session.scalar(
        select(CareerPlan)
        .where(
            CareerPlan.member_id == plan.member_id,
            CareerPlan.year < plan.year,
        )
        .order_by(CareerPlan.year.desc())
        .limit(1)
    )
    if previous is None or previous.team_id != plan.team_id:
        return []
    copied: list[CareerGoal] = []
    for goal in previous.goals:
        if goal.status not in UNFINISHED or len(plan.goals) >= MAX_GOALS:
            continue
        copy = CareerGoal(
            number=len(plan.goals) + 1,
            title=goal.title,
            evidence=goal.evidence,
            target_date=goal.target_date,
            status=goal.status,
            carried=True,
            carried_from_id=goal.id,
        )
        plan.goals.append(copy)
        copied.append(copy)
    session.flush()
    return copied


# -- read -----------------------------------------------------------------------------------------


def may_read(session: Session, *, plan: CareerPlan, viewer: Member) -> bool:
    """Whether ``viewer`` reads ``plan``: its person, or the director (or stand-in) of the team
    that started it. Not the director of another team the person is in: any team's admin may
    add any member of the workspace to their team, and would then read a plan they never asked
    for (tester s27 B-6, an admin pulled a member in with /添加成员 and read 「想转岗」)."""
    if plan.member_id == viewer.id:
        return True
    team = session.get(Team, plan.team_id)
    return team is not None and is_director(session, team=team, member=viewer)


def get(session: Session, *, plan_id: int, viewer: Member) -> CareerPlan:
    """Plan ``plan_id`` once ``viewer`` may read it (:func:`may_read`).

    Raises NotFound ``careers.error.no_plan`` for anyone else too (a private plan's existence
    is not told)."""
    plan = session.get(CareerPlan, plan_id)
    if plan is None or plan.workspace_id != viewer.workspace_id:
        raise NotFound("careers.error.no_plan", id=plan_id)
    if not may_read(session, plan=plan, viewer=viewer):
        raise NotFound("careers.error.no_plan", id=plan_id)
    return plan


def may_edit(plan: CareerPlan, member: Member) -> bool:
    """Only the plan's person writes it (the director reads, by design: it is their plan)."""
    return plan.member_id == member.id


def mine(session: Session, *, member: Member) -> list[CareerPlan]:
    """The member's plans, newest year first."""
    return list(
        session.scalars(
            select(CareerPlan)
            .where(CareerPlan.member_id == member.id)
            .order_by(CareerPlan.year.desc(), CareerPlan.id.desc())
        )
    )


def latest(session: Session, *, member: Member) -> CareerPlan | None:
    """The member's newest plan, whichever of their teams started it."""
    return session.scalar(
        select(CareerPlan)
        .where(CareerPlan.member_id == member.id)
        .order_by(CareerPlan.year.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class PlanState:
    """A row of the director's status list: ``state`` ``started`` (not written yet, before the
    deadline), ``written`` (the person saved it at least once), ``overdue`` (not written, the
    deadline passed)."""

    plan: CareerPlan
    member: Member
    state: str


def state_of(plan: CareerPlan, now: datetime) -> str:
    """``written``, ``overdue`` or ``started`` (see :class:`PlanState`; one of ``STATES``)."""
    if plan.written_at is not None:
        return "written"
    return "overdue" if now > plan.due_at else "started"


def team_states(
    session: Session, *, team: Team, viewer: Member, year: int, now: datetime
) -> list[PlanState]:
    """The plans of ``year`` the team started (the ones its director reads), with their
    state, by person (director only)."""
    check_director(session, team=team, member=viewer)
    plans = session.scalars(
        select(CareerPlan)
        .where(CareerPlan.year == year, CareerPlan.team_id == team.id)
        .order_by(CareerPlan.id)
    ).all()
    people = team_service.members_by_id(session, [p.member_id for p in plans])
    return [PlanState(p, people[p.member_id], state_of(p, now)) for p in plans]


# -- write ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalIn:
    """A development goal as written: ``target_date`` team-local, ``status`` one of
    :data:`STATUSES`."""

    title: str
    evidence: str = ""
    target_date: date | None = None
    status: str = "planned"


def _check_goals(plan: CareerPlan, goals: Sequence[GoalIn]) -> None:
    if len(goals) > MAX_GOALS:
        raise Invalid("careers.error.too_many_goals", limit=MAX_GOALS)
    for number, goal in enumerate(goals, start=1):
        if not clean_text(goal.title):  # only spaces, format or control characters
            raise Invalid("careers.error.goal_title", number=number)
        if len(goal.title) > MAX_TITLE or len(goal.evidence) > MAX_TEXT:
            raise Invalid("careers.error.too_long", limit=MAX_TITLE)
        if goal.status not in STATUSES:
            raise Invalid(
                "careers.error.bad_status",
                status=goal.status[:20],
                statuses="、".join(t(f"careers.status.{s}") for s in STATUSES),
            )
        when = goal.target_date
        if when is not None and abs(when.year - plan.year) > DATE_SPAN:
            raise Invalid("careers.error.bad_date", value=when.isoformat(), year=plan.year)


def update(
    session: Session,
    *,
    plan: CareerPlan,
    member: Member,
    now: datetime,
    direction: str | None = None,
    strengths: str | None = None,
    notes: str | None = None,
    goals: Sequence[GoalIn] | None = None,
) -> CareerPlan:
    """The person writes their plan: each field given replaces the stored one; ``goals``
    replaces the list (in order, numbered 1–3; a goal keeps its carried mark when its title
    is unchanged at its place).

    Raises PermissionDenied ``careers.error.not_yours`` (anyone but the person: the director
    reads only), Invalid (a fourth goal, an empty title, an unknown status, a target date more
    than five years from the plan's year, text too long); nothing changes then."""
    if not may_edit(plan, member):
        raise PermissionDenied("careers.error.not_yours")
    for text in (direction, strengths, notes):
        if text is not None and len(text) > MAX_TEXT:
            raise Invalid("careers.error.too_long", limit=MAX_TEXT)
    if goals is not None:
        _check_goals(plan, goals)
    if direction is not None:
        plan.direction = clean_text(direction)
    if strengths is not None:
        plan.strengths = clean_text(strengths)
    if notes is not None:
        plan.notes = clean_text(notes)
    if goals is not None:
        _replace_goals(session, plan, goals)
    if plan.written_at is None:
        plan.written_at = now
    plan.updated_at = now
    session.flush()
    return plan


def _replace_goals(session: Session, plan: CareerPlan, goals: Sequence[GoalIn]) -> None:
    old = {g.number: g for g in plan.goals}
    for number, given in enumerate(goals, start=1):
        row = old.pop(number, None)
        if row is None:
            row = CareerGoal(number=number, carried=False)
            plan.goals.append(row)
        elif row.title != clean_text(given.title):
            row.carried, row.carried_from_id = False, None  # a new goal at this place
        row.title = clean_text(given.title)
        row.evidence = clean_text(given.evidence)
        row.target_date = given.target_date
        row.status = given.status
    for row in old.values():
        plan.goals.remove(row)
    session.flush()


def goals_in(plan: CareerPlan) -> list[GoalIn]:
    """The plan's goals as :class:`GoalIn` (to change one and write them back)."""
    return [GoalIn(g.title, g.evidence, g.target_date, g.status) for g in plan.goals]


# -- what a 1on1 reviews --------------------------------------------------------------------------


def reviewed_plan(
    session: Session, *, team: Team, member: Member, now: datetime
) -> CareerPlan | None:
    """The plan a 1on1 at ``now`` reviews: this team-local year's, else the latest earlier
    (the person's, whichever team started it)."""
    year = year_of(now, team)
    return session.scalar(
        select(CareerPlan)
        .where(
            CareerPlan.member_id == member.id,
            CareerPlan.year <= year,
        )
        .order_by(CareerPlan.year.desc())
        .limit(1)
    )


def goal_facts(
    session: Session, *, team: Team, member: Member, now: datetime
) -> tuple[GoalFact, ...]:
    """The :class:`teamassist.events.GoalFact` of the reviewed plan (empty: no plan)."""
    plan = reviewed_plan(session, team=team, member=member, now=now)
    if plan is None:
        return ()
    today = local(now, team.timezone).date()
    return tuple(
        GoalFact(
            plan_id=plan.id,
            year=plan.year,
            number=g.number,
            title=g.title,
            evidence=g.evidence,
            target_date=g.target_date,
            status=g.status,
            carried=g.carried,
            overdue=g.target_date is not None and g.target_date < today and g.status in UNFINISHED,
        )
        for g in plan.goals
    )
