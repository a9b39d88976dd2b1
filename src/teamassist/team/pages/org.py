"""The org page: teams as a nested tree with leader, director, members, core group, managers;
admins edit each team's parent, leader and director, and add sub-teams."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from teamassist.http.deps import Id, NowDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, WorkspacePageTeamDep, team_page
from teamassist.i18n import t
from teamassist.team import org, people
from teamassist.team import service as team_service
from teamassist.team.pages.base import (
    admin_of,
    back,
    flag,
    member_choice,
    member_or_none,
    optional_id,
    picked,
    screen_router,
)

router = screen_router()
PATH = "/team/org"


@router.get("/org", response_class=HTMLResponse)
def org_page(
    request: Request, session: SessionDep, principal: PagePrincipal, chosen: WorkspacePageTeamDep
) -> HTMLResponse:
    """The organisation tree."""
    found = org.tree(session, workspace_id=principal.workspace.id)
    return team_page(
        request,
        session,
        principal,
        chosen,
        "team/org.html",
        "org",
        tree=found,
        teams=team_service.get_teams(session, workspace_id=principal.workspace.id),
        everyone=sorted(found.members.values(), key=lambda m: m.id),
    )


@router.post("/org/teams/{team_id}")
def edit_team_form(
    team_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    now: NowDep,
    parent_id: Annotated[str | None, Form()] = None,
    leader_id: Annotated[str | None, Form()] = None,
    director_id: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    """Save what the form sends of a team's parent, leader and director (all or nothing): a
    field left out (or empty) stays as it is, the form's 「（无）」 (``none``) clears it, as
    REST's ``PATCH`` does with a missing field and null (session 25: an empty post cleared
    director and parent). Every field is read before any is saved: a bad one changes nothing."""
    workspace_id = principal.workspace.id
    team = team_service.get_team(session, workspace_id=workspace_id, team_id=team_id)
    admin_of(session, principal, team)
    fields = (
        ("parent", parent_id, t("people.web.parent")),
        ("leader", leader_id, t("people.web.leader")),
        ("director", director_id, t("people.web.director")),
    )
    given = {name: picked(value, label) for name, value, label in fields if value is not None}
    parent = leader = director = None
    if (key := given.get("parent")) is not None:
        parent = team_service.get_team(session, workspace_id=workspace_id, team_id=key)
    if (key := given.get("leader")) is not None:
        leader = people.get_member(session, workspace_id=workspace_id, member_id=key)
    if (key := given.get("director")) is not None:
        director = people.get_member(session, workspace_id=workspace_id, member_id=key)
    if "parent" in given and given["parent"] != team.parent_id:
        org.set_parent(session, team=team, parent=parent)
    if "leader" in given:
        org.set_leader(session, team=team, leader=leader)
    if "director" in given:
        if director is None and team.director_id is not None:
            org.revoke_director(session, team=team)
        elif director is not None and director.id != team.director_id:
            org.grant_director(session, team=team, member=director, by=principal.member, now=now)
    return back(PATH, team)


@router.post("/org/teams")
def add_team_form(
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    key: Annotated[str, Form()],
    name: Annotated[str, Form()],
    parent_id: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """A new sub-team (admins of its parent)."""
    parent_key = optional_id(parent_id)
    parent = (
        team_service.get_team(session, workspace_id=principal.workspace.id, team_id=parent_key)
        if parent_key is not None
        else None
    )
    admin_of(session, principal, parent or chosen)
    team = org.create_sub_team(
        session,
        workspace=principal.workspace,
        parent=parent,
        key=key,
        name=name,
        admin=principal.member,
    )
    return back(PATH, team)


@router.post("/org/members/{member_id}")
def edit_member_org_form(
    member_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    manager_id: Annotated[str | None, Form()] = None,
    core: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    """A member's manager and core-group flag in the team shown: a field left out (or empty)
    stays as it is, the form's 「（无）」 (``none``) clears the manager (:func:`member_choice`);
    the core checkbox comes with a hidden ``0`` so that unticking it is said too."""
    team = admin_of(session, principal, chosen)
    member = member_or_none(session, principal, str(member_id))
    assert member is not None  # an id given by the path
    people.check_may_administer(session, actor=principal.member, member=member)
    manager = member_choice(session, principal, manager_id, t("people.web.manager"))
    if manager.given:
        if member.manager_id != (manager.member.id if manager.member is not None else None):
            people.check_may_change_person(session, actor=principal.member, member=member)
        org.check_manager(session, actor=principal.member, member=member, manager=manager.member)
        org.set_manager(session, member=member, manager=manager.member)
    if core is not None:
        org.set_core(session, team=team, member=member, core=flag(core, False))
    return back(PATH, team)
