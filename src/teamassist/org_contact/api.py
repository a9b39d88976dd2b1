"""``/api/v1/org-inbox``: send to your team's director, read what reached you, relay replies.

The sender is the signed-in member (never a field of the body). The inbox shows an anonymous
message's code and text only: its sender is not loaded, so no response can carry it.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import Depends, Request, status
from pydantic import BaseModel, Field

from teamassist.chat.types import plain_text
from teamassist.exceptions import PermissionDenied
from teamassist.http.deps import Id, NowDep, PrincipalDep, SessionDep, TeamDep
from teamassist.http.fields import RequestBody
from teamassist.http.routes import Routes
from teamassist.http.team_gate import MEMBER_GATE
from teamassist.org_contact import messages, service

router = Routes(prefix="/org-inbox", tags=["org-inbox"])


class OrgMessageCreate(RequestBody):
    """``{"text": "加班太多", "anonymous": true}``; the team is ``?team_id=`` (default: yours)."""

    text: str = Field(min_length=1, max_length=service.MAX_TEXT)
    anonymous: bool = False


class OrgMessageSent(BaseModel):
    """What the sender learns: the code and whom it reached (their 称呼)."""

    code: str
    to: str
    anonymous: bool
    small_team: bool
    # Why ``to`` reads it: "team" (the team's director or stand-in), "parent" (a team above
    # it in the org chart) or "workspace" (an admin of the workspace's default team);
    # ``via_team`` names that team and ``note`` says it in words ('' for "team").
    via: str = "team"
    via_team: str = ""
    note: str = ""
    # True when the same text went moments ago (org_contact.service.REPEAT_WINDOW): ``code``
    # is that message's and nothing was sent again.
    repeat: bool = False


class OrgMessageRead(BaseModel):
    """A message as its recipient sees it; ``sender`` is None for an anonymous one."""

    code: str
    anonymous: bool
    sender: str | None
    text: str
    created_at: datetime
    replies: int


class ReplyCreate(RequestBody):
    """``{"text": "周五聊"}``."""

    text: str = Field(min_length=1, max_length=service.MAX_TEXT)


@router.post("", status_code=status.HTTP_201_CREATED)
def send(
    body: OrgMessageCreate, session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep
) -> OrgMessageSent:
    """Reach the team's director as the signed-in member (403 outside the team, 422 over the
    daily limit, 409 with nobody to read it)."""
    if principal.member is None:
        raise PermissionDenied("org_contact.error.not_member", team=team.name)
    sent = service.reach(
        session,
        team=team,
        sender=principal.member,
        text=body.text,
        anonymous=body.anonymous,
        now=now,
    )
    return OrgMessageSent(
        code=sent.message.code,
        to=sent.address,
        anonymous=sent.message.anonymous,
        small_team=sent.small_team,
        via=sent.route.via if sent.route else "team",
        via_team=sent.route.through.name if sent.route else team.name,
        note=plain_text(messages.routed(sent)),
        repeat=sent.repeat,
    )


@router.get("", dependencies=[MEMBER_GATE])
def read_inbox(
    session: SessionDep, principal: PrincipalDep, team_id: Id | None = None
) -> list[OrgMessageRead]:
    """What reached the signed-in member, newest first (100 at most); with ``?team_id=``, the
    letters to that team, which the caller must be in (403 otherwise: the parameter was
    ignored and a caller outside the team read their own team's letters, tester s26 A-10)."""
    if principal.member is None:
        return []
    rows = [
        row
        for row in service.inbox(session, recipient=principal.member)
        if team_id is None or row[0].team_id == team_id
    ]
    return [
        OrgMessageRead(
            code=m.code,
            anonymous=m.anonymous,
            sender=name,
            text=m.text,
            created_at=m.created_at,
            replies=replies,
        )
        for m, name, replies in rows
    ]


def recipient_gate(request: Request, session: SessionDep, principal: PrincipalDep) -> None:
    """Only the message's recipient may relay a reply (403 ``org_contact.error.not_yours``; an
    unknown code 404), asked before the body is read: the recipient may sit in another team
    (an admin elsewhere reads for a team without a director), so this is the row's own rule,
    not a team's."""
    code = str(request.path_params.get("code", ""))
    if principal.member is None:
        raise PermissionDenied("org_contact.error.not_yours", code=code[:16])
    message = service.get_by_code(session, workspace_id=principal.workspace.id, code=code)
    if message.recipient_id != principal.member.id:
        raise PermissionDenied("org_contact.error.not_yours", code=message.code)


@router.post(
    "/{code}/replies",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(recipient_gate)],
)
def reply(
    code: str, body: ReplyCreate, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> dict[str, str]:
    """Relay a reply to the sender of ``code`` (only its recipient may: 403 otherwise)."""
    if principal.member is None:
        raise PermissionDenied("org_contact.error.not_yours", code=code[:16])
    message = service.get_by_code(session, workspace_id=principal.workspace.id, code=code)
    service.answer(session, message=message, author=principal.member, text=body.text, now=now)
    return {"code": message.code, "status": "relayed"}
