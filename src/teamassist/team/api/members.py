"""REST for members: list, add, change (names, 称呼, role, manager, core, active), merge,
deactivate. The same ``team.people`` / ``team.org`` functions as the chat commands."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from teamassist.chat.types import plain_text
from teamassist.clock import local
from teamassist.enums import Role
from teamassist.exceptions import Invalid
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.auth import Principal
from teamassist.http.deps import Id, NowDep, PrincipalDep, SessionDep, team_of
from teamassist.http.errors import AdminRequired, require_admin
from teamassist.http.fields import IsoDateTimeOrDay
from teamassist.http.routes import Routes
from teamassist.i18n import t
from teamassist.team import org, people
from teamassist.team import service as team_service
from teamassist.team.api.shapes import MergeRequest, PersonRead, PersonUpdate
from teamassist.team.models import Member, Team
from teamassist.team.schemas import MemberAdded, MemberCreate, MemberRead

router = Routes(tags=["people"])


def person_read(session: Session, member: Member, team: Team | None = None) -> PersonRead:
    """A member as REST shows them (their 称呼 as addressed in ``team``)."""
    rows = people.memberships(session, member=member)
    if team is None and rows:
        team = session.get(Team, rows[0].team_id)
    return PersonRead(
        id=member.id,
        handle=member.handle,
        display_name=member.display_name,
        address_as=member.address_as,
        addressed_as=people.addressed_as(member, team),
        manager_id=member.manager_id,
        active=member.active,
        deactivated_at=member.deactivated_at,
        deactivates_on=_deactivates_on(member, team),
        merged_into_id=member.merged_into_id,
        teams={row.team_id: Role(row.role) for row in rows},
        core_teams=[row.team_id for row in rows if row.core],
        identities={i.platform: i.user_key for i in member.identities},
    )


def _deactivates_on(member: Member, team: Team | None) -> date | None:
    """The day a planned departure takes effect, on the team's calendar (chat's "将于 D 停用");
    None unless the member is still active and set to leave. A tester read ``active: true`` in
    the answer to a dated deactivation as "nothing happened"."""
    if not member.active or member.deactivated_at is None:
        return None
    return local(member.deactivated_at, team.timezone if team else "UTC").date()


def require_people_admin(session: Session, principal: Principal, member: Member) -> None:
    """Admins of a team the member is in (or of the default team) may change them: the rule
    of :func:`people.may_administer`, which chat asks too; refused as every admin 403 is."""
    if not people.may_administer(session, actor=principal.member, member=member):
        raise AdminRequired()


@router.get("/members", response_model=list[PersonRead])
def list_people(session: SessionDep, principal: PrincipalDep) -> list[PersonRead]:
    """Every member of the caller's workspace (deactivated ones too, marked)."""
    members = team_service.get_members(session, workspace_id=principal.workspace.id)
    return [person_read(session, m) for m in members]


@router.get("/members/{member_id}", response_model=PersonRead)
def get_person(member_id: Id, session: SessionDep, principal: PrincipalDep) -> PersonRead:
    """One member of the workspace."""
    member = people.get_member(session, workspace_id=principal.workspace.id, member_id=member_id)
    return person_read(session, member)


