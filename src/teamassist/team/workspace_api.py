"""REST endpoints for the caller's workspace as a whole: export it, delete it (admins)."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel, Field

from teamassist.http.admin import ADMIN_GATE
from teamassist.http.deps import PrincipalDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.http.fields import RequestBody
from teamassist.http.routes import Routes
from teamassist.team import service
from teamassist.team.archive import export_workspace
from teamassist.team.setup_pages import zip_response
from teamassist.team.workspaces import delete_workspace

router = Routes(tags=["workspace"])


class WorkspaceDelete(RequestBody):
    """The typed confirmation: the workspace's name."""

    confirm: str = Field(max_length=400)


class WorkspaceDeleted(BaseModel):
    """What went."""

    key: str
    name: str
    notices_cancelled: int
    jobs_cancelled: int


def _require_admin(session: SessionDep, principal: PrincipalDep) -> None:
    team = service.default_team(session, workspace_id=principal.workspace.id)
    require_admin(session, principal, team)


@router.get(
    "/workspace/export",
    dependencies=[ADMIN_GATE],
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def export(session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep) -> Response:
    """The workspace as a zip: ``workspace.json`` (every row) and ``csv/<table>.csv``; password
    and token hashes are left out (admin only)."""
    _require_admin(session, principal)
    runtime.import_models()  # every domain's tables, loaded or not
    archive = export_workspace(session, workspace=principal.workspace, now=runtime.clock())
    return zip_response(archive.data, archive.filename)


@router.delete("/workspace", dependencies=[ADMIN_GATE], response_model=WorkspaceDeleted)
def remove(body: WorkspaceDelete, session: SessionDep, principal: PrincipalDep) -> WorkspaceDeleted:
    """Delete the workspace and everything in it; ``confirm`` must be its name (admin only)."""
    _require_admin(session, principal)
    gone = delete_workspace(session, workspace=principal.workspace, confirm=body.confirm)
    return WorkspaceDeleted(
        key=gone.key,
        name=gone.name,
        notices_cancelled=gone.notices_cancelled,
        jobs_cancelled=gone.jobs_cancelled,
    )
