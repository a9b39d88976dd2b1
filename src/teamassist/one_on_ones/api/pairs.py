"""``/api/v1/one-on-ones``: the caller's pairs; one pair with its occurrences, the caller's
agenda and the prep pack; create/patch a pair and its slot; add, check and turn agenda items
into action items; move or cancel an occurrence; its ``.ics`` invitation.

A pair the caller may not see answers 404 like a missing one; an admin who is no party sees
the schedule (``agenda`` and ``prep`` null), never an item.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.responses import Response

from teamassist.clock import ensure_utc
from teamassist.exceptions import Invalid, NotFound, PermissionDenied
from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import Id, NowDep, PrincipalDep, RuntimeDep, SessionDep, TeamDep
from teamassist.http.routes import Routes
from teamassist.one_on_ones import agenda, changes, flows, ical, messages, rules, service
from teamassist.one_on_ones.models import OneOnOne
from teamassist.one_on_ones.schemas import (
    ActionCreate,
    CancelBody,
    ItemCreate,
    ItemRead,
    MeetingRead,
    MoveBody,
    MovedRead,
    PairCreate,
    PairDetail,
    PairPatch,
    PairRead,
    SlotBody,
    SlotChanged,
)
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.weblinks import require_web_link

router = Routes(prefix="/one-on-ones", tags=["one-on-ones"])
ICAL_MEDIA_TYPE = "text/calendar; charset=utf-8; method="


def _pair(
    session: SessionDep, principal: Principal, team: Team, pair_id: int, lock: bool = False
) -> OneOnOne:
    admin = is_admin(session, principal, team)
    return service.get(
        session, team=team, pair_id=pair_id, viewer=principal.member, admin=admin, lock=lock
    )


def _member(principal: Principal) -> Member:
    if principal.member is None:  # the workspace owner acting as nobody writes no agenda
        raise PermissionDenied("one_on_ones.error.not_arranger")
    return principal.member


def _slot(body: SlotBody) -> service.SlotIn:
    return service.SlotIn(
        rules.Cadence(body.cadence),
        body.weekday,
        body.at,
        body.nth,
        rules.HolidayPolicy(body.holiday),
    )


def _person(session: SessionDep, team: Team, member_id: int) -> Member:
    found = team_service.members_by_id(session, [member_id]).get(member_id)
    if found is None or found.workspace_id != team.workspace_id:
        # no such person: 404, not the 403 of a refusal (tester F12, session 21)
        raise NotFound("one_on_ones.error.no_person", id=member_id)
    return found


@router.get("")
def list_pairs(
    session: SessionDep, principal: PrincipalDep, team: TeamDep, now: NowDep, runtime: RuntimeDep
) -> list[PairRead]:
    """The caller's pairs (every pair of the team for an admin: the schedule only)."""
    rows = flows.mine(
        session,
        team=team,
        viewer=principal.member,
        admin=is_admin(session, principal, team),
        now=now,
        workdays=runtime.ports.get(Workdays),
    )
    return [PairRead.of(pair) for pair, _ in rows]


@router.post("", status_code=201)
def create_pair(
    body: PairCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    runtime: RuntimeDep,
) -> PairDetail:
    """A new pair (an admin or the director); 409 when these two have one."""
    video_url = require_web_link(body.video_url)  # before anything is made (tester s23 F9)
    admin = is_admin(session, principal, team)
    # An unknown report is 404 before "no director": naming a manager would only lead to
    # the second error (tester 2 F8, session 21).
    report = _person(session, team, body.report_id)
    manager_id = body.manager_id or team.director_id
    if manager_id is None:  # the pair's manager is the director unless named
        raise Invalid("one_on_ones.error.no_director", team=team.name)
    pair = service.create(
        session,
        team=team,
        manager=_person(session, team, manager_id),
        report=report,
        by=principal.member,
        admin=admin,
    )
    pair.place, pair.video_url = body.place, video_url
    workdays = runtime.ports.get(Workdays)
    if body.slot is not None:
        service.set_slot(
            session,
            team=team,
            pair=pair,
            slot=_slot(body.slot),
            by=principal.member,
            admin=admin,
            now=now,
            workdays=workdays,
        )
    seen = flows.view(
        session, team=team, pair=pair, viewer=principal.member, now=now, workdays=workdays
    )
    return PairDetail.of_view(seen)


