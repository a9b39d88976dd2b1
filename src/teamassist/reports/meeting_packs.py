"""The answer to the meetings domain's :class:`teamassist.events.ReportPackNeeded`: the
occurrence's pack, built once (a second ask, e.g. at the report-due step or after a move,
returns the same pack; asked with ``refresh`` its content is rendered again) and linked from
the notice. Published through the ``Documents`` port each time: on Feishu the same document,
its content replaced when it changed.

A kind this domain does not know answers None (the notice goes out without a link) rather than
failing the meeting's step: the pack is an attachment to the rhythm, not a gate on it.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.events import ReportPackNeeded
from teamassist.ports import DocumentDraft, Documents
from teamassist.reports import kinds, packs
from teamassist.reports.models import ReportPack
from teamassist.team.models import Member, Team, TeamMembership

log = logging.getLogger(__name__)


def occurrence_key(occurrence_id: int) -> str:
    """The pack's key for a meetings occurrence."""
    return f"occ:{occurrence_id}"


def link(public_url: str, pack_id: int, team_id: int) -> str:
    """Where a member reads pack ``pack_id`` on the dashboard."""
    return f"{public_url.rstrip('/')}/reports/{pack_id}?team={team_id}"


def answer(
    session: Session, query: ReportPackNeeded, *, public_url: str, documents: Documents
) -> str | None:
    """Build (or find) the occurrence's pack and publish it through the ``Documents`` port:
    the link people should open (on a Feishu team its docx once created, until then and
    elsewhere the dashboard), or None for an unknown kind."""
    if query.kind not in kinds.KINDS:
        log.warning("no report pack for unknown meeting kind %r", query.kind)
        return None
    try:
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
            refresh=query.refresh,
        )
    except packs.TemplateFailed:  # the template's owner is told; the meeting goes on without
        log.warning("no report pack for %s: the team's template fails", query.kind)
        return None
    return documents.publish(
        session, team=query.team, draft=draft(session, query.team, pack, public_url), now=query.now
    )


def draft(session: Session, team: Team, pack: ReportPack, public_url: str) -> DocumentDraft:
    """The team's pack as a document: the director edits it, the team's active members read
    it, in the folder ``OKR报告/<year>`` of the team."""
    members = session.scalars(
        select(TeamMembership.member_id)
        .join(Member, Member.id == TeamMembership.member_id)
        .where(TeamMembership.team_id == team.id, Member.active.is_(True))
        .order_by(TeamMembership.member_id)
    ).all()
    editors = (team.director_id,) if team.director_id is not None else ()
    return DocumentDraft(
        key=f"reports.pack:{pack.id}",
        title=pack.title,
        markdown=pack.markdown,
        local_url=link(public_url, pack.id, team.id),
        folder=("OKR报告", str(pack.period_start.year)),
        editor_ids=editors,
        viewer_ids=tuple(m for m in members if m not in editors),
    )
