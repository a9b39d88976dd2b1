"""The fairness report: duty days (weekend, holiday), hours, sign-in rate and late sign-ins per
person, as JSON and as CSV."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from teamassist.duty import fairness, service
from teamassist.duty.api.base import resource_router
from teamassist.duty.schemas import DutyDate, FairnessRead
from teamassist.http.auth import Principal
from teamassist.http.deps import (
    Id,
    NowDep,
    PrincipalDep,
    SessionDep,
    require_team_person,
    team_of,
)
from teamassist.http.query import check_range
from teamassist.team.models import Team

router = resource_router()


def _report(
    session: Session,
    principal: Principal,
    now: datetime,
    team_id: int | None,
    first: date | None,
    last: date | None,
    rotation_id: int | None,
) -> tuple[Team, fairness.FairnessReport, int | None]:
    team = team_of(session, principal, team_id)
    rotation = None
    if rotation_id is not None:
        rotation = service.get_rotation_by_id(
            session, workspace_id=principal.workspace.id, rotation_id=rotation_id
        )
        team = team_of(session, principal, rotation.team_id)
    # the team reported, whichever parameter named it, is the caller's: ``?rotation=3`` of
    # another team answered its people's days and sign-ins (tester s28 D-2), the member gate
    # asking about ``team_id`` only
    require_team_person(session, principal, team)
    last = last or service.today(team, now)
    first = first or last - timedelta(days=29)
    check_range(first, last, start="from", end="to")
    result = fairness.report(session, team=team, first=first, last=last, now=now, rotation=rotation)
    return team, result, rotation_id


@router.get("/fairness", response_model=FairnessRead)
def get_fairness(
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    first: DutyDate | None = Query(default=None, alias="from"),
    last: DutyDate | None = Query(default=None, alias="to"),
    rotation: Id | None = None,
    team_id: Id | None = None,
) -> FairnessRead:
    """Duty days (weekend, holiday), hours, sign-in rate and late sign-ins per person."""
    team, result, rotation_id = _report(session, principal, now, team_id, first, last, rotation)
    return FairnessRead.from_report(
        result,
        fairness.member_names(session, result),
        team_id=team.id,
        rotation_id=rotation_id,
    )


@router.get("/fairness.csv")
def get_fairness_csv(
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    first: DutyDate | None = Query(default=None, alias="from"),
    last: DutyDate | None = Query(default=None, alias="to"),
    rotation: Id | None = None,
    team_id: Id | None = None,
) -> Response:
    """The fairness report as CSV."""
    _team_row, result, _ = _report(session, principal, now, team_id, first, last, rotation)
    text = fairness.to_csv(result, fairness.member_names(session, result))
    name = f"duty-fairness-{result.first}-{result.last}.csv"
    return Response(
        content=text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
