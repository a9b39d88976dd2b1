"""The template editor's use cases: who may edit a team's report templates, a preview of a text
on the team's live data, and saving a text only once it renders both the sample values and
that live data (so a text that breaks on this team's real members or overruns the sandbox's
budget is refused with nothing stored). The dashboard page and REST call these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.enums import Role
from teamassist.exceptions import Invalid
from teamassist.reports import kinds, packs, templates_store
from teamassist.reports.models import ReportTemplate
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text

# The kind each template is previewed as: the period template shows a month's report.
PREVIEW_KIND = {"weekly": "weekly", "period": "monthly"}


@dataclass(frozen=True)
class TemplateState:
    """One of a team's templates as the editor lists it: ``custom`` when the team stored its
    own text (``updated_at`` then set, UTC)."""

    name: str
    custom: bool
    updated_at: datetime | None


def may_edit(session: Session, *, team: Team, member: Member | None) -> bool:
    """The team's director or an admin of the team; ``member`` None is the workspace owner (the
    global API token or a member-less account), who may."""
    if member is None:
        return True
    if team.director_id == member.id:
        return True
    return team_service.role_of(session, team=team, member=member) is Role.ADMIN


def states(session: Session, *, team: Team) -> list[TemplateState]:
    """Every template a team may override, in :data:`kinds.TEMPLATES` order."""
    found: list[TemplateState] = []
    for name in kinds.TEMPLATES:
        stored = templates_store.stored(session, team=team, name=name)
        found.append(
            TemplateState(
                name=name,
                custom=stored is not None,
                updated_at=stored.updated_at if stored is not None else None,
            )
        )
    return found


def live_context(session: Session, *, team: Team, name: str, now: datetime) -> dict[str, Any]:
    """The values a pack of template ``name`` would render with now: the team's members, OKRs,
    entries and action items of the period ``/生成报告`` would cover (last week for
    ``weekly``; this month for ``period``)."""
    kind = PREVIEW_KIND[kinds.check_template(name)]
    start, end = kinds.period_of(kind, local(now, team.timezone).date())
    title = packs.default_title(kind, start, end)
    return packs.context(
        session, team=team, kind=kind, title=title, period_start=start, period_end=end, now=now
    )


def _checked(body: str) -> str:
    # a browser's form sends a textarea's lines as CRLF (HTML's form encoding): store LF
    body = body.replace("\r\n", "\n")
    if not clean_text(body) or len(body) > templates_store.MAX_TEMPLATE:
        raise Invalid("reports.error.template_size", limit=templates_store.MAX_TEMPLATE)
    return body


def preview(session: Session, *, team: Team, name: str, body: str, now: datetime) -> str:
    """The Markdown ``body`` renders on the team's live data; stores nothing. Tried as a text
    about to be saved: a document taking more than the save's CPU time is refused (a pack
    renders it once per person).

    Raises :class:`Invalid` ``reports.error.template`` (line, detail),
    ``reports.error.template_budget`` (detail) or ``reports.error.template_size``."""
    context = live_context(session, team=team, name=name, now=now)
    return templates_store.render(_checked(body), context, team=team, trial=True)


def save(
    session: Session, *, team: Team, name: str, body: str, actor: Member | None, now: datetime
) -> ReportTemplate:
    """Store ``body`` (line ends made LF) as the team's ``name`` once it renders the live data
    and the sample values; the same errors as :func:`preview`, and nothing is stored then. Who
    may is the boundary's check (:func:`may_edit`)."""
    body = _checked(body)
    preview(session, team=team, name=name, body=body, now=now)
    return templates_store.save(session, team=team, name=name, body=body, actor=actor, now=now)
