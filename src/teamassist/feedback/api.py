"""REST endpoints of the feedback desk (``/api/v1/feedback/...``); the chat commands and these
call the same service and flow functions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat.types import plain_text
from teamassist.clock import local
from teamassist.exceptions import DomainError, Invalid, NotFound
from teamassist.feedback import access, flows, messages
from teamassist.feedback import export as feedback_export
from teamassist.feedback import queries as feedback_queries
from teamassist.feedback import service as feedback_service
from teamassist.feedback import settings as feedback_settings
from teamassist.feedback import stats as feedback_stats
from teamassist.feedback.models import FeedbackItem, FeedbackStatus
from teamassist.feedback.queries import FeedbackFilter
from teamassist.feedback.schemas import (
    FeedbackAssign,
    FeedbackCreate,
    FeedbackDuplicate,
    FeedbackEventRead,
    FeedbackItemDetail,
    FeedbackItemRead,
    FeedbackNote,
    FeedbackPage,
    FeedbackReportRead,
    FeedbackSettingsRead,
    FeedbackSettingsUpdate,
    LoadRead,
)
from teamassist.feedback.service import Origin
from teamassist.http.admin import ADMIN_GATE
from teamassist.http.auth import Principal
from teamassist.http.deps import (
    Id,
    PrincipalDep,
    RuntimeDep,
    SessionDep,
    require_team_person,
    team_of,
)
from teamassist.http.errors import require_admin
from teamassist.http.fields import IsoDate
from teamassist.http.query import check_range
from teamassist.http.routes import Routes
from teamassist.http.team_gate import MEMBER_GATE, row_gate
from teamassist.ports import Roster, Workdays
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team


def _item_team(session: Session, item_id: int) -> int | None:
    return session.scalar(select(FeedbackItem.team_id).where(FeedbackItem.id == item_id))


# Every feedback route names its team by ``?team_id=`` (the caller's home team without one),
# and a change to one item is its team's: a caller outside the team is refused before the body
# is read (tester s23 F7: an outsider filed into another team and paged its on-duty person).
# Reading one item follows its own rule (its reporter, in any team: ``feedback.access``).
router = Routes(
    prefix="/feedback",
    tags=["feedback"],
    dependencies=[MEMBER_GATE, row_gate("item_id", _item_team, writes_only=True)],
)


def _member(session: Session, principal: Principal, handle: str) -> Member:
    member = team_service.get_member_by_handle(
        session, workspace_id=principal.workspace.id, handle=handle
    )
    if member is None:
        raise NotFound("core.error.unknown_member", who=handle)
    return member


def _read(
    item: FeedbackItem, team: Team, people: dict[int, Member], workdays: Workdays
) -> FeedbackItemRead:
    times = feedback_stats.response_times(item, team=team, workdays=workdays)
    owner = people.get(item.owner_id) if item.owner_id is not None else None
    return FeedbackItemRead(
        id=item.id,
        team_id=item.team_id,
        kind=item.kind,
        status=item.status,
        text=item.text,
        reporter_id=item.reporter_id,
        reporter_name=item.reporter_name,
        owner_id=item.owner_id,
        owner_name=owner.display_name if owner else None,
        origin_platform=item.origin_platform,
        origin_chat=messages.origin_label(item),
        duplicate_of_id=item.duplicate_of_id,
        plus_ones=item.plus_ones,
        local_date=item.local_date,
        created_at=item.created_at,
        acknowledged_at=item.acknowledged_at,
        resolved_at=item.resolved_at,
        resolution_note=item.resolution_note,
        waiting_for_sign_in=item.digest_pending,
        acknowledge_seconds=times.acknowledge_wall,
        acknowledge_work_seconds=times.acknowledge_work,
        resolve_seconds=times.resolve_wall,
        resolve_work_seconds=times.resolve_work,
        work_provisional=times.provisional,
        work_provisional_years=list(times.provisional_years),
    )


def _teams(session: Session, principal: Principal) -> dict[int, Team]:
    return {t.id: t for t in team_service.get_teams(session, workspace_id=principal.workspace.id)}


def _filters(
    session: Session,
    principal: Principal,
    *,
    team_id: int | None,
    status: list[str] | None,
    kind: str | None,
    owner: str | None,
    reporter: str | None,
    date_from: date | None,
    date_to: date | None,
    q: str | None,
) -> FeedbackFilter:
    statuses = [s for value in status or [] for s in value.split(",") if s]
    known = {s.value for s in FeedbackStatus}
    unknown = [s for s in statuses if s not in known]
    if unknown:  # an unknown status is a clear error, not an empty page
        raise Invalid(
            "feedback.error.unknown_status", status=unknown[0][:40], known="、".join(sorted(known))
        )
    # reversed: refused as the report refuses it, not an empty page (tester s25 F-25)
    check_range(date_from, date_to, start="date_from", end="date_to")
    return FeedbackFilter(
        team_id=team_id,
        status=statuses,
        kind=kind,
        owner_id=_member(session, principal, owner).id if owner else None,
        reporter_id=_member(session, principal, reporter).id if reporter else None,
        date_from=date_from,
        date_to=date_to,
        text=q or None,
    )


def _restrict(
    session: Session, principal: Principal, runtime: Runtime, filters: FeedbackFilter
) -> FeedbackFilter:
    scope = flows.visibility(
        session,
        roster=runtime.ports.get(Roster),
        workspace_id=principal.workspace.id,
        member=principal.member,
        now=runtime.clock(),
    )
    return replace(filters, scope=scope)


StatusQ = Annotated[list[str] | None, Query(description="open, acknowledged, resolved, ...")]
KindQ = Annotated[str | None, Query(pattern="^(bug|suggestion)$")]
HandleQ = Annotated[str | None, Query(max_length=64)]
TextQ = Annotated[str | None, Query(max_length=200)]


@router.get("/items", response_model=FeedbackPage)
def list_items(
    session: SessionDep,
    principal: PrincipalDep,
    team_id: Id | None = None,
    status: StatusQ = None,
    kind: KindQ = None,
    owner: HandleQ = None,
    reporter: HandleQ = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    q: TextQ = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    *,
    runtime: RuntimeDep,
) -> FeedbackPage:
    """Search items: status, type, owner, reporter, local date range, text.

    A member sees the items of the teams whose desk they work (on duty, lead, admin there)
    and, in any team, the items they reported or own (``flows.visibility``).
    """
    filters = _restrict(
        session,
        principal,
        runtime,
        _filters(
            session,
            principal,
            team_id=team_id,
            status=status,
            kind=kind,
            owner=owner,
            reporter=reporter,
            date_from=date_from,
            date_to=date_to,
            q=q,
        ),
    )
    found = feedback_queries.find(
        session, workspace_id=principal.workspace.id, filters=filters, limit=limit, offset=offset
    )
    items, total = found.items, found.total
    teams = _teams(session, principal)
    people = team_service.members_by_id(session, (i.owner_id for i in items))
    return FeedbackPage(
        total=total,
        # A total counted within a search window is a floor, not exact: older matches may be
        # missing (tester F14, session 20: ``total_exact: true`` with 1 of 3 found).
        total_exact=total <= offset + feedback_queries.COUNT_LIMIT and found.window is None,
        window=found.window,
        window_reason=found.window_reason,
        limit=limit,
        offset=offset,
        items=[_read(i, teams[i.team_id], people, runtime.ports.get(Workdays)) for i in items],
    )


@router.get("/items.csv", response_class=Response)
def export_items(
    session: SessionDep,
    principal: PrincipalDep,
    team_id: Id | None = None,
    status: StatusQ = None,
    kind: KindQ = None,
    owner: HandleQ = None,
    reporter: HandleQ = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    q: TextQ = None,
    *,
    runtime: RuntimeDep,
) -> Response:
    """The same search as CSV (UTF-8 with BOM, so spreadsheet programs read Chinese right)."""
    filters = _restrict(
        session,
        principal,
        runtime,
        _filters(
            session,
            principal,
            team_id=team_id,
            status=status,
            kind=kind,
            owner=owner,
            reporter=reporter,
            date_from=date_from,
            date_to=date_to,
            q=q,
        ),
    )
    text = feedback_export.export_csv(
        session,
        items=feedback_queries.iter_all(
            session, workspace_id=principal.workspace.id, filters=filters
        ),
        teams=_teams(session, principal),
        workdays=runtime.ports.get(Workdays),
    )
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="feedback.csv"'},
    )


@router.post("/items", response_model=FeedbackItemRead, status_code=201)
def submit(
    body: FeedbackCreate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team_id: Id | None = None,
) -> FeedbackItemRead:
    """Submit feedback as the signed-in member (routed and announced as in chat) to the team
    ``?team_id=`` names, as on every other router (the body's ``team_id`` is still read; the
    two naming different teams is refused, 400), else the caller's home team; the caller must
    be one of the team's people (403 ``core.error.not_in_team``)."""
    if team_id is not None and body.team_id is not None and team_id != body.team_id:
        raise DomainError("feedback.error.two_teams", query=team_id, body=body.team_id)
    team = team_of(session, principal, team_id if team_id is not None else body.team_id)
    require_team_person(session, principal, team)
    now = runtime.clock()
    done = flows.submit(
        session,
        roster=runtime.ports.get(Roster),
        team=team,
        reporter=principal.member,
        kind=body.kind,
        text=body.text,
        origin=Origin(platform="web", chat_key="api", chat_name="REST API"),
        now=now,
        reporter_name=None if principal.member else principal.username,
    )
    people = {done.owner.id: done.owner} if done.owner else {}
    return _read(done.item, team, people, runtime.ports.get(Workdays))