@router.get("/{pair_id}")
def get_pair(
    pair_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    runtime: RuntimeDep,
) -> PairDetail:
    """The pair, its next occurrences, the caller's agenda and the prep pack."""
    pair = _pair(session, principal, team, pair_id)
    seen = flows.view(
        session,
        team=team,
        pair=pair,
        viewer=principal.member,
        now=now,
        workdays=runtime.ports.get(Workdays),
    )
    return PairDetail.of_view(seen)


@router.patch("/{pair_id}")
def patch_pair(
    pair_id: Id,
    body: PairPatch,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    runtime: RuntimeDep,
) -> SlotChanged:
    """Change the slot, place, video link or length (an admin, the director or a party); a
    new slot says what became of the occurrences moved by hand (``kept``, ``dropped``,
    ``warnings``)."""
    pair = _pair(session, principal, team, pair_id, lock=True)
    admin = is_admin(session, principal, team)
    if not (
        service.may_arrange(team, principal.member, admin=admin)
        or service.is_party(pair, principal.member)
    ):
        raise PermissionDenied("one_on_ones.error.not_arranger")
    video_url = None if body.video_url is None else require_web_link(body.video_url)
    workdays = runtime.ports.get(Workdays)
    if body.place is not None:
        pair.place = body.place
    if video_url is not None:
        pair.video_url = video_url
    if body.duration_minutes is not None:
        pair.duration_minutes = body.duration_minutes
    change = None
    if body.slot is not None:
        change = service.set_slot(
            session,
            team=team,
            pair=pair,
            slot=_slot(body.slot),
            by=principal.member,
            admin=admin,
            now=now,
            workdays=workdays,
        )
    session.flush()
    seen = flows.view(
        session, team=team, pair=pair, viewer=principal.member, now=now, workdays=workdays
    )
    detail = PairDetail.of_view(seen).model_dump()
    if change is None:
        return SlotChanged(**detail)
    return SlotChanged(
        **detail,
        kept=[MeetingRead.of(m) for m in change.kept],
        dropped=[MeetingRead.of(d.meeting) for d in change.dropped],
        warnings=[
            *messages.moved_kept(team, change, now=now, how=messages.How(pair.id)),
            *messages.leaving(
                team,
                service.leavers(session, pair),
                has_next=service.next_meeting(session, pair=pair, now=now) is not None,
            ),
        ],
    )


@router.post("/{pair_id}/agenda", status_code=201)
def add_item(
    pair_id: Id,
    body: ItemCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    runtime: RuntimeDep,
) -> ItemRead:
    """Add an item (a party only; an admin who is none gets 404 as for any pair not theirs)."""
    pair = _pair(session, principal, team, pair_id)
    service.replan(session, team=team, pair=pair, now=now, workdays=runtime.ports.get(Workdays))
    item = agenda.add(
        session,
        pair=pair,
        author=_member(principal),
        text=body.text,
        private=body.private,
        now=now,
    )
    return ItemRead.of(item, _held_at(session, pair, now))


