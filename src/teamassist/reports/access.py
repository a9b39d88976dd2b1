"""Who may do what over HTTP. Read a pack: a signed-in member through ``packs.may_read``; a
workspace API token (no member) the team-wide packs only, never a per-person document. Edit the
team's report templates: its director or an admin (``editor.may_edit``), checked by
:data:`EDITOR_GATE` before a request's body is read."""

from __future__ import annotations

from fastapi import Depends
from sqlalchemy.orm import Session

from teamassist.exceptions import NotFound, PermissionDenied
from teamassist.http.auth import Principal
from teamassist.http.deps import PrincipalDep, SessionDep, TeamDep
from teamassist.reports import editor, packs
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


def require_editor(session: Session, principal: Principal, team: Team) -> None:
    """Refuse (PermissionDenied ``reports.error.editor``, 403) unless ``principal`` may edit
    ``team``'s report templates."""
    if not editor.may_edit(session, team=team, member=principal.member):
        raise PermissionDenied("reports.error.editor", team=team.name)


def editor_gate(session: SessionDep, principal: PrincipalDep, team: TeamDep) -> None:
    """:func:`require_editor` as a route dependency: a member who may not edit gets 403 before
    a malformed body could answer 422 (the team: ``team_id`` in the query, else the default)."""
    require_editor(session, principal, team)


EDITOR_GATE = Depends(editor_gate)
