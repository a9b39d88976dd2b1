"""The feedback desk in the dashboard: the board (filters, pages, CSV link), an item's page with
its history and the desk's actions, and the report page with its charts.

Every action calls the same flow function and the same permission check (``flows.require_desk``)
as the chat commands and the REST API. A refused action changes nothing: the transaction is rolled
back and the page is shown again with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from math import ceil
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat.types import plain_text
from teamassist.clock import local
from teamassist.exceptions import DomainError, NotFound, PermissionDenied
from teamassist.feedback import access, flows, messages, settings_page
from teamassist.feedback import queries as feedback_queries
from teamassist.feedback import service as feedback_service
from teamassist.feedback import stats as feedback_stats
from teamassist.feedback.models import (
    ACTIVE_STATUSES,
    FeedbackItem,
    FeedbackKind,
    FeedbackStatus,
)
from teamassist.feedback.queries import FeedbackFilter
from teamassist.feedback.service import MAX_NOTE
from teamassist.http.auth import Principal
from teamassist.http.deps import RuntimeDep, SessionDep
from teamassist.http.fields import Id
from teamassist.http.render import PagePrincipal, render
from teamassist.http.routes import Routes
from teamassist.i18n import t
from teamassist.ports import Ports, Roster, Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

router = Routes(prefix="/feedback", include_in_schema=False)

PAGE_SIZE = 25
FILTER_FIELDS = ("status", "kind", "owner", "reporter", "date_from", "date_to", "q")
ACTIVE = ",".join(s.value for s in ACTIVE_STATUSES)
MAX_QUERY = 200


# -- the board ---------------------------------------------------------------------------------


@dataclass
class BoardQuery:
    """The board's filter form as typed (to show it again) and as understood."""

    values: dict[str, str]
    filters: FeedbackFilter
    errors: list[str] = field(default_factory=list)
    page: int = 1

    def query_string(self, **extra: object) -> str:
        """The filters as a query string (the CSV link and the page links use the same)."""
        params = {k: v for k, v in self.values.items() if v}
        params.update({k: str(v) for k, v in extra.items()})
        return urlencode(params)