@router.post("/{pair_id}/agenda/{item_id}/check")
def check_item(
    pair_id: Id,
    item_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> ItemRead:
    """Check an item off; 409 when it already is."""
    pair = _pair(session, principal, team, pair_id)
    item = agenda.get(session, pair=pair, item_id=item_id, viewer=principal.member)
    agenda.check(session, pair=pair, item=item, by=_member(principal), now=now)
    return ItemRead.of(item, _held_at(session, pair, now))


@router.post("/{pair_id}/agenda/{item_id}/action")
def item_to_action(
    pair_id: Id,
    item_id: Id,
    body: ActionCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> ItemRead:
    """Turn a shared item into an action item (owner: ``owner_id``, else the other person)."""
    pair = _pair(session, principal, team, pair_id)
    item = agenda.get(session, pair=pair, item_id=item_id, viewer=principal.member)
    owner = _person(session, team, body.owner_id) if body.owner_id is not None else None
    turned = agenda.to_action(
        session,
        team=team,
        pair=pair,
        item=item,
        by=_member(principal),
        owner=owner,
        due=body.due,
        now=now,
    )
    read = ItemRead.of(item, _held_at(session, pair, now))
    read.warnings = turned.warnings
    return read


def _held_at(session: SessionDep, pair: OneOnOne, now: datetime) -> datetime | None:
    last = service.last_held(session, pair=pair, now=now)
    return last.start_at if last else None


def _aware(value: datetime, team: Team) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(team.timezone))


@router.post("/{pair_id}/meetings/{meeting_id}/move")
def move_meeting(
    pair_id: Id,
    meeting_id: Id,
    body: MoveBody,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    runtime: RuntimeDep,
) -> MovedRead:
    """Move one occurrence (a party or an admin); it keeps its agenda. Onto a weekend or a
    holiday it is moved and ``warnings`` says so (naming these endpoints, never a chat
    command); onto the pair's other occurrence: 409. To the time and note it already has:
    ``changed`` false, no warnings (a repeat is not a second move, tester s28 E-7)."""
    pair = _pair(session, principal, team, pair_id)
    meeting = service.get_meeting(session, pair=pair, meeting_id=meeting_id, lock=True)
    day = body.start.date() if isinstance(body.start, datetime) else body.start
    changes.check_year(day, team=team, now=now)  # 0001-01-01T00:00+01:00 is "past", not a 422
    start_at = (
        _aware(body.start, team)
        if isinstance(body.start, datetime)
        else changes.start_on(team, meeting, body.start)
    )
    # read after the occurrence's lock, as chat reads it: a repeat that waited sees the first
    same = ensure_utc(meeting.start_at) == ensure_utc(start_at) and meeting.note == (
        body.note or None
    )
    warnings = changes.reschedule(
        session,
        team=team,
        pair=pair,
        meeting=meeting,
        start_at=start_at,
        by=principal.member,
        admin=is_admin(session, principal, team),
        now=now,
        workdays=runtime.ports.get(Workdays),
        note=body.note,
        how=messages.How(pair.id),
    )
    if same:
        return MovedRead.of_move(meeting, [], changed=False)
    return MovedRead.of_move(meeting, warnings)


@router.post("/{pair_id}/meetings/{meeting_id}/cancel")
def cancel_meeting(
    pair_id: Id,
    meeting_id: Id,
    body: CancelBody,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> MeetingRead:
    """Cancel one occurrence; its open items go to the next one."""
    pair = _pair(session, principal, team, pair_id)
    meeting = service.get_meeting(session, pair=pair, meeting_id=meeting_id, lock=True)
    service.cancel(
        session,
        pair=pair,
        meeting=meeting,
        by=principal.member,
        admin=is_admin(session, principal, team),
        now=now,
        note=body.note,
    )
    return MeetingRead.of(meeting)


@router.get("/{pair_id}/meetings/{meeting_id}/invite.ics")
def invitation(
    pair_id: Id,
    meeting_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
) -> Response:
    """The occurrence's iCalendar invitation (REQUEST, or CANCEL once cancelled)."""
    pair = _pair(session, principal, team, pair_id)
    meeting = service.get_meeting(session, pair=pair, meeting_id=meeting_id)
    names = flows.names(session, [pair])
    body = ical.invitation(pair, meeting, title=messages.title(pair, names), names=names, now=now)
    method = "CANCEL" if meeting.status == service.CANCELLED else "REQUEST"
    return Response(content=body, media_type=ICAL_MEDIA_TYPE + method)
