"""Per-team template texts: the default from ``sources/`` unless the team stored its own.
A text is tried on the sample values before it is stored, so a broken one gets a friendly
error and the stored text stays as it was."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist import documents
from teamassist.exceptions import Invalid
from teamassist.reports import kinds
from teamassist.reports.models import ReportTemplate
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text

MAX_TEMPLATE = 50_000  # characters
PACKAGE = "teamassist.reports"  # its sources/ holds the default texts and the partials


def render(source: str, context: Mapping[str, Any], *, team: Team, trial: bool = False) -> str:
    """The Markdown of a report template ``source`` with ``context`` (the sandbox of
    :mod:`teamassist.documents`, this package's partials), rendered as ``team``'s (one team
    takes at most all but one render place). Raises :class:`Invalid`
    ``reports.error.template`` with ``line`` and ``detail``, or ``reports.error.template_budget``
    (``detail``) when the render goes over the sandbox's budget or limits; with ``trial`` (a
    text tried before it is saved) also when it takes more than the save's CPU time."""
    return render_many(source, [context], team=team, trial=trial)[0]


def render_many(
    source: str, contexts: Sequence[Mapping[str, Any]], *, team: Team, trial: bool = False
) -> list[str]:
    """:func:`render` of each of ``contexts`` in one call to the renderer (a pack's per-person
    documents, within one time limit); raises the Invalid of the first one refused."""
    return documents.render_many(
        source,
        contexts,
        package=PACKAGE,
        error_key="reports.error.template",
        budget_key="reports.error.template_budget",
        owner=("team", team.id),
        trial=trial,
    )


def stored(session: Session, *, team: Team, name: str) -> ReportTemplate | None:
    """The team's own text for ``name``, when it stored one."""
    return session.scalar(
        select(ReportTemplate).where(ReportTemplate.team_id == team.id, ReportTemplate.kind == name)
    )


def source(session: Session, *, team: Team, name: str) -> str:
    """The template text the team renders ``name`` (``weekly``/``period``) from."""
    row = stored(session, team=team, name=kinds.check_template(name))
    return (
        row.body if row is not None else documents.default_source(f"{name}.md.j2", package=PACKAGE)
    )


def is_custom(session: Session, *, team: Team, name: str) -> bool:
    """Whether the team stored its own text for ``name``."""
    return stored(session, team=team, name=kinds.check_template(name)) is not None


def save(
    session: Session, *, team: Team, name: str, body: str, actor: Member | None, now: datetime
) -> ReportTemplate:
    """Store the team's text for ``name`` once it renders the sample values.

    Raises :class:`Invalid` ``reports.error.template`` (with line and detail),
    ``reports.error.template_budget`` (a sample document over a limit, its CPU time at save
    and its length included) or ``reports.error.template_size``; nothing is stored then."""
    kinds.check_template(name)
    if not clean_text(body) or len(body) > MAX_TEMPLATE:
        raise Invalid("reports.error.template_size", limit=MAX_TEMPLATE)
    sample = render(body, kinds.sample_context(), team=team, trial=True)  # raises first
    documents.check_sample(
        sample, error_key="reports.error.template", budget_key="reports.error.template_budget"
    )
    row = stored(session, team=team, name=name)
    if row is None:
        row = ReportTemplate(workspace_id=team.workspace_id, team_id=team.id, kind=name)
        session.add(row)
    row.body = body
    row.updated_by_id = actor.id if actor is not None else None  # None: the API token
    row.updated_at = now
    session.flush()
    return row


def reset(session: Session, *, team: Team, name: str) -> None:
    """Go back to the default text for ``name``."""
    row = stored(session, team=team, name=kinds.check_template(name))
    if row is not None:
        session.delete(row)
        session.flush()
