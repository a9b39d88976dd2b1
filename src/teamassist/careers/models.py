"""A person's career plan for one year, its development goals, and a team's own plan template.

A plan is private: its person writes it, the director (else stand-in) of the team that
started it reads it (:func:`teamassist.careers.service.may_read`; tester s27 B-6). One plan per
person and year, whichever team starts it (the unique key is what makes a second start, from
any team, or a redelivered chat event, a no-op; tester s25 F-16).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from teamassist.database import Base, UTCDateTime

# A goal's status; the unfinished ones are carried into next year's plan.
STATUSES = ("planned", "in_progress", "done", "dropped")
UNFINISHED = ("planned", "in_progress")
# A plan's state in the director's list (careers.service.state_of).
STATES = ("started", "written", "overdue")


class CareerPlan(Base):
    """One person's plan for a team-local calendar ``year``: structured fields plus ``notes``
    (free Markdown the person adds); the document is rendered from the team's template."""

    __tablename__ = "career_plan"
    __table_args__ = (UniqueConstraint("member_id", "year", name="uq_career_plan_member_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    # the team that started it (its template renders the document; its deletion deletes it)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    # The document's title, fixed at the start: 个人职业发展规划-{姓名}.
    title: Mapped[str] = mapped_column(String(240))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    request: Mapped[str] = mapped_column(Text, default="")  # the director's note
    direction: Mapped[str] = mapped_column(Text, default="")  # direction / vision
    strengths: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # First save by the person (the status list's "written"); updated_at: the last one.
    written_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    goals: Mapped[list[CareerGoal]] = relationship(
        back_populates="plan",
        order_by="CareerGoal.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CareerGoal(Base):
    """A development goal (at most three per plan, ``number`` 1–3): what to develop, the
    evidence that shows it, a team-local target date and a status. ``carried``: copied,
    unfinished, from the previous year's plan (``carried_from_id``)."""

    __tablename__ = "career_goal"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_career_goal_plan_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("career_plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(400))
    evidence: Mapped[str] = mapped_column(Text, default="")
    target_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    carried: Mapped[bool] = mapped_column(Boolean, default=False)
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("career_goal.id", ondelete="SET NULL"), nullable=True
    )

    plan: Mapped[CareerPlan] = relationship(back_populates="goals")


class CareerTemplate(Base):
    """A team's own plan template (Jinja2 producing Markdown), checked on save."""

    __tablename__ = "career_template"
    __table_args__ = (UniqueConstraint("team_id", name="uq_career_template_team"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
