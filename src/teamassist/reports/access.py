"""Who may read a pack over HTTP: a signed-in member through ``packs.may_read``; a workspace
API token (no member) the team-wide packs only, never a per-person document."""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.exceptions import NotFound, PermissionDenied
from teamassist.http.auth import Principal
from teamassist.reports import packs
from teamassist.reports.models import ReportPack
from teamassist.team.models import Team


def readable(session: Session, principal: Principal, team: Team, pack_id: int) -> ReportPack:
    """The team's pack ``pack_id`` once ``principal`` may read it (404, 403)."""
    if principal.member is not None:
        return packs.get(session, team=team, pack_id=pack_id, member=principal.member)
    pack = session.get(ReportPack, pack_id)
    if pack is None or pack.team_id != team.id:
        raise NotFound("reports.error.no_pack", id=pack_id)
    if pack.person_id is not None:
        raise PermissionDenied("reports.error.not_yours", id=pack_id)
    return pack
