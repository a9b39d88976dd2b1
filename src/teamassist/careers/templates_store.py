"""A team's plan template: the default (``sources/plan.md.j2``) unless the team stored its own.
A text is tried on :func:`teamassist.careers.document.sample_context` before it is stored, so a
broken one gets a friendly error and the stored text stays as it was."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist import documents
from teamassist.careers import document
from teamassist.careers.models import CareerPlan, CareerTemplate
from teamassist.exceptions import Invalid
from teamassist.team.models import Member, Team

MAX_TEMPLATE = 50_000  # characters


def _stored(session: Session, team: Team) -> CareerTemplate | None:
    return session.scalar(select(CareerTemplate).where(CareerTemplate.team_id == team.id))


def source(session: Session, *, team: Team) -> str:
    """The template text the team's plans render from."""
    stored = _stored(session, team)
    return stored.body if stored is not None else document.default_source()


def is_custom(session: Session, *, team: Team) -> bool:
    """Whether the team stored its own text."""
    return _stored(session, team) is not None


def save(
    session: Session, *, team: Team, body: str, actor: Member | None, now: datetime
) -> CareerTemplate:
    """Store the team's text once it renders the sample values.

    Raises Invalid ``careers.error.template_not_saved`` (line, detail) or
    ``careers.error.template_size``; nothing is stored then, and the message says so. Who
    may save is the boundary's check (director or admin)."""
    if not body.strip() or len(body) > MAX_TEMPLATE:
        raise Invalid("careers.error.template_size", limit=MAX_TEMPLATE)
    # raises before anything changes, in words that say so (tester F8, session 19)
    sample = document.render(
        body,
        document.sample_context(),
        team=team,
        error_key="careers.error.template_not_saved",
        trial=True,
    )
    documents.check_sample(sample, error_key="careers.error.template_not_saved")
    stored = _stored(session, team)
    if stored is None:
        stored = CareerTemplate(workspace_id=team.workspace_id, team_id=team.id)
        session.add(stored)
    stored.body = body
    stored.updated_by_id = actor.id if actor is not None else None
    stored.updated_at = now
    session.flush()
    return stored


def reset(session: Session, *, team: Team) -> None:
    """Go back to the default text."""
    stored = _stored(session, team)
    if stored is not None:
        session.delete(stored)
        session.flush()


def plan_markdown(session: Session, *, plan: CareerPlan) -> str:
    """The plan's document from its team's template (Markdown)."""
    team = session.get(Team, plan.team_id)
    person = session.get(Member, plan.member_id)
    assert team is not None and person is not None  # the foreign keys
    return document.markdown(plan, member=person, team=team, source=source(session, team=team))
