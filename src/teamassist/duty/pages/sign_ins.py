"""Sign-in history with filters (dates, rotation, person); late sign-ins marked."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import Request
from fastapi.responses import HTMLResponse

from teamassist.clock import local
from teamassist.duty import fairness, service, signin
from teamassist.duty.pages.base import parse_date, screen_router
from teamassist.exceptions import DomainError
from teamassist.http.deps import NowDep, SessionDep
from teamassist.http.render import PagePrincipal, PageTeamDep, team_page
from teamassist.team import service as team_service

router = screen_router()

MAX_HISTORY_DAYS = 400


@router.get("/sign-ins", response_class=HTMLResponse)
def sign_ins_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    chosen: PageTeamDep,
    now: NowDep,
    first: str | None = None,
    last: str | None = None,
    rotation: str | None = None,
    member: str | None = None,
) -> HTMLResponse:
    """Sign-in history with filters (dates, rotation, person); late sign-ins marked."""
    today = service.today(chosen, now)
    last_day = parse_date(last) or today
    first_day = parse_date(first) or last_day - timedelta(days=30)
    if last_day < first_day:
        raise DomainError(
            "duty.error.date_range_backwards",
            first=first_day.isoformat(),
            last=last_day.isoformat(),
        )
    if (last_day - first_day).days > MAX_HISTORY_DAYS:
        # not "start after end": the range is the right way round, only too long
        raise DomainError("duty.error.date_range_too_long", limit=MAX_HISTORY_DAYS)
    rotation_id = int(rotation) if rotation and rotation.isdigit() else None
    member_id = int(member) if member and member.isdigit() else None
    rows = [
        r
        for r in signin.sign_ins(session, team=chosen, first=first_day, last=last_day)
        if (rotation_id is None or r.rotation_id == rotation_id)
        and (member_id is None or r.member_id == member_id)
    ]
    rows.reverse()  # newest first
    threshold = fairness.late_after(chosen)
    zone_rows = []
    for r in rows:
        signed = local(r.signed_in_at, chosen.timezone)
        late = signed > datetime.combine(r.duty_date, threshold, tzinfo=signed.tzinfo)
        zone_rows.append({"row": r, "signed": signed, "late": late})
    rotations = {r.id: r for r in service.rotations(session, team=chosen)}
    members = [m for m, _ in team_service.team_members(session, team=chosen)]
    return team_page(
        request,
        session,
        principal,
        chosen,
        "duty/sign_ins.html",
        "sign_ins",
        rows=zone_rows,
        rotations=rotations,
        members=members,
        names={m.id: m.display_name for m in members},
        first=first_day,
        last=last_day,
        rotation_id=rotation_id,
        member_id=member_id,
        late_after=threshold.strftime("%H:%M"),
    )
