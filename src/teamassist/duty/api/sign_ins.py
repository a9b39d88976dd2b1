"""Sign-in and sign-out (with the 值班日报), and the sign-in history."""

from __future__ import annotations

from datetime import timedelta

from teamassist.duty import service, signin
from teamassist.duty.api.base import caller, resource_router
from teamassist.duty.schemas import DutyDate, SignInRead, SignOutIn
from teamassist.http.deps import NowDep, PrincipalDep, SessionDep, TeamDep

router = resource_router()


@router.post("/teams/{team_id}/sign-in", response_model=list[SignInRead], status_code=201)
def sign_in(
    session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep
) -> list[SignInRead]:
    """Sign the caller in for today's duty."""
    rows = signin.sign_in(session, team=team, member=caller(principal), now=now)
    return [SignInRead.from_row(r) for r in rows]


@router.post("/teams/{team_id}/sign-out", response_model=list[SignInRead])
def sign_out(
    body: SignOutIn,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> list[SignInRead]:
    """Sign the caller out, with the duty report."""
    result = signin.sign_out(
        session, team=team, member=caller(principal), now=now, report=body.report
    )
    return [SignInRead.from_row(r) for r in result.rows]


@router.get("/teams/{team_id}/sign-ins", response_model=list[SignInRead])
def list_sign_ins(
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    first: DutyDate | None = None,
    last: DutyDate | None = None,
) -> list[SignInRead]:
    """Sign-in history for duty dates in [first, last] (default: the last 30 days)."""
    last = last or service.today(team, now)
    first = first or last - timedelta(days=30)
    rows = signin.sign_ins(session, team=team, first=first, last=last)
    return [SignInRead.from_row(r) for r in rows]
