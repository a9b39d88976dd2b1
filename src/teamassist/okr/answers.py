"""What the OKR desk answers other domains' queries with (``KeyResultNamed``, ``SourceKnown``).

Named by path in the domain's descriptor, so the desk's models are imported on the first
question, not at start (issue 9)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.events import KeyResultNamed, SourceKnown
from teamassist.exceptions import DomainError
from teamassist.okr.models import KeyResult, Objective
from teamassist.okr.objectives import find_key_result


def key_result_named(session: Session, query: KeyResultNamed) -> tuple[int, str] | None:
    """Answer another domain's ``KR-3`` (added for the action-item desk's KR links)."""
    try:
        found = find_key_result(session, team=query.team, ref=query.ref, today=query.today)
    except DomainError:  # not a KR ref, or no such KR: no answer
        return None
    return found.id, found.title


def source_known(session: Session, query: SourceKnown) -> bool | None:
    """A KR or an objective of the team, for an action item that follows it up."""
    if query.kind == "okr_kr":
        wanted = select(KeyResult.id).where(
            KeyResult.id == query.source_id, KeyResult.team_id == query.team.id
        )
    elif query.kind == "okr_objective":
        wanted = select(Objective.id).where(
            Objective.id == query.source_id, Objective.team_id == query.team.id
        )
    else:
        return None
    return session.scalar(wanted) is not None
