"""What the OKR routers share: the router shape, who may change what, and the roll-up of a
cycle's Os into read shapes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from teamassist.enums import Role
from teamassist.exceptions import Invalid
from teamassist.http.auth import Principal, is_admin, owner_voice
from teamassist.http.routes import Routes
from teamassist.http.team_gate import MEMBER_WRITE_GATE
from teamassist.okr import cycles, people, rollup
from teamassist.okr import objectives as okr
from teamassist.okr.models import Cycle, KeyResult, Objective
from teamassist.okr.rows import ObjectiveFacts
from teamassist.okr.schemas import ObjectiveList, objective_list
from teamassist.ports import Workdays
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team


def resource_router() -> Routes:
    """A router for one resource; every OKR endpoint lives under /api/v1/okr. Reads are open
    to the whole workspace (OKRs are public inside a company: alignment needs them); a change
    needs a member of the team the request names (403 ``core.error.not_in_team``: a person of
    another team created Os and KRs here, tester s23 F3)."""
    return Routes(prefix="/okr", tags=["okr"], dependencies=[MEMBER_WRITE_GATE])


def privileged(session: Session, principal: Principal, team: Team) -> bool:
    """Admins and leads of the team (and the workspace owner) may change anyone's OKRs."""
    if is_admin(session, principal, team):
        return True
    assert principal.member is not None
    return team_service.role_of(session, team=team, member=principal.member) is Role.LEAD


def require_edit(
    session: Session,
    principal: Principal,
    team: Team,
    objective: Objective,
    key_result: KeyResult | None = None,
) -> None:
    """403 unless the caller owns or contributes to the O/KR, or leads the team."""
    okr.require_edit(
        session,
        actor=principal.member,
        privileged=privileged(session, principal, team),
        objective=objective,
        key_result=key_result,
    )


def editable_objective(
    session: Session, principal: Principal, team: Team, objective_id: int
) -> Objective:
    """The team's O ``objective_id`` (404), once the caller may change it (403)."""
    objective = okr.get_objective(session, team=team, objective_id=objective_id)
    require_edit(session, principal, team, objective)
    return objective


def editable_key_result(
    session: Session, principal: Principal, team: Team, key_result_id: int
) -> KeyResult:
    """The team's KR ``key_result_id`` (404), once the caller may change it or its O (403)."""
    key_result = okr.get_key_result(session, team=team, key_result_id=key_result_id)
    objective = okr.get_objective(session, team=team, objective_id=key_result.objective_id)
    require_edit(session, principal, team, objective, key_result)
    return key_result


def token_owner(session: Session, principal: Principal, team: Team) -> Member:
    """Who owns an O the workspace owner (the global token, a member-less account) creates
    without naming an ``owner``: the member it speaks as in chat (the person who set the
    install up), as its action items are requested by them. It had no owner at all, which the
    repeat guard skipped: a retried script doubled the O, twenty at once made twenty (tester
    s27 C-4). Refused (422, nothing made) when that member is not one of the team's people
    (``okr.error.voice_not_in_team``) or there is none (``okr.error.owner_needed``)."""
    voice = principal.voice or owner_voice(session, principal.workspace)
    if voice is None:
        raise Invalid("okr.error.owner_needed", team=team.name)
    if (
        voice.id != team.director_id
        and team_service.role_of(session, team=team, member=voice) is None
    ):
        raise Invalid("okr.error.voice_not_in_team", name=voice.display_name, team=team.name)
    return voice


def today(team: Team, now: datetime) -> date:
    """The team's local date."""
    return cycles.today_of(team, now)


def listing(
    session: Session,
    runtime: Runtime,
    team: Team,
    cycle: Cycle,
    found: Sequence[ObjectiveFacts],
    now: datetime,
) -> ObjectiveList:
    """Os of ``cycle`` rolled up against the working-day expectation."""
    day = today(team, now)
    expected, views = rollup.of_cycle(
        session,
        team=team,
        cycle=cycle,
        objectives=found,
        workdays=runtime.ports.get(Workdays),
        today=day,
    )
    found_people = people.load(
        session,
        objective_ids=[o.id for o in found],
        key_result_ids=[k.key_result.id for v in views for k in v.krs],
        owner_ids=[o.owner_id for o in found]
        + [k.key_result.owner_id for v in views for k in v.krs],
    )
    return objective_list(cycle, day, expected, views, found_people)


def member_named(session: Session, principal: Principal, who: str) -> Member:
    """A member of the caller's workspace by handle or display name, read as chat reads a typed
    ``@name`` (``team_service.find_member``): 404 ``core.error.unknown_member``, 409
    ``core.error.ambiguous_member`` when several people have that name. REST took handles only
    and said 「找不到成员「孙七」」 of a member (s23 report 2 F12)."""
    return team_service.find_member(
        session,
        workspace=principal.workspace,
        platform="web",
        tenant_key="",
        user_key=None,
        name=who.strip()[:64],
    )


def set_people(
    session: Session,
    principal: Principal,
    team: Team,
    objective: Objective,
    key_result: KeyResult | None,
    owner: str | None,
    contributors: Sequence[str] | None,
    now: datetime,
) -> None:
    """The REST side of ``owner``/``contributors`` (handles or names): the same service as
    /负责人."""
    if owner is None and contributors is None:
        return
    people.set_people(
        session,
        team=team,
        objective=objective,
        key_result=key_result,
        owner=member_named(session, principal, owner) if owner is not None else None,
        contributors=(
            [member_named(session, principal, h) for h in contributors]
            if contributors is not None
            else None
        ),
        now=now,
    )
