"""REST: see and retry outgoing notices."""

from __future__ import annotations

from datetime import datetime

from fastapi import Query
from pydantic import BaseModel, ConfigDict

from teamassist.exceptions import NotFound
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.deps import PrincipalDep, RuntimeDep, SessionDep
from teamassist.http.errors import require_admin
from teamassist.http.fields import Id
from teamassist.http.routes import Routes
from teamassist.outbox import service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.outbox.visible import visible_notices
from teamassist.team import service as team_service

router = Routes(tags=["outbox"])


class OutboxRead(BaseModel):
    """One outgoing notice."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    idempotency_key: str | None  # None: withheld (see teamassist.outbox.visible)
    platform: str
    address: str | None
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@router.get("/outbox", dependencies=[ADMIN_GATE], response_model=list[OutboxRead])
def list_outbox(
    session: SessionDep,
    principal: PrincipalDep,
    status: OutboxStatus | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[OutboxRead]:
    """Recent notices of the workspace, newest first (admin only: addresses and errors;
    what the workspace export withholds is left out here too)."""
    require_admin(
        session, principal, team_service.default_team(session, workspace_id=principal.workspace.id)
    )
    rows = visible_notices(
        session,
        workspace=principal.workspace,
        status=None if status is None else status.value,
        limit=limit,
    )
    return [OutboxRead.model_validate(r) for r in rows]


@router.post("/outbox/{outbox_id}/retry", dependencies=[ADMIN_GATE], response_model=OutboxRead)
def retry_outbox(
    outbox_id: Id, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> OutboxRead:
    """Queue a notice that gave up once more (admin only)."""
    row = session.get(OutboxMessage, outbox_id)
    if row is None or row.workspace_id != principal.workspace.id:
        raise NotFound("core.error.not_found", what=f"#{outbox_id}")
    require_admin(
        session, principal, team_service.default_team(session, workspace_id=principal.workspace.id)
    )
    # A notice the list leaves out is not there for a retry either (its answer would name it).
    if not visible_notices(session, workspace=principal.workspace, outbox_id=outbox_id):
        raise NotFound("core.error.not_found", what=f"#{outbox_id}")
    service.retry(session, outbox_id=outbox_id, now=runtime.clock())
    session.flush()
    [shown] = visible_notices(session, workspace=principal.workspace, outbox_id=outbox_id)
    return OutboxRead.model_validate(shown)
