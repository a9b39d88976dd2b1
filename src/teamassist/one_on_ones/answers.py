"""What the 1on1 desk answers other domains' queries with (``SourceKnown``, ``ExportWithheld``).

Named by path in the domain's descriptor, so the desk's models are imported on the first
question, not at start (issue 9)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from teamassist.events import ExportWithheld, SourceKnown, Withheld
from teamassist.one_on_ones.models import SOURCE_KIND, AgendaItem, OneOnOne


def source_known(session: Session, query: SourceKnown) -> bool | None:
    """A shared agenda item of one of the team's pairs whose people include ``query.by`` (an
    action item's ``one_on_one`` source); a private note is no source, and nor is the agenda
    of a pair the asker is not in (a tester linked an item to another pair's agenda)."""
    if query.kind != SOURCE_KIND:
        return None
    found = session.scalar(
        select(AgendaItem.id)
        .join(OneOnOne, OneOnOne.id == AgendaItem.pair_id)
        .where(
            AgendaItem.id == query.source_id,
            AgendaItem.private.is_(False),
            OneOnOne.team_id == query.team.id,
            or_(OneOnOne.manager_id == query.by.id, OneOnOne.report_id == query.by.id),
        )
    )
    return found is not None


def withheld(_session: Session, _query: ExportWithheld) -> tuple[Withheld, ...]:
    """Private notes never leave with the workspace export: they are their author's alone,
    and the export is read by admins, who are no party to the pair."""
    return (Withheld(table=AgendaItem.__tablename__, where=AgendaItem.private.is_(True)),)