def _item_detail(
    session: Session, item: FeedbackItem, team: Team, workdays: Workdays
) -> FeedbackItemDetail:
    events = feedback_queries.history(session, item=item)
    people = team_service.members_by_id(
        session,
        [
            item.owner_id,
            *(e.actor_id for e in events),
            *(int((e.detail or {}).get("owner_id") or 0) or None for e in events),
        ],
    )
    base = _read(item, team, people, workdays)
    history = [
        FeedbackEventRead(
            action=e.action,
            label=plain_text(messages.action_label(e, people)),
            actor_id=e.actor_id,
            actor_name=people[e.actor_id].display_name if e.actor_id in people else None,
            note=e.note,
            detail=e.detail,
            at=e.at,
        )
        for e in events
    ]
    return FeedbackItemDetail(**base.model_dump(), history=history)


def _load(session: Session, principal: Principal, item_id: int) -> tuple[FeedbackItem, Team]:
    item = feedback_service.get(session, workspace_id=principal.workspace.id, item_id=item_id)
    team = team_service.get_team(session, workspace_id=principal.workspace.id, team_id=item.team_id)
    return item, team


@router.get("/items/{item_id}", response_model=FeedbackItemDetail)
def get_item(
    item_id: Id, session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep
) -> FeedbackItemDetail:
    """One item with its history (its reporter, or whoever may work it: as /反馈详情)."""
    item = access.get_visible(
        session,
        roster=runtime.ports.get(Roster),
        workspace_id=principal.workspace.id,
        item_id=item_id,
        member=principal.member,
        now=runtime.clock(),
    )
    team = team_service.get_team(session, workspace_id=principal.workspace.id, team_id=item.team_id)
    return _item_detail(session, item, team, runtime.ports.get(Workdays))


