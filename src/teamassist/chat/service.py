"""Speaking to the assistant from the web and the CLI (local platforms)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from teamassist.chat.dispatcher import Dispatcher, DispatchResult
from teamassist.chat.types import ChatType, InboundMessage
from teamassist.database import transaction
from teamassist.enums import Platform, Role
from teamassist.exceptions import NotFound, PermissionDenied
from teamassist.http.auth import Principal
from teamassist.team import service as team_service


def send_as(
    dispatcher: Dispatcher,
    factory: sessionmaker[Session],
    *,
    principal: Principal,
    handle: str | None,
    text: str,
    event_id: str | None = None,
    platform: Platform = Platform.WEB,
) -> DispatchResult:
    """Send ``text`` as member ``handle`` (default: the caller); only admins speak for others."""
    with transaction(factory) as session:
        workspace_key = principal.workspace.key
        speaker = handle or (principal.member.handle if principal.member else None)
        if speaker is None:
            raise NotFound("core.error.unknown_member", who="-")
        member = team_service.get_member_by_handle(
            session, workspace_id=principal.workspace.id, handle=speaker
        )
        if member is None:
            raise NotFound("core.error.unknown_member", who=speaker)
        if principal.member is not None and member.id != principal.member.id:
            team = team_service.default_team(session, workspace_id=principal.workspace.id)
            if team_service.role_of(session, team=team, member=principal.member) is not Role.ADMIN:
                raise PermissionDenied("core.error.forbidden")
        handle = member.handle
    message = InboundMessage(
        platform=platform,
        tenant_key=workspace_key,
        chat_key=f"{platform.value}:{handle}",
        chat_type=ChatType.DIRECT,
        sender_key=handle,
        sender_name=handle,
        text=text,
    )
    if event_id:
        message.event_id = event_id
    return dispatcher.handle(message)