@router.patch("/members/{member_id}", dependencies=[ADMIN_GATE], response_model=PersonRead)
def change_person(
    member_id: Id, body: PersonUpdate, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> PersonRead:
    """Change a member (admin only); a refused field changes nothing at all.

    Leaving: `active: false` deactivates now (an admin of only some of the member's teams takes
    them out of those teams, now, and they stay active in the others); `deactivate_at`
    (alone, or with `active: false`) plans a departure: the member stays active until that
    moment (a date alone means its start in the team's zone; a day before today is refused, 422
    `people.error.deactivate_past`) and the answer carries `deactivates_on`, the leaving day; the
    roster and 1on1s plan without them from then. `active: true` reactivates, or calls a
    planned departure off; sent with `deactivate_at` it is a contradiction and refused (422,
    `people.error.active_and_leaving`)."""
    workspace_id = principal.workspace.id
    member = people.get_member(session, workspace_id=workspace_id, member_id=member_id)
    require_people_admin(session, principal, member)
    given = body.model_fields_set
    # Before any change: the body is refused whole, not half applied.
    if body.active is True and body.deactivate_at is not None:
        raise Invalid("people.error.active_and_leaving")
    if given & {"handle", "display_name", "address_as", "manager_id"}:
        # seen in every team of theirs: an admin of all of them (tester F1, session 20)
        people.check_may_change_person(session, actor=principal.member, member=member)
    if body.handle is not None:
        people.rename_handle(session, member=member, handle=body.handle, now=now)
    if body.display_name is not None:
        people.set_display_name(session, member=member, display_name=body.display_name, now=now)
    if "address_as" in given:
        people.set_address_as(session, member=member, address_as=body.address_as)
    if "manager_id" in given:
        manager = (
            people.get_member(session, workspace_id=workspace_id, member_id=body.manager_id)
            if body.manager_id is not None
            else None
        )
        org.check_manager(session, actor=principal.member, member=member, manager=manager)
        org.set_manager(session, member=member, manager=manager)
    team = team_of(session, principal, body.team_id)
    if body.role is not None or body.core is not None:
        require_admin(session, principal, team)
    if body.role is not None:
        people.change_role(session, team=team, member=member, role=body.role, by=principal.member)
    if body.core is not None:
        org.set_core(session, team=team, member=member, core=body.core)
    said: tuple[str, ...] = ()
    if body.active is False or (body.active is None and body.deactivate_at is not None):
        # an admin of only some of their teams takes them out of those (``teams`` answers)
        gone = people.depart(
            session, member=member, now=now, at=body.deactivate_at, by=principal.member
        )
        said = gone.said
    elif body.active is True:
        people.reactivate(session, member=member, now=now)
    return _with_changes(person_read(session, member, team), said)


def _with_changes(read: PersonRead, said: tuple[str, ...]) -> PersonRead:
    """``read`` with a departure's sentences (:attr:`people.Departure.said`, what chat's
    /停用成员 reply appends) as plain text: REST said nothing of the covers and swaps a
    departure cancelled or cut (session 25)."""
    read.changes = [text for text in (plain_text(s).strip() for s in said) if text]
    return read


@router.delete("/members/{member_id}", dependencies=[ADMIN_GATE], response_model=PersonRead)
def deactivate_person(
    member_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    at: IsoDateTimeOrDay | None = None,
) -> PersonRead:
    """Deactivate a member (admin only): history kept, out of rotations from ``at``. An admin
    of only some of their teams takes them out of those teams, now, and they stay active in
    the others: the answer's ``active`` stays true and ``teams`` no longer lists those. So is
    the last admin of another team (they stay admin there), whoever removes them."""
    member = people.get_member(session, workspace_id=principal.workspace.id, member_id=member_id)
    require_people_admin(session, principal, member)
    gone = people.depart(session, member=member, now=now, at=at, by=principal.member)
    return _with_changes(person_read(session, member), gone.said)


@router.post("/members/{member_id}/merge", dependencies=[ADMIN_GATE], response_model=PersonRead)
def merge_person(
    member_id: Id, body: MergeRequest, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> PersonRead:
    """Merge member ``source_id`` into this one (admin only)."""
    workspace_id = principal.workspace.id
    into = people.get_member(session, workspace_id=workspace_id, member_id=member_id)
    source = people.get_member(session, workspace_id=workspace_id, member_id=body.source_id)
    require_people_admin(session, principal, into)
    require_people_admin(session, principal, source)
    for person in (into, source):  # every team of both: see people.check_administers_whole
        people.check_administers_whole(session, actor=principal.member, member=person)
    people.merge(session, into=into, source=source, now=now, by=principal.member)
    return person_read(session, into)


@router.get("/teams/{team_id}/members", response_model=list[MemberRead])
def list_members(team_id: Id, session: SessionDep, principal: PrincipalDep) -> list[MemberRead]:
    """Members of a team with their roles and platform identities."""
    team = team_service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)
    return [
        MemberRead(
            id=m.id,
            handle=m.handle,
            display_name=m.display_name,
            role=role,
            identities={i.platform: i.user_key for i in m.identities},
        )
        for m, role in team_service.team_members(session, team=team)
    ]


@router.post(
    "/teams/{team_id}/members",
    dependencies=[ADMIN_GATE],
    response_model=MemberAdded,
    status_code=201,
)
def add_member(
    team_id: Id, body: MemberCreate, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> MemberAdded:
    """Add a member to a team (admin only); someone the workspace already has (the handle, or
    the one person of that name) joins this team as well, their account as it is: the answer
    is that person, with ``name_not_used`` and ``notice`` when the ``display_name`` asked for
    was not theirs, and ``told`` (they were sent a notice of it). 409
    ``people.error.already_in_team`` / ``ambiguous_person``."""
    team = team_service.get_team(session, workspace_id=principal.workspace.id, team_id=team_id)
    require_admin(session, principal, team)
    added = people.add_person(
        session,
        workspace=principal.workspace,
        team=team,
        handle=body.handle,
        display_name=body.display_name,
        role=body.role,
        by=principal.member,
        now=now,
    )
    member = added.member
    unused = added.name_not_used(body.display_name)
    return MemberAdded(
        id=member.id,
        handle=member.handle,
        display_name=member.display_name,
        role=body.role,
        told=added.told,
        name_not_used=unused,
        notice=None
        if unused is None
        else t("people.joined_name_kept_outside", given=unused, name=member.display_name),
    )
