"""The answer to the meetings domain's :class:`teamassist.events.ReportPackNeeded`: the
occurrence's pack, built once (a second ask, e.g. at the report-due step or after a move,
returns the same pack) and linked from the notice.

A kind this domain does not know answers None (the notice goes out without a link) rather than
failing the meeting's step: the pack is an attachment to the rhythm, not a gate on it.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from teamassist.events import ReportPackNeeded
from teamassist.reports import kinds, packs

log = logging.getLogger(__name__)


def occurrence_key(occurrence_id: int) -> str:
    """The pack's key for a meetings occurrence."""
    return f"occ:{occurrence_id}"


def link(public_url: str, pack_id: int, team_id: int) -> str:
    """Where a member reads pack ``pack_id`` on the dashboard."""
    return f"{public_url.rstrip('/')}/reports/{pack_id}?team={team_id}"


def answer(session: Session, query: ReportPackNeeded, *, public_url: str) -> str | None:
    """Build (or find) the occurrence's pack; its dashboard link, or None for an unknown kind."""
    if query.kind not in kinds.KINDS:
        log.warning("no report pack for unknown meeting kind %r", query.kind)
        return None
    pack = packs.build_pack(
        session,
        query.team,
        query.kind,
        query.period_start,
        query.period_end,
        query.now,
        title=query.title,
        occurrence_key=occurrence_key(query.occurrence_id),
        read_by=query.report_due,
    )
    return link(public_url, pack.id, query.team.id)
