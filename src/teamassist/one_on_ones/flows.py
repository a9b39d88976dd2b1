"""What a chat command, a REST call and a page do alike: resolve a pair between two people
(creating it when the caller may arrange), plan it, and assemble what one viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from teamassist.exceptions import NotFound
from teamassist.one_on_ones import agenda, prep, service
from teamassist.one_on_ones.models import AgendaItem, OneOnOne, OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team


@dataclass(frozen=True)
class View:
    """A pair as ``viewer`` sees it: ``items``/``prep`` None for a non-party (an admin); the
    prep pack is on the pair's report, for both of them."""

    pair: OneOnOne
    upcoming: list[OneOnOneMeeting]
    items: list[AgendaItem] | None
    prep: prep.Prep | None
    names: dict[int, str]
    held_at: datetime | None  # the last occurrence held (UTC): open items older carry over


def pair_with(
    session: Session, *, team: Team, me: Member, other: Member, admin: bool, create: bool
) -> OneOnOne:
    """The pair of ``me`` and ``other``; created (``me`` as manager) when ``create``
    (``PermissionDenied`` unless ``me`` may, :func:`service.may_create`); ``NotFound`` else."""
    found = service.between(session, team=team, one=me, other=other)
    if found is not None:
        return found
    if create:
        return service.create(session, team=team, manager=me, report=other, by=me, admin=admin)
    raise NotFound("one_on_ones.error.no_pair", name=other.display_name)


def find_pair(
    session: Session, *, team: Team, me: Member, other: Member
) -> tuple[OneOnOne, Team] | None:
    """The pair of ``me`` and ``other`` and *its* team: in ``team`` (the chat's) first, else in
    another team of the workspace. A person of two teams speaks to the bot in one of them (a
    DM lands in their first team); the pair of the other was out of their reach in chat, and
    so was cancelling a meeting of it (tester 2, session 18)."""
    found = service.between(session, team=team, one=me, other=other)
    if found is not None:
        return found, team
    elsewhere = session.scalar(
        select(OneOnOne)
        .where(
            OneOnOne.workspace_id == team.workspace_id,
            or_(
                (OneOnOne.manager_id == me.id) & (OneOnOne.report_id == other.id),
                (OneOnOne.manager_id == other.id) & (OneOnOne.report_id == me.id),
            ),
        )
        .order_by(OneOnOne.id)
        .limit(1)
    )
    if elsewhere is None:
        return None
    theirs = session.get(Team, elsewhere.team_id)
    assert theirs is not None  # a foreign key
    return elsewhere, theirs


def team_of_meeting(session: Session, *, team: Team, meeting_id: int) -> Team:
    """The team of occurrence ``meeting_id`` in ``team``'s workspace (``team`` itself when there
    is none, so the lookup that follows answers NotFound as for any other number)."""
    return _team_by_id(
        session, team, select(OneOnOneMeeting.team_id).where(OneOnOneMeeting.id == meeting_id)
    )


def team_of_item(session: Session, *, team: Team, item_id: int) -> Team:
    """The team of agenda item ``item_id`` (through its pair), as :func:`team_of_meeting`."""
    return _team_by_id(
        session,
        team,
        select(OneOnOne.team_id)
        .join(AgendaItem, AgendaItem.pair_id == OneOnOne.id)
        .where(AgendaItem.id == item_id),
    )


def _team_by_id(session: Session, team: Team, query: Select[int]) -> Team:
    team_id = session.scalar(query)
    if team_id is None or team_id == team.id:
        return team
    found = session.get(Team, team_id)
    return found if found is not None and found.workspace_id == team.workspace_id else team


def teams_of(session: Session, pairs: list[OneOnOne]) -> list[Team]:
    """The teams ``pairs`` belong to."""
    ids = sorted({p.team_id for p in pairs})
    return list(session.scalars(select(Team).where(Team.id.in_(ids)))) if ids else []


def names(session: Session, pairs: list[OneOnOne], extra: tuple[int, ...] = ()) -> dict[int, str]:
    """Display names of the pairs' people (and ``extra`` ids)."""
    ids = [i for p in pairs for i in (p.manager_id, p.report_id)] + list(extra)
    return team_service.names_by_id(session, ids)