def _desk(
    session: Session, principal: Principal, runtime: RuntimeDep, item_id: int
) -> tuple[FeedbackItem, Team]:
    item, team = _load(session, principal, item_id)
    flows.require_desk(
        session,
        roster=runtime.ports.get(Roster),
        team=team,
        member=principal.member,
        now=runtime.clock(),
        item=item,
    )
    return item, team


@router.post("/items/{item_id}/acknowledge", response_model=FeedbackItemDetail)
def acknowledge(
    item_id: Id,
    body: FeedbackNote,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> FeedbackItemDetail:
    """open → acknowledged; the reporter is told."""
    item, team = _desk(session, principal, runtime, item_id)
    flows.acknowledge(
        session, item=item, actor=principal.member, now=runtime.clock(), note=body.note
    )
    return _item_detail(session, item, team, runtime.ports.get(Workdays))


@router.post("/items/{item_id}/resolve", response_model=FeedbackItemDetail)
def resolve(
    item_id: Id,
    body: FeedbackNote,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> FeedbackItemDetail:
    """Resolve with an optional note; the reporter is told."""
    item, team = _desk(session, principal, runtime, item_id)
    flows.close(
        session,
        item=item,
        status=FeedbackStatus.RESOLVED,
        actor=principal.member,
        now=runtime.clock(),
        note=body.note,
    )
    return _item_detail(session, item, team, runtime.ports.get(Workdays))


@router.post("/items/{item_id}/wont-fix", response_model=FeedbackItemDetail)
def wont_fix(
    item_id: Id,
    body: FeedbackNote,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> FeedbackItemDetail:
    """Close as won't fix; the reporter is told."""
    item, team = _desk(session, principal, runtime, item_id)
    flows.close(
        session,
        item=item,
        status=FeedbackStatus.WONT_FIX,
        actor=principal.member,
        now=runtime.clock(),
        note=body.note,
    )
    return _item_detail(session, item, team, runtime.ports.get(Workdays))


@router.post("/items/{item_id}/duplicate", response_model=FeedbackItemDetail)
def duplicate(
    item_id: Id,
    body: FeedbackDuplicate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> FeedbackItemDetail:
    """Close as a duplicate of ``original_id`` (its "+1" count goes up)."""
    item, team = _desk(session, principal, runtime, item_id)
    original = feedback_service.get(
        session, workspace_id=principal.workspace.id, item_id=body.original_id
    )
    flows.mark_duplicate(
        session,
        item=item,
        original=original,
        actor=principal.member,
        now=runtime.clock(),
        note=body.note,
    )
    return _item_detail(session, item, team, runtime.ports.get(Workdays))


@router.post("/items/{item_id}/reopen", response_model=FeedbackItemDetail)
def reopen(
    item_id: Id,
    body: FeedbackNote,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> FeedbackItemDetail:
    """Reopen a closed item."""
    item, team = _desk(session, principal, runtime, item_id)
    flows.reopen(session, item=item, actor=principal.member, now=runtime.clock(), note=body.note)
    return _item_detail(session, item, team, runtime.ports.get(Workdays))


@router.post("/items/{item_id}/assign", response_model=FeedbackItemDetail)
def assign(
    item_id: Id,
    body: FeedbackAssign,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> FeedbackItemDetail:
    """Assign or reassign; the new owner is told."""
    item, team = _desk(session, principal, runtime, item_id)
    owner = _member(session, principal, body.owner)
    flows.assign(
        session, item=item, owner=owner, actor=principal.member, now=runtime.clock(), note=body.note
    )
    read = _item_detail(session, item, team, runtime.ports.get(Workdays))
    read.warnings = messages.leaves(owner, team)
    return read


@router.get("/report", response_model=FeedbackReportRead)
def report(
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    team_id: Id | None = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
) -> FeedbackReportRead:
    """Items per day by type, median response times (wall and working), load per person.

    Defaults to the last 30 days of the team's local calendar. Only the team's people read
    it (403 ``feedback.error.forbidden``).
    """
    team = team_of(session, principal, team_id)
    access.require_team_reader(session, team=team, member=principal.member)
    today = local(runtime.clock(), team.timezone).date()
    end = date_to or today
    start = date_from or end - timedelta(days=29)
    check_range(start, end, start="date_from", end="date_to")
    data = feedback_stats.aggregate(
        session, team=team, date_from=start, date_to=end, workdays=runtime.ports.get(Workdays)
    )
    return FeedbackReportRead(
        team_id=team.id,
        date_from=data.date_from,
        date_to=data.date_to,
        total=data.total,
        per_day=data.per_day,
        by_status=data.by_status,
        median_acknowledge_seconds=data.median_acknowledge_wall,
        median_acknowledge_work_seconds=data.median_acknowledge_work,
        median_resolve_seconds=data.median_resolve_wall,
        median_resolve_work_seconds=data.median_resolve_work,
        load=[LoadRead(**vars(row)) for row in data.load],
        work_provisional=data.provisional,
        work_provisional_years=data.provisional_years,
    )


def _settings_read(team: Team) -> FeedbackSettingsRead:
    desk = feedback_settings.desk_settings(team)
    return FeedbackSettingsRead(
        team_id=team.id,
        default_owner=desk.default_owner,
        renotify_minutes=desk.renotify_minutes,
        escalate_minutes=desk.escalate_minutes,
        work_hours=[desk.work_hours.start.strftime("%H:%M"), desk.work_hours.end.strftime("%H:%M")],
        escalate_in_quiet_hours=desk.escalate_in_quiet_hours,
    )


@router.get("/settings", response_model=FeedbackSettingsRead)
def get_desk_settings(
    session: SessionDep, principal: PrincipalDep, team_id: Id | None = None
) -> FeedbackSettingsRead:
    """The desk's settings: fallback owner, re-notice and escalation delays, working hours;
    for the team's people (403 ``feedback.error.forbidden``)."""
    team = team_of(session, principal, team_id)
    access.require_team_reader(session, team=team, member=principal.member)
    return _settings_read(team)


@router.patch("/settings", dependencies=[ADMIN_GATE], response_model=FeedbackSettingsRead)
def patch_desk_settings(
    body: FeedbackSettingsUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    team_id: Id | None = None,
) -> FeedbackSettingsRead:
    """Change the desk's settings (admin only); ``null`` restores a default, a bad value or an
    unknown key changes nothing."""
    team = team_of(session, principal, team_id)
    require_admin(session, principal, team)
    feedback_settings.update_desk(session, team=team, changes=body.model_dump(exclude_unset=True))
    return _settings_read(team)
