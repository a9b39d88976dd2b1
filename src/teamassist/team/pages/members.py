"""The members page: who is in the team, their role and 称呼; admins edit each member."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from teamassist.clock import local
from teamassist.enums import Role
from teamassist.exceptions import DomainError
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
    screen_router,
)

router = screen_router()
PATH = "/team/members"


@router.get("/members", response_class=HTMLResponse)
def members_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: WorkspacePageTeamDep,
    now: NowDep,
) -> HTMLResponse:
    """The team's members (one set to leave with the date); admins get an edit form per
    member, an add form and merging."""
    rows = people.team_rows(session, team=chosen)
    # after adding an existing person with another name (add_member_form): that it was not
    # used, as chat says it (tester F10, session 21)
    kept = {str(m.id): m for m, _row in rows}.get(request.query_params.get("kept", ""))
    given = request.query_params.get("given", "")[:200]
    name_kept = (
        t("people.joined_name_kept_outside", given=given, name=kept.display_name)
        if kept is not None and given and given != kept.display_name
        else None
    )
    # ... and that the person who joined was told (people.add_person)
    joined = {str(m.id): m for m, _row in rows}.get(request.query_params.get("told", ""))
    told = (
        t("people.web.told_joined", name=joined.display_name, team=chosen.name)
        if joined is not None
        else None
    )
    return team_page(
        request,
        session,
        principal,
        chosen,
        "team/members.html",
        "members",
        rows=rows,
        roles=list(Role),
        teams=team_service.get_teams(session, workspace_id=principal.workspace.id),
        everyone=team_service.get_members(session, workspace_id=principal.workspace.id),
        mergeable=people.wholly_administered(
            session, actor=principal.member, workspace_id=principal.workspace.id
        ),
        addressed={m.id: people.addressed_as(m, chosen) for m, _row in rows},
        name_kept=name_kept,
        told=told,
        leaving={
            m.id: local(m.deactivated_at, chosen.timezone).date().isoformat()
            for m, _row in rows
            if m.deactivated_at is not None and people.leaving(m, now=now)
        },
    )


@router.post("/members")
def add_member_form(
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    handle: Annotated[str, Form()],
    display_name: Annotated[str, Form()],
    now: NowDep,
    role: Annotated[Role, Form()] = Role.MEMBER,
) -> RedirectResponse:
    """Add a member to the team shown; someone the workspace already has joins it and is told
    (``people.add_person``, as chat and REST)."""
    team = admin_of(session, principal, chosen)
    added = people.add_person(
        session,
        workspace=principal.workspace,
        team=team,
        handle=handle,
        display_name=display_name,
        role=role,
        by=principal.member,
        now=now,
    )
    # said on the page it goes back to, as chat says it: who was told, a name not used
    told = added.member.id if added.told else ""
    unused = added.name_not_used(display_name)
    if unused is not None:
        return back(PATH, team, told=told, kept=added.member.id, given=unused[:200])
    return back(PATH, team, told=told)


@router.post("/members/{member_id}")
def edit_member_form(
    member_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    handle: Annotated[str, Form()],
    display_name: Annotated[str, Form()],
    role: Annotated[Role, Form()],
    address_as: Annotated[str, Form()] = "",
    manager_id: Annotated[str | None, Form()] = None,
    core: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    """Save one member's row: names, 称呼, role, manager and core group (all or nothing); the
    manager or core flag left out (or empty) stays as it is, as on the org page's form."""
    team = admin_of(session, principal, chosen)
    member = people.get_member(session, workspace_id=principal.workspace.id, member_id=member_id)
    # the person's own team's admin (or the default team's), as REST and chat ask
    people.check_may_administer(session, actor=principal.member, member=member)
    manager = member_choice(session, principal, manager_id, t("people.web.manager"))
    new_manager = manager.member.id if manager.member is not None else None
    if (
        member.handle != handle.strip()
        or member.display_name != display_name.strip()
        or (member.address_as or "") != address_as.strip()
        or (manager.given and member.manager_id != new_manager)
    ):  # seen in every team of theirs: an admin of all of them (tester F1, session 20)
        people.check_may_change_person(session, actor=principal.member, member=member)
    if member.handle != handle.strip():
        people.rename_handle(session, member=member, handle=handle, now=now)
    people.set_display_name(session, member=member, display_name=display_name, now=now)
    people.set_address_as(session, member=member, address_as=address_as)
    people.change_role(session, team=team, member=member, role=role, by=principal.member)
    if manager.given:
        org.check_manager(session, actor=principal.member, member=member, manager=manager.member)
        org.set_manager(session, member=member, manager=manager.member)
    if core is not None:
        org.set_core(session, team=team, member=member, core=flag(core, False))
    return back(PATH, team)


def _day_start(value: str, timezone: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise people.Invalid("core.error.bad_date", value=value[:20]) from exc
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(timezone))


@router.post("/members/{member_id}/deactivate")
def deactivate_form(
    member_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    from_date: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Deactivate now or from a date; an admin of only some of the member's teams takes them
    out of those, now, as chat and REST do (``people.depart``)."""
    team = admin_of(session, principal, chosen)
    member = people.get_member(session, workspace_id=principal.workspace.id, member_id=member_id)
    at = _day_start(from_date, team.timezone)
    people.depart(session, member=member, now=now, at=at, by=principal.member)
    return back(PATH, team)


@router.post("/members/{member_id}/reactivate")
def reactivate_form(
    member_id: Id,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
) -> RedirectResponse:
    """Make a deactivated member active again, or call off a departure set for a date."""
    team = admin_of(session, principal, chosen)
    member = people.get_member(session, workspace_id=principal.workspace.id, member_id=member_id)
    # the person's own team's admin (or the default team's), as REST and chat ask
    people.check_may_administer(session, actor=principal.member, member=member)
    people.reactivate(session, member=member, now=now)
    return back(PATH, team)


@router.post("/merge")
def merge_form(
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    into_id: Annotated[str, Form()],
    source_id: Annotated[str, Form()],
) -> RedirectResponse:
    """Merge one member's record into another's."""
    team = admin_of(session, principal, chosen)
    into = member_or_none(session, principal, into_id)
    source = member_or_none(session, principal, source_id)
    if into is None or source is None:
        raise DomainError("core.error.missing_arg", arg="@")
    for person in (into, source):  # both people's admin, as REST and chat ask (s18 F26)
        people.check_may_administer(session, actor=principal.member, member=person)
        # of every team of theirs: the merge moves the dropped record's memberships there too
        people.check_administers_whole(session, actor=principal.member, member=person)
    people.merge(session, into=into, source=source, now=now, by=principal.member)
    return back(PATH, team)
