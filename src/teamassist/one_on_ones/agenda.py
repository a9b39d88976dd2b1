"""A pair's agenda: shared items both people read and add to, private notes (``private``)
only their author ever reads, checked off in the meeting; unchecked ones carry over.

Every read of items goes through :func:`visible` with the viewer, so a private item of the
other person is never loaded for a reply, a page, a REST body or a count. Admins are not
parties: they see a pair's schedule, never its agenda.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from teamassist.clock import ensure_utc, local
from teamassist.events import FollowUpNeeded, ask
from teamassist.exceptions import Conflict, Invalid, NotFound
from teamassist.i18n import t
from teamassist.one_on_ones import service
from teamassist.one_on_ones.models import SOURCE_KIND, AgendaItem, OneOnOne, OneOnOneMeeting
from teamassist.team import people as team_people
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text, gist

MAX_TEXT = 500
PRIVATE_WORDS = ("私密", "private", "#私密")


def split_private(text: str) -> tuple[str, bool]:
    """``text`` without a trailing ``私密`` / ``private`` marker, and whether it had one."""
    words = text.split()
    if words and words[-1].lower() in PRIVATE_WORDS:
        return " ".join(words[:-1]), True
    return text.strip(), False


def visible(
    session: Session, *, pair: OneOnOne, viewer: Member | None, open_only: bool = False
) -> list[AgendaItem]:
    """The pair's items ``viewer`` may read: shared ones and their own private ones; nothing
    for someone outside the pair (an admin included). Oldest first."""
    if viewer is None or not service.is_party(pair, viewer):
        return []
    query = select(AgendaItem).where(
        AgendaItem.pair_id == pair.id,
        or_(AgendaItem.private.is_(False), AgendaItem.author_id == viewer.id),
    )
    if open_only:
        query = query.where(AgendaItem.done_at.is_(None))
    return list(session.scalars(query.order_by(AgendaItem.id)))


def for_meeting(
    session: Session, *, pair: OneOnOne, meeting: OneOnOneMeeting | None, viewer: Member | None
) -> list[AgendaItem]:
    """What ``viewer`` sees on ``meeting``'s agenda: every open item (raised for it or carried
    from an earlier one) and those checked off in it."""
    found = visible(session, pair=pair, viewer=viewer)
    return [
        i for i in found if i.done_at is None or (meeting is not None and i.done_in == meeting.id)
    ]


def carried(item: AgendaItem, held_at: datetime | None) -> bool:
    """Whether ``item`` is still open although it was on the agenda of the occurrence held at
    ``held_at`` (the pair's last one, UTC): it carries over to the next."""
    return (
        held_at is not None
        and item.done_at is None
        and ensure_utc(item.raised_at) < ensure_utc(held_at)
    )


def add(
    session: Session,
    *,
    pair: OneOnOne,
    author: Member,
    text: str,
    private: bool,
    now: datetime,
) -> AgendaItem:
    """Add an item for the pair's next occurrence (``author`` must be a party; Conflict
    ``people.error.inactive`` once one of them has left: there is no next occurrence).

    The same text by the same author still open on the pair's agenda is Conflict
    ``one_on_ones.error.topic_exists`` naming it, nothing added: a double tap or a redelivery
    without an event id stored it again, 16 sent at once 16 times (outside tester F11,
    session 23). "The same" by ``names.gist``, as /销项 and /进展 compare: a closing 。 or a
    blank beside 汉字 made a second topic (tester s27 B-3). The pair's people are locked
    first, so of two at once the second sees the first (both servers read committed)."""
    if not service.is_party(pair, author):
        raise NotFound("one_on_ones.error.not_found", id=pair.id)
    service.require_both_stay(session, pair)
    text = clean_text(text)
    if not text:  # nothing visible (``\u202e\u200b`` alone) is no topic either
        raise Invalid("one_on_ones.error.empty_item")
    if len(text) > MAX_TEXT:
        raise Invalid("one_on_ones.error.item_too_long", limit=MAX_TEXT)
    service.lock_people(session, pair)
    key = gist(text)
    open_ones = session.execute(
        select(AgendaItem.id, AgendaItem.text).where(
            AgendaItem.pair_id == pair.id,
            AgendaItem.author_id == author.id,
            AgendaItem.done_at.is_(None),
        )
    ).all()
    same = next(((i, t) for i, t in open_ones if gist(t) == key), None)
    if same is not None:  # named as it stands on the agenda, not as retyped
        raise Conflict("one_on_ones.error.topic_exists", id=same[0], text=same[1][:60])
    upcoming = service.next_meeting(session, pair=pair, now=now)
    item = AgendaItem(
        pair_id=pair.id,
        meeting_id=upcoming.id if upcoming else None,
        author_id=author.id,
        text=text,
        raised_at=now,
        private=private,
    )
    session.add(item)
    session.flush()
    return item


def get(session: Session, *, pair: OneOnOne, item_id: int, viewer: Member | None) -> AgendaItem:
    """One item ``viewer`` may read; ``NotFound`` for any other (a private item of the other
    person answers exactly like a missing one)."""
    for item in visible(session, pair=pair, viewer=viewer):
        if item.id == item_id:
            return item
    raise NotFound("one_on_ones.error.item_not_found", id=item_id)


def check(
    session: Session, *, pair: OneOnOne, item: AgendaItem, by: Member, now: datetime
) -> AgendaItem:
    """Check an item off (either party; a private one: its author) in the occurrence just held
    or about to be; ``Conflict`` when already done.

    The item's row is locked and read again first: 20 at once on PostgreSQL each read it
    open and answered 「已勾掉」 six times (tester s27 B-5); the one that waited now sees it
    done."""
    session.scalar(
        select(AgendaItem)
        .where(AgendaItem.id == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if item.done_at is not None:
        raise Conflict("one_on_ones.error.item_done", id=item.id)
    held = service.last_held(session, pair=pair, now=now)
    coming = service.next_meeting(session, pair=pair, now=now)
    target = coming if held is None else held
    if coming is not None and held is not None and _nearer(coming, held, now):
        target = coming
    item.done_at = now
    item.done_in = target.id if target else None
    session.flush()
    return item


def _nearer(coming: OneOnOneMeeting, held: OneOnOneMeeting, now: datetime) -> bool:
    return abs(ensure_utc(coming.start_at) - now) < abs(now - ensure_utc(held.end_at))


def to_action(
    session: Session,
    *,
    team: Team,
    pair: OneOnOne,
    item: AgendaItem,
    by: Member,
    owner: Member | None,
    due: date,
    now: datetime,
) -> Turned:
    """Turn an item into an agreed action item through :class:`FollowUpNeeded` (owner: the
    named one, else the other party; requester: ``by``); the desk's note, kept on the item,
    and a warning when the owner is set to leave by the due day (the rule of /销项,
    :func:`teamassist.team.people.leaves_by`; tester s26 B-23). Once turned, the item
    answers with the note of the action item already made (owner and due of a later call are
    not applied, nothing to warn of). ``Invalid`` for a private item (a private note is
    nobody's task) or an owner outside the pair; ``Conflict`` when no desk opened one.

    Parallel calls on one item (a double click, two people in the meeting) each read the item
    before either had written: on PostgreSQL 15 at once made 9–12 action items. The item's
    row lock makes them queue, and ``populate_existing`` reloads the row the caller already
    holds, so the one that waited sees the first one's note instead of its stale copy."""
    session.scalar(
        select(AgendaItem)
        .where(AgendaItem.id == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if item.action_note is not None:
        return Turned(item.action_note)
    if item.private:
        raise Invalid("one_on_ones.error.private_action")
    owner_id = owner.id if owner is not None else service.other_side(pair, by)
    if owner_id not in (pair.manager_id, pair.report_id):
        raise Invalid("one_on_ones.error.owner_outside")
    answers: Sequence[str] = ask(
        session,
        FollowUpNeeded(
            team=team,
            source_kind=SOURCE_KIND,
            source_id=item.id,
            owner_id=owner_id,
            requester_id=by.id,
            title=item.text[:200],
            due=due,
            now=now,
        ),
    )
    if not answers:
        raise Conflict("one_on_ones.error.no_action_desk")
    item.action_note = answers[0]
    session.flush()
    return Turned(answers[0], _leaving(session, team=team, owner_id=owner_id, due=due))


@dataclass(frozen=True)
class Turned:
    """What :func:`to_action` made: the action item's note, and what whoever asked for it
    should know (the chat reply's last lines, REST ``warnings``)."""

    note: str
    warnings: list[str] = field(default_factory=list)


def _leaving(session: Session, *, team: Team, owner_id: int, due: date) -> list[str]:
    """A line when the owner is set to leave on or before the due day (the item is due at
    that day's end; the desk hands it on at the departure)."""
    owner = session.get(Member, owner_id)
    day_ends = datetime.combine(due, time.max, tzinfo=ZoneInfo(team.timezone))
    leaving = team_people.leaves_by(owner, day_ends) if owner is not None else None
    if owner is None or leaving is None:
        return []
    day = local(leaving, team.timezone).date().isoformat()
    return [t("one_on_ones.warning.action_leaves", name=owner.display_name, date=day)]