def view(
    session: Session,
    *,
    team: Team,
    pair: OneOnOne,
    viewer: Member | None,
    now: datetime,
    workdays: Workdays,
    with_prep: bool = True,
) -> View:
    """Plan ``pair`` ahead and gather what ``viewer`` may see of it."""
    service.replan(session, team=team, pair=pair, now=now, workdays=workdays)
    upcoming = service.upcoming(session, pair=pair, now=now)
    party = service.is_party(pair, viewer)
    items: list[AgendaItem] | None = None
    pack: prep.Prep | None = None
    last = service.last_held(session, pair=pair, now=now)
    if party and viewer is not None:
        nxt = next((m for m in upcoming if m.status == service.SCHEDULED), None)
        items = agenda.for_meeting(session, pair=pair, meeting=nxt, viewer=viewer)
        if with_prep:
            pack = prep.build(
                session,
                team=team,
                # always the report's: both prepare the same talk, and a manager's own
                # goals are not the report's to read; the report's goals only reach a
                # viewer the careers rules let read them (CareerGoals checks the asker)
                person_id=pair.report_id,
                viewer=viewer,
                since=last.start_at if last else None,
                now=now,
            )
    authors = tuple(i.author_id for i in items or [])
    held_at = last.start_at if last else None
    return View(pair, upcoming, items, pack, names(session, [pair], authors), held_at)


def mine(
    session: Session,
    *,
    team: Team,
    viewer: Member | None,
    admin: bool,
    now: datetime,
    workdays: Workdays,
    everywhere: bool = False,
) -> list[tuple[OneOnOne, OneOnOneMeeting | None]]:
    """The pairs ``viewer`` sees (default pairs made first), each with its next occurrence:
    ``team``'s (every pair for its ``admin``), then with ``everywhere`` the viewer's own pairs
    of their other teams (chat, where they speak from one team)."""
    service.ensure_default_pairs(session, team=team)
    rows = []
    for pair in service.visible_pairs(session, team=team, viewer=viewer, admin=admin):
        service.replan(session, team=team, pair=pair, now=now, workdays=workdays)
        rows.append((pair, service.next_meeting(session, pair=pair, now=now)))
    if everywhere and viewer is not None:
        for pair in service.pairs_of(session, member=viewer, besides=team):
            theirs = session.get(Team, pair.team_id)
            assert theirs is not None  # a foreign key
            service.replan(session, team=theirs, pair=pair, now=now, workdays=workdays)
            rows.append((pair, service.next_meeting(session, pair=pair, now=now)))
    return rows


def meeting_of(
    session: Session,
    *,
    team: Team,
    meeting_id: int,
    viewer: Member | None,
    admin: bool,
    lock: bool = False,
) -> tuple[OneOnOne, OneOnOneMeeting]:
    """An occurrence by the number people type, with its pair, when ``viewer`` may see the
    pair (a party or an admin); ``NotFound`` ``one_on_ones.error.meeting_not_found`` else,
    the same for one that does not exist. ``lock`` takes the occurrence's row lock."""
    pair_id = session.scalar(
        select(OneOnOneMeeting.pair_id).where(
            OneOnOneMeeting.id == meeting_id, OneOnOneMeeting.team_id == team.id
        )
    )
    pair = session.get(OneOnOne, pair_id) if pair_id is not None else None
    if pair is None or pair.team_id != team.id or not (service.is_party(pair, viewer) or admin):
        raise NotFound("one_on_ones.error.meeting_not_found", id=meeting_id)
    return pair, service.get_meeting(session, pair=pair, meeting_id=meeting_id, lock=lock)


def item_of(
    session: Session, *, team: Team, item_id: int, viewer: Member | None
) -> tuple[OneOnOne, AgendaItem]:
    """An item by its number among the pairs ``viewer`` is a party of; ``NotFound`` else."""
    pair_id = session.scalar(select(AgendaItem.pair_id).where(AgendaItem.id == item_id))
    pair = session.get(OneOnOne, pair_id) if pair_id is not None else None
    if pair is None or pair.team_id != team.id or not service.is_party(pair, viewer):
        raise NotFound("one_on_ones.error.item_not_found", id=item_id)
    return pair, agenda.get(session, pair=pair, item_id=item_id, viewer=viewer)
