"""``/api/v1/meetings``: list the team's upcoming occurrences, move or cancel one, and its
``.ics`` invitation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Query
from fastapi.responses import Response

from teamassist.clock import local, plan_horizon
from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep, TeamDep
from teamassist.http.routes import Routes
from teamassist.meetings import changes, ical, service, when
from teamassist.meetings.schemas import CancelBody, MoveBody, MovedRead, OccurrenceRead
from teamassist.ports import Workdays
from teamassist.team.models import Team

router = Routes(prefix="/meetings", tags=["meetings"])
ICAL_MEDIA_TYPE = "text/calendar; charset=utf-8; method="


def _organiser(session: SessionDep, principal: Principal, team: Team) -> None:
    changes.require_organiser(
        session, team=team, member=principal.member, admin=is_admin(session, principal, team)
    )


def _aware(value: datetime | date, team: Team, keep: datetime) -> datetime:
    """``value`` as an aware time: without an offset the team's wall clock; a date alone at
    ``keep``'s local time of day (the meeting's own)."""
    zone = ZoneInfo(team.timezone)
    if not isinstance(value, datetime):
        return datetime.combine(value, local(keep, team.timezone).time(), tzinfo=zone)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


@router.get("")
def list_occurrences(
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[OccurrenceRead]:
    """The team's occurrences not over yet (cancelled ones included), by start; ``limit``
    1–100 (else 422, tester s25 F-25: -5 was read as 1 in silence)."""
    service.ensure_planned(session, team=team, now=now, workdays=runtime.ports.get(Workdays))
    found = service.upcoming(session, team=team, now=now, limit=limit)
    return [OccurrenceRead.of(o) for o in found]


@router.post("/{occurrence_id}/move")
def move_occurrence(
    occurrence_id: Id,
    body: MoveBody,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    runtime: RuntimeDep,
) -> MovedRead:
    """Move one occurrence (admins, leads, the director); 409 once cancelled or started.
    Onto a weekend or holiday it is moved and ``warnings`` says so."""
    _organiser(session, principal, team)
    occ = service.get(session, team=team, occurrence_id=occurrence_id, lock=True)
    when.check_year(body.start, latest=plan_horizon(now, team.timezone))
    warnings = changes.reschedule(
        session,
        team=team,
        occ=occ,
        start_at=_aware(body.start, team, occ.start_at),
        now=now,
        workdays=runtime.ports.get(Workdays),
        note=body.note,
    )
    return MovedRead.of_move(occ, warnings)


@router.post("/{occurrence_id}/cancel")
def cancel_occurrence(
    occurrence_id: Id,
    body: CancelBody,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> OccurrenceRead:
    """Cancel one occurrence (admins, leads, the director); 409 once cancelled or started."""
    _organiser(session, principal, team)
    occ = service.get(session, team=team, occurrence_id=occurrence_id, lock=True)
    changes.call_off(session, team=team, occ=occ, now=now, note=body.note)
    return OccurrenceRead.of(occ)


@router.get("/{occurrence_id}/invite.ics")
def invitation(
    occurrence_id: Id, session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep
) -> Response:
    """The occurrence's iCalendar invitation (REQUEST, or CANCEL once cancelled)."""
    occ = service.get(session, team=team, occurrence_id=occurrence_id)
    body = ical.invitation(team, occ, now=now)
    method = "CANCEL" if b"METHOD:CANCEL" in body else "REQUEST"
    return Response(content=body, media_type=ICAL_MEDIA_TYPE + method)