def _date(value: str, errors: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(t("feedback_web.board.bad_date", value=value))
        return None


def _handle(session: Session, workspace_id: int, value: str, errors: list[str]) -> int | None:
    if not value:
        return None
    member = team_service.get_member_by_handle(session, workspace_id=workspace_id, handle=value)
    if member is None:
        errors.append(t("feedback_web.board.unknown_member", value=value))
        return None
    return member.id


def parse_board(session: Session, principal: Principal, request: Request) -> BoardQuery:
    """Read the filter form; anything not understood becomes a message, not an error page."""
    params = request.query_params
    values = {name: (params.get(name) or "").strip()[:MAX_QUERY] for name in FILTER_FIELDS}
    errors: list[str] = []
    statuses = [s for s in values["status"].split(",") if s]
    known = {s.value for s in FeedbackStatus}
    for status in statuses:
        if status not in known:
            errors.append(t("feedback_web.board.bad_status", value=status))
    kind = values["kind"] or None
    if kind is not None and kind not in {k.value for k in FeedbackKind}:
        errors.append(t("feedback_web.board.bad_kind", value=kind))
    workspace_id = principal.workspace.id
    filters = FeedbackFilter(
        status=statuses,
        kind=kind,
        owner_id=_handle(session, workspace_id, values["owner"], errors),
        reporter_id=_handle(session, workspace_id, values["reporter"], errors),
        date_from=_date(values["date_from"], errors),
        date_to=_date(values["date_to"], errors),
        text=values["q"] or None,
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append(t("feedback_web.board.bad_range"))
    page_raw = params.get("page") or "1"
    page = int(page_raw) if page_raw.isdigit() and 0 < int(page_raw) < 10**6 else 1
    return BoardQuery(values=values, filters=filters, errors=errors, page=page)


def _status_options() -> list[tuple[str, str]]:
    return [("", t("feedback_web.everyone")), (ACTIVE, t("feedback_web.all_open"))] + [
        (s.value, t(f"feedback.status.{s.value}")) for s in FeedbackStatus
    ]


def _kind_options() -> list[tuple[str, str]]:
    return [("", t("feedback_web.everyone"))] + [
        (k.value, t(f"feedback.kind.{k.value}")) for k in FeedbackKind
    ]


@router.get("", response_class=HTMLResponse)
def board(
    request: Request, session: SessionDep, principal: PagePrincipal, runtime: RuntimeDep
) -> HTMLResponse:
    """Items matching the filters, newest first; HTMX asks for the results table alone."""
    query = parse_board(session, principal, request)
    items: list[FeedbackItem] = []
    total = 0
    window: int | None = None
    window_reason: str | None = None
    # The teams whose desk they work, and their own items elsewhere (as in chat and REST).
    scope = flows.visibility(
        session,
        roster=runtime.ports.get(Roster),
        workspace_id=principal.workspace.id,
        member=principal.member,
        now=runtime.clock(),
    )
    filters = replace(query.filters, scope=scope)
    if not query.errors:
        found = feedback_queries.find(
            session,
            workspace_id=principal.workspace.id,
            filters=filters,
            limit=PAGE_SIZE,
            offset=(query.page - 1) * PAGE_SIZE,
        )
        items, total, window = found.items, found.total, found.window
        window_reason = found.window_reason
    people = team_service.members_by_id(session, (i.owner_id for i in items))
    teams = {x.id: x for x in team_service.get_teams(session, workspace_id=principal.workspace.id)}
    context: dict[str, Any] = {
        "query": query,
        "items": items,
        "total": feedback_queries.count_label(total, (query.page - 1) * PAGE_SIZE),
        "pages": max(1, ceil(total / PAGE_SIZE)),
        "window": window,
        "window_reason": window_reason,
        "people": people,
        "teams": teams,
        "local": local,
        "snippet": messages.one_line,
        "csv_url": "/api/v1/feedback/items.csv"
        + (f"?{query.query_string()}" if query.query_string() else ""),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "feedback/_results.html", principal, **context)
    return render(
        request,
        "feedback/board.html",
        principal,
        members=_filter_people(session, principal),
        status_options=_status_options(),
        kind_options=_kind_options(),
        **context,
    )


def _filter_people(session: Session, principal: Principal) -> list[Member]:
    """Whom the board's 跟进人 / 反馈人 filters offer: the people of the teams the caller reads
    (is in or directs), the caller among them; everyone for the workspace owner. They listed
    the whole workspace: team 2's board named team 1's people (tester s25 F-B7)."""
    if principal.member is None:
        return team_service.get_members(session, workspace_id=principal.workspace.id)
    teams = team_service.readable_team_ids(session, member=principal.member)
    found = team_service.members_of_teams(session, team_ids=teams)
    if all(m.id != principal.member.id for m in found):
        found.append(principal.member)
    return found


# -- one item ----------------------------------------------------------------------------------


def _may_act(
    session: Session,
    principal: Principal,
    team: Team,
    item: FeedbackItem,
    now: datetime,
    roster: Roster,
) -> bool:
    try:
        flows.require_desk(
            session, roster=roster, team=team, member=principal.member, now=now, item=item
        )
    except PermissionDenied:
        return False
    return True


def _item_page(
    request: Request,
    session: Session,
    principal: Principal,
    now: datetime,
    item_id: Id,
    ports: Ports,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    try:
        item = access.get_visible(
            session,
            roster=ports.get(Roster),
            workspace_id=principal.workspace.id,
            item_id=item_id,
            member=principal.member,
            now=now,
        )
    except (NotFound, PermissionDenied) as exc:
        return _missing(request, principal, exc)
    team = team_service.get_team(session, workspace_id=principal.workspace.id, team_id=item.team_id)
    events = feedback_queries.history(session, item=item)
    duplicates = list(
        session.scalars(
            select(FeedbackItem)
            .where(FeedbackItem.duplicate_of_id == item.id)
            .order_by(FeedbackItem.id)
        )
    )
    people = team_service.members_by_id(
        session,
        [
            item.owner_id,
            item.reporter_id,
            *(e.actor_id for e in events),
            *(int((e.detail or {}).get("owner_id") or 0) or None for e in events),
        ],
    )
    history = [
        {
            "at": local(e.at, team.timezone),
            "actor": people[e.actor_id].display_name
            if e.actor_id in people
            else t("feedback.action.system"),
            "label": plain_text(messages.action_label(e, people)),
            "note": e.note,
            "action": e.action,
        }
        for e in events
    ]
    times = feedback_stats.response_times(item, team=team, workdays=ports.get(Workdays))
    members = team_service.get_members(session, workspace_id=principal.workspace.id)
    response = render(
        request,
        "feedback/item.html",
        principal,
        item=item,
        origin=messages.origin_label(item),
        team=team,
        owner=people.get(item.owner_id) if item.owner_id is not None else None,
        history=history,
        duplicates=duplicates,
        created_local=local(item.created_at, team.timezone),
        ack_local=local(item.acknowledged_at, team.timezone) if item.acknowledged_at else None,
        resolved_local=local(item.resolved_at, team.timezone) if item.resolved_at else None,
        ack_time=messages.duration(times.acknowledge_wall),
        ack_work=messages.duration(times.acknowledge_work),
        resolve_time=messages.duration(times.resolve_wall),
        resolve_work=messages.duration(times.resolve_work),
        work_provisional=messages.provisional_note(times.provisional_years),
        active=item.status in ACTIVE_STATUSES,
        may_act=_may_act(session, principal, team, item, now, ports.get(Roster)),
        members=[m for m in members if m.active],
        error=error,
        done=request.query_params.get("done") == "1" and error is None,
        max_note=MAX_NOTE,
    )
    response.status_code = status_code
    return response


def _missing(request: Request, principal: Principal, exc: DomainError) -> HTMLResponse:
    response = render(request, "feedback/missing.html", principal, message=exc.message())
    response.status_code = exc.status_code
    return response


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(
    item_id: Id,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
) -> HTMLResponse:
    """One item exactly as written, who reported and follows it, its whole history."""
    return _item_page(request, session, principal, runtime.clock(), item_id, runtime.ports)


ACTIONS = ("acknowledge", "resolve", "wont_fix", "reopen", "assign")


def _apply(
    session: Session,
    principal: Principal,
    now: datetime,
    item: FeedbackItem,
    action: str,
    note: str | None,
    owner_handle: str,
) -> None:
    actor: Member | None = principal.member
    if action == "acknowledge":
        flows.acknowledge(session, item=item, actor=actor, now=now, note=note)
    elif action == "resolve":
        flows.close(
            session, item=item, status=FeedbackStatus.RESOLVED, actor=actor, now=now, note=note
        )
    elif action == "wont_fix":
        flows.close(
            session, item=item, status=FeedbackStatus.WONT_FIX, actor=actor, now=now, note=note
        )
    elif action == "reopen":
        flows.reopen(session, item=item, actor=actor, now=now, note=note)
    elif action == "assign":
        owner = (
            team_service.get_member_by_handle(
                session, workspace_id=principal.workspace.id, handle=owner_handle.strip()
            )
            if owner_handle.strip()
            else None
        )
        if owner is None:
            raise NotFound("core.error.unknown_member", who=owner_handle.strip() or "-")
        flows.assign(session, item=item, owner=owner, actor=actor, now=now, note=note)
    else:
        raise DomainError("feedback_web.item.unknown_action")


@router.post("/items/{item_id}/{action}", response_model=None)
def act(
    item_id: Id,
    action: str,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    runtime: RuntimeDep,
    note: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
) -> Response:
    """Acknowledge, resolve, decline, reopen or assign, as on duty / owner / admin."""
    now = runtime.clock()
    try:
        item = feedback_service.get(session, workspace_id=principal.workspace.id, item_id=item_id)
    except NotFound as exc:
        return _missing(request, principal, exc)
    try:
        team = team_service.get_team(
            session, workspace_id=principal.workspace.id, team_id=item.team_id
        )
        flows.require_desk(
            session,
            roster=runtime.ports.get(Roster),
            team=team,
            member=principal.member,
            now=now,
            item=item,
        )
        _apply(session, principal, now, item, action, note or None, owner)
    except DomainError as exc:
        session.rollback()  # nothing of a refused action stays
        return _item_page(
            request,
            session,
            principal,
            now,
            item_id,
            runtime.ports,
            error=exc.message(),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/feedback/items/{item_id}?done=1", status_code=303)


# -- the report --------------------------------------------------------------------------------


@router.get("/report", response_class=HTMLResponse)
def report_page(
    request: Request, session: SessionDep, principal: PagePrincipal, runtime: RuntimeDep
) -> HTMLResponse:
    """Items per day by type, median times to acknowledge and resolve, load per person; of
    the teams one is in (REST's rule, ``access.require_team_reader``): another team named is
    refused (403), none named shows the first of one's own."""
    params = request.query_params
    teams = [
        x
        for x in team_service.get_teams(session, workspace_id=principal.workspace.id)
        if principal.member is None
        or team_service.role_of(session, team=x, member=principal.member) is not None
    ]
    team_raw = params.get("team_id") or ""
    team = next((x for x in teams if str(x.id) == team_raw), None)
    if team is None and team_raw:
        named = PermissionDenied("feedback.error.forbidden")
        return _missing(request, principal, named)
    team = team or (teams[0] if teams else None)
    errors: list[str] = []
    if team is None:
        return _missing(request, principal, NotFound("core.error.no_team", team="-"))
    today = local(runtime.clock(), team.timezone).date()
    end = _date((params.get("date_to") or "").strip(), errors) or today
    start = _date((params.get("date_from") or "").strip(), errors) or end - timedelta(days=29)
    if start > end:
        errors.append(t("feedback_web.board.bad_range"))
        start = end - timedelta(days=29)
    if (end - start).days >= feedback_stats.MAX_DAYS:
        errors.append(t("feedback_web.report.too_long", days=feedback_stats.MAX_DAYS))
        start = end - timedelta(days=feedback_stats.MAX_DAYS - 1)
    data = feedback_stats.aggregate(
        session, team=team, date_from=start, date_to=end, workdays=runtime.ports.get(Workdays)
    )
    return render(
        request,
        "feedback/report.html",
        principal,
        team=team,
        teams=teams,
        date_from=start,
        date_to=end,
        errors=errors,
        report=data,
        charts=feedback_stats.chart_data(data),
        duration=messages.duration,
        work_provisional=messages.provisional_note(data.provisional_years),
    )


router.include_router(settings_page.router)  # the desk's settings form (/feedback/settings)
