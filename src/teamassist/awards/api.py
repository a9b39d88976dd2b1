"""``/api/v1/awards``: rounds and history, one round with its nominees, nominations, the
caller's vote, the director's phase moves, and the team's settings.

The nominator and voter are the signed-in member (never a field of the body). ``tally`` is
null until the round closes, whoever asks (admins and the director included).
"""

from __future__ import annotations

from fastapi import status

from teamassist.awards import rounds, schemas, service
from teamassist.awards import settings as award_settings
from teamassist.awards.models import PHASE_REFUSAL, AwardRound, Phase
from teamassist.exceptions import Conflict, NotFound, PermissionDenied
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import NowDep, PrincipalDep, RuntimeDep, SessionDep, TeamDep
from teamassist.http.errors import require_admin
from teamassist.http.routes import Routes
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

router = Routes(prefix="/awards", tags=["awards"])


def _member(session: SessionDep, principal: Principal, handle: str) -> Member:
    found = team_service.get_member_by_handle(
        session, workspace_id=principal.workspace.id, handle=handle
    )
    if found is None:
        raise NotFound("awards.error.unknown_member", handle=handle[:64])
    return found


def _me(principal: Principal, team: Team) -> Member:
    if principal.member is None:
        raise PermissionDenied("awards.error.not_member", name=principal.username, team=team.name)
    return principal.member


def _active(session: SessionDep, team: Team, period: str) -> AwardRound:
    """The round of ``period``, which must be the team's open one (Conflict otherwise)."""
    row = rounds.get(session, team=team, period=period)
    if row.phase == Phase.CLOSED.value:
        raise Conflict("awards.error.phase_closed", period=row.period)
    return row


@router.get("")
def list_rounds(session: SessionDep, team: TeamDep) -> list[schemas.RoundRead]:
    """The team's rounds, newest first (the open one and the history)."""
    rows = rounds.history(session, team=team)
    current = rounds.active(session, team=team)
    if current is not None:
        rows = [current, *rows]
    names = team_service.names_by_id(session, [r.winner_id for r in rows])
    return [schemas.round_read(r, names) for r in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
def open_round(
    session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep, runtime: RuntimeDep
) -> schemas.RoundRead:
    """Open this month's round now (the director or an admin: 403 otherwise; 409 when it
    exists or the month's close has passed)."""
    rounds.require_director(team, principal.member, admin=is_admin(session, principal, team))
    row = rounds.open_round(
        session, team=team, now=now, workdays=runtime.ports.get(Workdays), by_hand=True
    )
    return schemas.round_read(row, {})


@router.get("/settings")
def read_settings(team: TeamDep) -> schemas.SettingsRead:
    """The team's selection settings (every member may read them)."""
    return schemas.SettingsRead(**award_settings.of(team).as_dict())


@router.put("/settings", dependencies=[ADMIN_GATE])
def write_settings(
    body: schemas.SettingsUpdate, session: SessionDep, principal: PrincipalDep, team: TeamDep
) -> schemas.SettingsRead:
    """Change some of the team's settings (admins; 422 for a bad value, nothing changed).
    A round already open keeps its moments."""
    require_admin(session, principal, team)
    changes = body.model_dump(exclude_none=True)
    return schemas.SettingsRead(**award_settings.update(team, changes).as_dict())


@router.get("/{period}")
def read_round(
    period: str, session: SessionDep, principal: PrincipalDep, team: TeamDep
) -> schemas.RoundDetail:
    """One round: nominees with reasons and links, the caller's vote, and the tally once it
    has closed (null before, for everyone); 404 when the team has no such round."""
    row = rounds.get(session, team=team, period=period)
    people = service.nominees(session, round_=row)
    mine = service.my_vote(session, round_=row, voter=principal.member)
    closed = row.phase == Phase.CLOSED.value
    tally_ids = [int(x["nominee_id"]) for x in (row.tally or [])] if closed else []
    members = team_service.members_by_id(session, [mine, row.winner_id, *tally_ids])
    names = {i: m.display_name for i, m in members.items()}
    base = schemas.round_read(row, names)
    return schemas.RoundDetail(
        **base.model_dump(),
        nominees=[
            schemas.NomineeRead(
                handle=p.member.handle,
                name=p.member.display_name,
                nominations=[
                    schemas.NominationRead(by=by, reason=reason, links=links)
                    for by, reason, links in p.reasons
                ],
            )
            for p in people
        ],
        my_vote=members[mine].handle if mine is not None and mine in members else None,
        tally=[
            schemas.TallyLine(
                handle=members[i].handle if i in members else None,
                name=names.get(i, "?"),
                votes=int(x["votes"]),
                nominators=int(x["nominators"]),
            )
            for x, i in zip(row.tally or [], tally_ids, strict=True)
        ]
        if closed
        else None,
    )


@router.post("/{period}/nominations", status_code=status.HTTP_201_CREATED)
def nominate(
    period: str,
    body: schemas.NominationCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> schemas.NominationRead:
    """Nominate a member of the team as the signed-in member (403 outside the team, 409 when
    the round takes no nominations or the nominee hit the consecutive-win cap, 422 for
    oneself, an empty reason or a bad link)."""
    me = _me(principal, team)
    _active(session, team, period)
    nominee = _member(session, principal, body.nominee)
    row = service.nominate(
        session,
        team=team,
        nominator=me,
        nominee=nominee,
        reason=body.reason,
        links=body.links,
        now=now,
    )
    return schemas.NominationRead(by=me.display_name, reason=row.reason, links=row.links)


@router.put("/{period}/votes/me")
def vote(
    period: str,
    body: schemas.VoteCast,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> schemas.VoteRead:
    """Cast or replace the signed-in member's one vote (409 when the round is not voting,
    422 for oneself or someone not nominated)."""
    me = _me(principal, team)
    row = _active(session, team, period)
    nominee = _member(session, principal, body.nominee)
    cast = service.vote(session, team=team, voter=me, nominee=nominee, now=now)
    replaced = team_service.members_by_id(session, [cast.replaced_id])
    return schemas.VoteRead(
        period=row.period,
        nominee=nominee.handle,
        replaced=replaced[cast.replaced_id].handle if cast.replaced_id in replaced else None,
    )


@router.post("/{period}/phase")
def change_phase(
    period: str,
    body: schemas.PhaseChange,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> schemas.RoundRead:
    """Open the vote (``voting``) or close the round (``closed``: tally, winner, announcement)
    now; the director or an admin (403 otherwise), 409 when the phase cannot move so."""
    rounds.require_director(team, principal.member, admin=is_admin(session, principal, team))
    row = _active(session, team, period)
    if body.phase is Phase.VOTING:
        row = rounds.start_voting(session, round_=row, now=now)
    elif body.phase is Phase.CLOSED:
        row = rounds.close(session, team=team, round_=row, now=now)
    else:
        raise Conflict(PHASE_REFUSAL[row.phase], period=row.period)
    names = team_service.names_by_id(session, [row.winner_id])
    return schemas.round_read(row, names)
