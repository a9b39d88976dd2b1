"""REST shapes of career plans and their mappers (instants UTC, dates team-local)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from teamassist.careers import service
from teamassist.careers.models import CareerPlan
from teamassist.careers.service import PlanState
from teamassist.http.fields import DueAt, Id, IsoDate, RequestBody
from teamassist.team.models import Member


class GoalRead(BaseModel):
    """A development goal; ``status`` planned / in_progress / done / dropped."""

    number: int
    title: str
    evidence: str
    target_date: date | None
    status: str
    carried: bool


class PlanRead(BaseModel):
    """A plan as its person or the director reads it; ``editable``: the caller may write it."""

    id: int
    team_id: int
    member_id: int
    member: str
    year: int
    title: str
    due_at: datetime
    request: str
    direction: str
    strengths: str
    notes: str
    goals: list[GoalRead]
    state: str
    started_at: datetime
    written_at: datetime | None
    updated_at: datetime
    editable: bool


class GoalIn(RequestBody):
    """``{"title": "主导一次架构评审", "evidence": "评审纪要", "target_date": "2027-06-30",
    "status": "in_progress"}``."""

    title: str = Field(min_length=1, max_length=service.MAX_TITLE)
    evidence: str = Field(default="", max_length=service.MAX_TEXT)
    target_date: IsoDate | None = None
    status: str = "planned"


class PlanUpdate(RequestBody):
    """Fields the person writes; an absent field stays, ``goals`` replaces the list (≤ 3)."""

    direction: str | None = Field(default=None, max_length=service.MAX_TEXT)
    strengths: str | None = Field(default=None, max_length=service.MAX_TEXT)
    notes: str | None = Field(default=None, max_length=service.MAX_TEXT)
    goals: list[GoalIn] | None = None


class PlanStart(RequestBody):
    """``{"member_ids": [3, 4], "due_at": "2026-12-31T18:00:00+08:00", "request": "请完成"}``;
    ``member_ids`` absent: every active member of the team; ``year`` absent: the deadline's;
    ``due_at`` without an offset is the team's wall clock, a date alone 18:00 that day."""

    member_ids: list[Id] | None = Field(default=None, max_length=1000)
    due_at: DueAt
    request: str = Field(default="", max_length=service.MAX_TEXT)
    year: int | None = Field(default=None, ge=2000, le=2100)


class StartResult(BaseModel):
    """Plans started now, and those that existed already (nothing sent for them again)."""

    started: list[int]
    already: list[int]
    # what the director should know: someone of the start is set to leave by the deadline
    # (the chat reply's 「注意：…」 lines)
    warnings: list[str] = Field(default_factory=list)


class PlanStateRead(BaseModel):
    """A row of the director's list: ``state`` started / written / overdue."""

    id: int
    member_id: int
    member: str
    year: int
    due_at: datetime
    state: str


class TemplateBody(RequestBody):
    """``{"body": "# {{ title }} …"}`` (Jinja2 producing Markdown)."""

    body: str = Field(min_length=1, max_length=50_000)


def plan_read(plan: CareerPlan, member: Member, *, viewer: Member, now: datetime) -> PlanRead:
    """The REST shape of ``plan`` (``member`` is its person)."""
    return PlanRead(
        id=plan.id,
        team_id=plan.team_id,
        member_id=plan.member_id,
        member=member.display_name,
        year=plan.year,
        title=plan.title,
        due_at=plan.due_at,
        request=plan.request,
        direction=plan.direction,
        strengths=plan.strengths,
        notes=plan.notes,
        goals=[
            GoalRead(
                number=g.number,
                title=g.title,
                evidence=g.evidence,
                target_date=g.target_date,
                status=g.status,
                carried=g.carried,
            )
            for g in plan.goals
        ],
        state=service.state_of(plan, now),
        started_at=plan.started_at,
        written_at=plan.written_at,
        updated_at=plan.updated_at,
        editable=service.may_edit(plan, viewer),
    )


def state_read(row: PlanState) -> PlanStateRead:
    """The REST shape of a status-list row."""
    return PlanStateRead(
        id=row.plan.id,
        member_id=row.member.id,
        member=row.member.display_name,
        year=row.plan.year,
        due_at=row.plan.due_at,
        state=row.state,
    )


def goals_in(goals: list[GoalIn]) -> list[service.GoalIn]:
    """The service's goal values."""
    return [service.GoalIn(g.title, g.evidence, g.target_date, g.status) for g in goals]
