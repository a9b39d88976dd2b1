"""``/api/v1/actions``: list, read, create, finish, check, send back, extend and hand over
action items. Every route runs the member gate first (403 before the body is read); the
changes call :mod:`teamassist.actions.flows`, as the chat commands do, so the same rules and
the same notices apply; a refused change is the one error shape and changes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.actions import ageing, due, flows, links, messages, service
from teamassist.actions import settings as action_settings
from teamassist.actions.api.gate import MEMBER_GATE
from teamassist.actions.models import ActionItem, ActionState
from teamassist.actions.schemas import (
    ActionCreate,
    ActionExtend,
    ActionList,
    ActionRead,
    ActionReason,
    ActionReassign,
    AgeingRead,
    SourceKind,
    action_read,
)
from teamassist.clock import local
from teamassist.exceptions import Invalid, NotFound, PermissionDenied
from teamassist.http import auth
from teamassist.http.auth import Principal
from teamassist.http.deps import (
    Id,
    NowDep,
    PrincipalDep,
    RuntimeDep,
    SessionDep,
    TeamDep,
    requested_team,
    require_team_person,
)
from teamassist.http.routes import Routes
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

router = Routes(prefix="/actions", tags=["actions"], dependencies=[MEMBER_GATE])

MAX_LIST = 500


def _actor(session: Session, principal: Principal, team: Team) -> Member:
    """Who acts: the caller's member; the workspace owner acts as its voice (the person who set
    the install up), else it cannot own or request items. The voice acts only in a team it is
    one of the people of (in it, or its director): in another team the item would name a
    requester who is not there, who would then be asked to confirm and could close it (tester
    s24 F2); the owner is told to use that team's member's own token (403, nothing changed)."""
    if principal.member is not None:
        return principal.member
    voice = principal.voice or auth.owner_voice(session, principal.workspace)
    if voice is None:
        raise PermissionDenied("actions.error.no_actor")
    if (
        voice.id != team.director_id
        and team_service.role_of(session, team=team, member=voice) is None
    ):
        raise PermissionDenied(
            "actions.error.voice_not_in_team", name=voice.display_name, team=team.name
        )
    return voice


def item_team(
    session: SessionDep, principal: PrincipalDep, item_id: Id, team_id: Id | None = None
) -> Team:
    """The team an item route acts in: ``team_id``'s, as every team route
    (:func:`~teamassist.http.deps.requested_team`); without one, the item's own team when the
    caller is one of its people (the workspace owner is in every team), else the caller's home
    team, where another team's item is not found, as before. Tester s25 F-10: the global
    token's ``?team_id=3`` list showed #12, and ``GET /actions/12`` answered "no #12, see
    GET /actions"; now it is read there, and a write is refused as in that team
    (``actions.error.voice_not_in_team``), not as missing."""
    if team_id is None:
        owning = session.scalar(select(ActionItem.team_id).where(ActionItem.id == item_id))
        if owning is not None:
            with contextlib.suppress(NotFound, PermissionDenied):
                team = team_service.get_team(
                    session, workspace_id=principal.workspace.id, team_id=owning
                )
                require_team_person(session, principal, team)
                return team
    return requested_team(session, principal, team_id)


ItemTeamDep = Annotated[Team, Depends(item_team)]


def _member(session: Session, principal: Principal, handle: str) -> Member:
    member = team_service.get_member_by_handle(
        session, workspace_id=principal.workspace.id, handle=handle
    )
    if member is None:
        raise NotFound("core.error.unknown_member", who=handle[:64])
    return member


def _due(text: str, team: Team, now: datetime) -> datetime:
    return due.parse_written(
        text,
        today=local(now, team.timezone).date(),
        zone=team.timezone,
        end_of_day=action_settings.of(team).end_of_day,
    )


def _read(
    session: Session, team: Team, item: ActionItem, now: datetime, *, history: bool = True
) -> ActionRead:
    events = service.history(session, item) if history else None
    ids = [item.owner_id, item.requester_id, *(e.actor_id for e in events or ())]
    return action_read(item, team, team_service.names_by_id(session, ids), now, events)


@router.get("")
def list_actions(
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    owner: Annotated[str | None, Query(max_length=64)] = None,
    requester: Annotated[str | None, Query(max_length=64)] = None,
    state: Annotated[list[ActionState] | None, Query()] = None,
    overdue: bool | None = None,
    source_kind: SourceKind | None = None,
    source_id: Id | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 200,
) -> ActionList:
    """The team's items, oldest due first: one ``owner``'s or ``requester``'s (handles), in
    the ``state``s given (repeat the parameter), ``overdue`` (true: open and past due; false:
    the others), from one source (``source_kind``, and ``source_id`` with it)."""
    source = None
    if source_id is not None:
        if source_kind is None:
            raise Invalid("actions.error.source_id_alone")
        source = service.Source(source_kind, source_id)
    found = service.listing(
        session,
        team=team,
        now=now,
        owner_id=_member(session, principal, owner).id if owner else None,
        requester_id=_member(session, principal, requester).id if requester else None,
        states=state or (),
        overdue=overdue,
        source=source,
        source_kind=source_kind,
        limit=limit,
    )
    names = team_service.names_by_id(
        session, [i.owner_id for i in found] + [i.requester_id for i in found]
    )
    return ActionList(items=[action_read(i, team, names, now) for i in found], count=len(found))


@router.get("/ageing")
def actions_ageing(
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    days: Annotated[int, Query(ge=1, le=ageing.MAX_DAYS)] = 30,
) -> AgeingRead:
    """Not-yet-closed items by age bucket (on time / overdue), and how many items were overdue
    at the end of each of the last ``days`` team-local days (from the history rows)."""
    found = ageing.of_team(session, team=team, now=now, days=days)
    return AgeingRead(**dataclasses.asdict(found))


@router.get("/{item_id}")
def get_action(
    item_id: Id, session: SessionDep, principal: PrincipalDep, team: ItemTeamDep, now: NowDep
) -> ActionRead:
    """One item with its history (404 ``actions.error.not_found`` in another team)."""
    return _read(session, team, service.get(session, team=team, item_id=item_id), now)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_action(
    body: ActionCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    runtime: RuntimeDep,
) -> ActionRead:
    """A new item requested by the caller; the owner is told. 400 for a due time that is past
    or unreadable, 404 for an unknown owner or a source the team does not have, 409 for an
    owner who has left or the same item by the same caller a moment ago (``force`` makes it
    anyway)."""
    source = (
        service.Source(body.source_kind, body.source_id)
        if body.source_kind is not None and body.source_id is not None
        else None
    )
    requester = _actor(session, principal, team)
    if source is not None:
        links.require_known(session, team=team, source=source, by=requester)
    owner = _member(session, principal, body.owner)
    item = flows.create(
        session,
        team=team,
        requester=requester,
        owner=owner,
        title=body.title,
        due_at=_due(body.due, team, now),
        now=now,
        source=source,
        force=body.force,
    )
    read = _read(session, team, item, now)
    read.warnings = messages.due_on_day_off(item, team, runtime.ports.get(Workdays))
    read.warnings += messages.leaves_first(item, owner, team)
    return read


@router.post("/{item_id}/done")
def finish_action(
    item_id: Id, session: SessionDep, principal: PrincipalDep, team: ItemTeamDep, now: NowDep
) -> ActionRead:
    """The owner marks it done (open → done); 403 for anyone else, 409 if not open."""
    item = service.get(session, team=team, item_id=item_id, lock=True)
    flows.done(session, team=team, item=item, actor=_actor(session, principal, team), now=now)
    return _read(session, team, item, now)


@router.post("/{item_id}/confirm")
def confirm_action(
    item_id: Id, session: SessionDep, principal: PrincipalDep, team: ItemTeamDep, now: NowDep
) -> ActionRead:
    """The requester (or an admin, the director) closes it (done → closed)."""
    item = service.get(session, team=team, item_id=item_id, lock=True)
    flows.confirm(
        session,
        team=team,
        item=item,
        actor=_actor(session, principal, team),
        admin=auth.is_admin(session, principal, team),
        now=now,
    )
    return _read(session, team, item, now)


@router.post("/{item_id}/reopen")
def reopen_action(
    item_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: ItemTeamDep,
    now: NowDep,
    body: ActionReason | None = None,
) -> ActionRead:
    """The requester (or an admin, the director) sends it back (done → open), with a reason."""
    item = service.get(session, team=team, item_id=item_id, lock=True)
    flows.reopen(
        session,
        team=team,
        item=item,
        actor=_actor(session, principal, team),
        admin=auth.is_admin(session, principal, team),
        now=now,
        reason=body.reason if body else "",
    )
    return _read(session, team, item, now)


@router.post("/{item_id}/extend")
def extend_action(
    item_id: Id,
    body: ActionExtend,
    session: SessionDep,
    principal: PrincipalDep,
    team: ItemTeamDep,
    now: NowDep,
    runtime: RuntimeDep,
) -> ActionRead:
    """延期: a due time later than the current one, with a reason (400 ``not_later`` else);
    ``warnings`` says when the new due day is a day off."""
    item = service.get(session, team=team, item_id=item_id, lock=True)
    flows.extend(
        session,
        team=team,
        item=item,
        actor=_actor(session, principal, team),
        admin=auth.is_admin(session, principal, team),
        due_at=_due(body.due, team, now),
        reason=body.reason,
        now=now,
    )
    read = _read(session, team, item, now)
    read.warnings = messages.due_on_day_off(item, team, runtime.ports.get(Workdays))
    return read


@router.post("/{item_id}/reassign")
def reassign_action(
    item_id: Id,
    body: ActionReassign,
    session: SessionDep,
    principal: PrincipalDep,
    team: ItemTeamDep,
    now: NowDep,
) -> ActionRead:
    """转交: the requester (or an admin, the director) hands it to another member."""
    item = service.get(session, team=team, item_id=item_id, lock=True)
    owner = _member(session, principal, body.owner)
    flows.reassign(
        session,
        team=team,
        item=item,
        actor=_actor(session, principal, team),
        admin=auth.is_admin(session, principal, team),
        owner=owner,
        now=now,
        reason=body.reason,
    )
    read = _read(session, team, item, now)
    read.warnings = messages.leaves_first(item, owner, team)
    return read
