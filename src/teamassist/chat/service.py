"""Speaking to the assistant from the web and the CLI (local platforms)."""

from __future__ import annotations

import hashlib

from sqlalchemy import bindparam
from sqlalchemy.orm import Session

from teamassist.chat import placement
from teamassist.chat.dispatcher import Dispatcher, DispatchResult, Speaker
from teamassist.chat.types import ChatType, InboundMessage
from teamassist.enums import Platform, Role
from teamassist.exceptions import NotFound, PermissionDenied
from teamassist.http.auth import (
    MEMBER_AND_WORKSPACE,
    Principal,
    PrincipalLookup,
    RootToken,
    owner_voice,
    workspace_and_member,
)
from teamassist.i18n import t
from teamassist.row_objects import first_row
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, Workspace
from teamassist.team.names import fold


def send_as(
    dispatcher: Dispatcher,
    *,
    principal: Principal | PrincipalLookup,
    handle: str | None,
    text: str,
    event_id: str | None = None,
    platform: Platform = Platform.WEB,
) -> DispatchResult:
    """Send ``text`` as member ``handle`` (default: the caller); only admins speak for others.

    Who speaks, the command, its notices and the inbox row are one transaction.
    """

    def identify(session: Session) -> Speaker:
        # The global token naming whom it speaks as finds that member in its own statement.
        spoken = (
            principal.speaking_as(session, handle, placed_on=platform.value)
            if handle and isinstance(principal, RootToken)
            else None
        )
        if spoken is not None:
            caller = spoken.caller
        elif callable(principal):
            caller = principal(session, placed_on=platform.value)
        else:
            caller = _attached(session, principal)
        speaker = handle or (caller.member.handle if caller.member else None)
        voice = (
            (caller.voice or owner_voice(session, caller.workspace)) if speaker is None else None
        )
        if speaker is None and voice is None:
            raise NotFound("core.error.unknown_member", who="-")
        # Where the caller's own direct chat lands came with the lookup (for the member, or
        # the voice); a member named by handle is placed by the dispatcher.
        own_chat = own_chat_name = None
        if voice is not None:
            member = voice  # already loaded: no second lookup by its handle
            if voice is caller.voice:
                own_chat, own_chat_name = caller.own_chat, caller.own_chat_name
        elif caller.member is not None and speaker == caller.member.handle:
            member = caller.member
            own_chat, own_chat_name = caller.own_chat, caller.own_chat_name
        elif spoken is not None:
            member, own_chat, own_chat_name = spoken.member, spoken.own_chat, spoken.own_chat_name
        else:
            assert speaker is not None
            found = _named(session, caller.workspace.id, speaker, platform.value)
            if found is None:
                raise NotFound("core.error.unknown_member", who=speaker)
            member, own_chat, own_chat_name = found
        spoken_for = caller.member is not None and member.id != caller.member.id
        if spoken_for and not speaks_for_others(session, caller):
            default = team_service.default_team(session, workspace_id=caller.workspace.id)
            raise SpeakingForOthers(default.name, member.display_name)
        message = InboundMessage(
            platform=platform,
            tenant_key=caller.workspace.key,
            chat_key=f"{platform.value}:{member.handle}",
            chat_type=ChatType.DIRECT,
            sender_key=member.handle,
            sender_name=member.handle,
            text=text,
            # a script's personal token is answered like anyone speaking for the member: a
            # /登录 link in its answer would let the token make itself a session (s28 D-3)
            spoken_for=caller.member is None or member.id != caller.member.id or caller.by_token,
        )
        if event_id:
            # A client's retry key names *its* message: scoped to the speaker, so another
            # member sending under the same key is a new message, never dropped as a repeat.
            message.event_id = scoped_key(member.id, event_id, spoken_for=message.spoken_for)
        return Speaker(
            message=message,
            workspace=caller.workspace,
            member=member,
            own_chat=own_chat,
            own_chat_name=own_chat_name,
            retry_key=bool(event_id),
        )

    return dispatcher.converse(identify)


# A member named by handle (an admin speaking as them, the benchmark's /值班签到) with where
# their own direct chat lands, in one statement: asked apart, the team and role were a second
# statement of every such command (issue 9).
_MEMBER = placement.MEMBERS.table
_NAMED = placement.with_own_chat(
    MEMBER_AND_WORKSPACE.where(
        _MEMBER.c.workspace_id == bindparam("workspace_id"),
        _MEMBER.c.handle_key == bindparam("handle_key"),
    )
)


def _named(
    session: Session, workspace_id: int, handle: str, platform: str
) -> tuple[Member, tuple[Team, Role | None] | None, str] | None:
    """The member of ``workspace_id`` with ``handle`` (as ``team_service.get_member_by_handle``
    finds them, through ``names.fold``), the team and role of their direct chat on ``platform``
    (None: the workspace has no team; the dispatcher then refuses) and the name of a channel
    configured at that chat ('' when none); None when nobody has the handle."""
    row = first_row(
        session,
        _NAMED,
        {
            "workspace_id": workspace_id,
            "handle_key": fold(handle.strip()),
            **placement.own_chat_params(platform),
        },
    )
    if row is None:
        return None
    _, member = workspace_and_member(session, row)
    assert member is not None  # the statement's own row
    own_chat, name = placement.placed(session, row)
    return member, own_chat, name


def scoped_key(member_id: int, event_id: str, *, spoken_for: bool = False) -> str:
    """A client's retry key scoped to its speaker, at most 128 characters (the inbox column).
    The prefix made a 126–128 character key longer than the column, and cutting it to fit made
    keys differing only at the end one key: a second message was answered as a retry of the
    first and lost (a tester's ten concurrent 128-character keys stored one item). A key that
    would not fit is kept by its SHA-256 instead, the same for every retry of it.

    ``spoken_for`` (a token, or someone speaking for the member) keys apart from the member's
    own: a retry is answered the stored reply, and the member's own /登录 reply is a sign-in
    link that such a caller is never shown (tester s28 E-1)."""
    scoped = f"{'s' if spoken_for else 'm'}{member_id}:"
    if len(scoped) + len(event_id) <= 128:
        return scoped + event_id
    return f"{scoped}#{hashlib.sha256(event_id.encode()).hexdigest()}"


def _attached(session: Session, principal: Principal) -> Principal:
    """``principal`` with its rows loaded in ``session`` (it came from another session)."""
    workspace = session.get(Workspace, principal.workspace.id)
    if workspace is None:
        raise NotFound("core.error.no_workspace")
    member = (
        team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle=principal.member.handle
        )
        if principal.member
        else None
    )
    return Principal(
        workspace=workspace,
        member=member,
        username=principal.username,
        by_token=principal.by_token,
    )


class SpeakingForOthers(PermissionDenied):
    """403 for ``"as"`` naming someone else, asked by whom may not: the key stays
    ``core.error.forbidden`` (clients match on it); the text names the rule (tester s26 A-7:
    a team admin's token got the bare 「需要有权限的人才能使用哦」)."""

    def __init__(self, team: str, name: str) -> None:
        super().__init__("core.error.forbidden", team=team, name=name)

    def message(self) -> str:
        """``core.error.speak_for_others``, naming the default team and the one named."""
        return t("core.error.speak_for_others", **self.params)


def speaks_for_others(session: Session, caller: Principal) -> bool:
    """Whether ``caller`` may send as another member: the install's root token (no member) or
    an admin of the workspace's default team; everyone else speaks as themself."""
    if caller.member is None:
        return True
    team = team_service.default_team(session, workspace_id=caller.workspace.id)
    return team_service.role_of(session, team=team, member=caller.member) is Role.ADMIN
