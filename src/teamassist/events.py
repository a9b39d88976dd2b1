"""Typed in-process events, so one domain can react to another without importing it.

An event is a frozen dataclass; a domain declares what it listens to in its ``Domain``
descriptor (``subscriptions=[on(DutySignedIn, handler)]``) and the composition root installs one
:class:`Bus` per session factory. Publishers need only their session: ``publish(session, event)``
finds the bus in ``session.info``. Handlers run synchronously in the publisher's transaction
(same session), so whatever they write or queue commits or rolls back with the change that
caused it.

A :class:`Query` is an event whose handlers answer: ``ask(session, query)`` collects the
non-None answers (e.g. the hand-off digest asks every domain for a section).

The cross-domain events live here (as the ports live in ``teamassist.ports``), so a subscriber
never imports the publishing domain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from teamassist.team.models import Member, Team, Workspace

if TYPE_CHECKING:  # only a type: answering domains build it with their own models
    from sqlalchemy.sql.elements import ColumnElement

E = TypeVar("E", bound="Event")
R = TypeVar("R")
_BUS = "teamassist.events"  # session.info key


@dataclass(frozen=True)
class Event:
    """Base of every event."""


@dataclass(frozen=True)
class Query(Event, Generic[R]):
    """An event whose handlers return an answer of type ``R`` (or None for "nothing to add")."""


@dataclass(frozen=True)
class Subscription(Generic[E]):
    """``handler(session, event)`` runs for every published ``event`` of type ``kind``."""

    kind: type[E]
    handler: Callable[[Session, E], Any]


def on(kind: type[E], handler: Callable[[Session, E], Any]) -> Subscription[E]:
    """Declare a subscription (typed: the handler takes exactly this event type)."""
    return Subscription(kind, handler)


def on_quietly(kind: type[E], handler: Callable[[Session, E], Any]) -> Subscription[E]:
    """Declare a subscription to a :class:`Query` by a handler with nothing to answer: what it
    returns (a count its own tests read) is not an answer to the asker."""

    def heard(session: Session, event: E) -> None:
        handler(session, event)

    return Subscription(kind, heard)


class Bus:
    """The subscriptions of one runtime."""

    def __init__(self, subscriptions: Iterable[Subscription[Any]] = ()) -> None:
        self._handlers: dict[type[Event], list[Callable[[Session, Any], Any]]] = defaultdict(list)
        for subscription in subscriptions:
            self.subscribe(subscription.kind, subscription.handler)

    def subscribe(self, kind: type[E], handler: Callable[[Session, E], Any]) -> None:
        """Call ``handler`` for every ``kind`` event (once per handler)."""
        if handler not in self._handlers[kind]:
            self._handlers[kind].append(handler)

    def install(self, factory: sessionmaker[Session]) -> None:
        """Make every session of ``factory`` publish to this bus."""
        info = dict(factory.kw.get("info") or {})
        info[_BUS] = self
        factory.configure(info=info)

    def publish(self, session: Session, event: Event) -> list[Any]:
        """Run every handler of ``event``'s type in order; return the non-None results."""
        results = [handler(session, event) for handler in list(self._handlers.get(type(event), []))]
        return [r for r in results if r is not None]


def _bus(session: Session) -> Bus | None:
    bus = session.info.get(_BUS)
    return bus if isinstance(bus, Bus) else None


def publish(session: Session, event: Event) -> None:
    """Tell the subscribers of ``event`` (nobody listening is fine)."""
    bus = _bus(session)
    if bus is not None:
        bus.publish(session, event)


def ask(session: Session, query: Query[R]) -> list[R]:
    """Every subscriber's answer to ``query`` (None answers dropped)."""
    bus = _bus(session)
    return bus.publish(session, query) if bus is not None else []


# -- the events one domain publishes for the others ------------------------------------------------


@dataclass(frozen=True)
class DutySignedIn(Event):
    """Someone on duty signed in (published by duty)."""

    team: Team
    member: Member
    now: datetime


@dataclass(frozen=True)
class HandoffDigest(Query[str]):
    """Duty's hand-off digest asks: a markdown section to include, or None."""

    team: Team
    now: datetime


@dataclass(frozen=True)
class MemberDeactivated(Query[str]):
    """A member leaves (published by team.people). Someone leaving on date D is active until D
    and inactive from ``at`` (D's start, team-local, as UTC; never before ``now``).

    Published twice for a dated departure: when it is decided (``at > now``: domains that plan
    ahead, the duty roster and 1on1s, plan without them from ``at``; nothing else changes yet)
    and when it takes effect (``at <= now``, by the sweep ``team.departures``: items are handed
    over, requests withdrawn, notices re-routed). A departure from now is published once, with
    ``at == now``. Handlers stay idempotent: a second hearing changes nothing.

    A domain that changed something the admin did not ask for by name answers one short
    sentence saying what (duty: the covers and swaps it cancelled), else None; the reply to
    ``/停用成员`` carries them (an admin learned nothing of the cancelled swaps, session 16)."""

    member_id: int
    team_ids: tuple[int, ...]
    at: datetime
    now: datetime
    by_id: int | None = None
    # False: only the memberships of ``team_ids`` ended (an admin of those teams alone took
    # the person out, ``team.people.leave_teams``, always now); the person stays active in
    # their other teams, so a handler acts on ``team_ids`` only, nothing of theirs elsewhere.
    whole: bool = True


@dataclass(frozen=True)
class MemberReactivated(Query[str]):
    """A member who had left, or was set to leave, stays after all (asked by
    team.people.reactivate): a planned departure is called off. Domains take back what they
    planned for the departure and has not happened yet (1on1s re-planned, duty's pending
    ``leave`` removals withdrawn); rotations left once it took effect are not restored (the
    admin re-adds). Each answers one sentence saying what it did or what is left to do, or
    None when the departure touched nothing of it: the reply is built from these, so it says
    only what happened (a tester was told a removal "was withdrawn" that had taken effect)."""

    member_id: int
    team_ids: tuple[int, ...]
    now: datetime


@dataclass(frozen=True)
class WorkspaceDeleting(Event):
    """A workspace is about to be deleted (published by team, in the deleting transaction).

    Its rows that reference it, its teams or its members through a foreign key go by cascade;
    a domain that keeps rows of it by id without one deletes them here.
    """

    workspace: Workspace


@dataclass(frozen=True)
class Withheld:
    """Rows of one table a workspace export must not carry as they are.

    ``table`` is the table's name (``inbound_event``); ``where`` a condition on that table's
    columns (``InboundEvent.id.in_(...)``), evaluated with the export's own condition, so it
    need not repeat the workspace. With ``columns`` empty the matching rows are left out;
    otherwise those columns (names of ``table``) are exported as None in matching rows and the
    rest of each row stays. A row ``where`` evaluates to NULL for is not matched.
    """

    table: str
    where: ColumnElement[bool]
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportWithheld(Query[tuple[Withheld, ...]]):
    """The workspace export (``team.archive``) asks what of ``workspace`` it must withhold:
    each domain answers with the :class:`Withheld` rules for the rows only it knows to be
    private (org_contact: whatever would name an anonymous sender), or None. Rules add up:
    a row any drop rule matches is left out; columns any blank rule matches are blanked.
    Naming a table or column the schema lacks makes the export raise ValueError."""

    workspace: Workspace


@dataclass(frozen=True)
class DirectorDigest(Query[str]):
    """A director's digest (OKR's weekly one) asks: a markdown section to add, or None.
    The action-item desk answers with the items escalated for being overdue."""

    team: Team
    today: date
    now: datetime


@dataclass(frozen=True)
class MeetingAgenda(Query[str]):
    """A meeting's agenda asks (for the meetings domain to come): a markdown section to add,
    or None. The action-item desk answers with the team's escalated overdue items."""

    team: Team
    now: datetime


@dataclass(frozen=True)
class FollowUpPersonal(Query[bool]):
    """Asked by the action-item desk when an item's owner leaves: the domain owning the source
    (``source_kind`` + ``source_id``, as in :class:`FollowUpNeeded`) answers True when only that
    owner could do it (their own career plan), so the item closes with the departure instead
    of being handed to someone who cannot do it (tester F15, session 18). None: not ours."""

    source_kind: str
    source_id: int


@dataclass(frozen=True)
class FollowUpNeeded(Query[str]):
    """Something needs a follow-up action item (OKR: a committed O scored below 1.0 in its
    retrospective). A desk that opens one answers with the note to keep (naming the item);
    no answer means nobody could, and the asker keeps its own note.

    ``source_kind``/``source_id`` name what it follows up (``okr_objective`` and its id);
    ``owner_id`` owns it, ``requester_id`` asked for it; ``due`` is a team-local date.
    """

    team: Team
    source_kind: str
    source_id: int
    owner_id: int
    requester_id: int
    title: str
    due: date
    now: datetime
    # The exact due instant (UTC) when the asker has one (an announcement's
    # ``$$$yyyymmddhhmm$$$``); None: the end of the working day ``due``.
    due_at: datetime | None = None
    # One item per source AND owner (a meeting asking each core member for their report):
    # False keeps one item per source whoever asks again.
    per_owner: bool = False


@dataclass(frozen=True)
class FollowUpItems(Query[tuple[int, ...]]):
    """The numbers (ids) of the action items :class:`FollowUpNeeded` opened for
    ``source_kind`` + any of ``source_ids`` in ``team`` that are not closed yet, lowest first:
    an announcement's repeat refusal names the items a changed deadline would concern.
    Answered by the action-item desk; no answer means no desk."""

    team: Team
    source_kind: str
    source_ids: tuple[int, ...]


@dataclass(frozen=True)
class CareerPlanWanted(Query[str]):
    """A director asks for personal career-development plans (the seed's
    ``***制定个人职业发展规划***``): a desk that starts them answers with the reply to show;
    no answer means the flow is not available (the people issue will answer it).

    ``member_ids`` are the people who write one, due at ``due_at`` (UTC); ``text`` is the
    director's note to them.
    """

    team: Team
    director_id: int
    member_ids: tuple[int, ...]
    due_at: datetime
    text: str
    now: datetime


@dataclass(frozen=True)
class ReportPackNeeded(Query[str]):
    """A meeting occurrence asks for its report pack (飞阅会), at its notice step (and again at
    its report-due step): the answer is a link or path to put in the notice, or None (no pack).
    Answered by the reports domain; asked by meetings, which never builds documents itself.

    ``occurrence_id`` is the meetings occurrence (stable; a move keeps it, so the same pack may
    be asked for twice and should be returned, not rebuilt). ``kind`` is one of ``weekly``,
    ``monthly``, ``quarterly``, ``half_year``, ``annual``; ``title`` the computed name
    (``2026年11月OKR月报``). ``period_start``..``period_end`` (inclusive, team-local dates) is what
    the pack reports on (a week, month, quarter, half or year); ``report_due`` and ``meeting_at``
    are tz-aware UTC instants of that occurrence's steps.
    """

    team: Team
    occurrence_id: int
    kind: str
    title: str
    period_start: date
    period_end: date
    report_due: datetime
    meeting_at: datetime
    now: datetime  # the asking step's clock (what the pack says it was generated at)
    # Render the stored pack again with the data as of ``now`` (the report-due step: the
    # reports are written by then): the same pack and link, new content.
    refresh: bool = False


# -- report packs (飞阅会) ask the OKR and action-item desks for live data ----------------------


@dataclass(frozen=True)
class KrFact:
    """One KR as a report shows it: ``label`` ``KR-2``; ``progress`` raw 0–1 (may pass 1);
    ``confidence`` 0–10 (its latest check-in's); ``score`` 0–1 in steps of 0.1 (None before
    grading); ``confidence_then`` 0–10, its confidence at the query's ``confidence_at`` (the
    latest check-in with a confidence at or before that instant; None when not asked or the
    KR had none by then)."""

    label: str
    title: str
    progress: float
    confidence: int | None
    score: float | None
    confidence_then: int | None = None


@dataclass(frozen=True)
class ObjectiveFact:
    """One O as a report shows it: its owner (member id), ``label`` ``O-1``, roll-up progress
    0–1, weighted confidence 0–10, score (None before grading), its KRs, and ``trend``: the O's
    progress at the end of each past day of the cycle (``(day, 0–1)``, oldest first)."""

    owner_id: int | None
    label: str
    title: str
    progress: float
    confidence: float | None
    score: float | None
    key_results: tuple[KrFact, ...]
    trend: tuple[tuple[date, float], ...] = ()


@dataclass(frozen=True)
class OkrFacts(Query[tuple[ObjectiveFact, ...]]):
    """A report asks the OKR desk for the team's published Os of the cycle that holds ``day``
    (team-local date), with their trend when ``with_trend``, and each KR's confidence at the
    instant ``confidence_at`` (tz-aware UTC; the 1on1 prep pack asks for the previous 1on1's
    start) in :attr:`KrFact.confidence_then`. Answered by okr (domain.py)."""

    team: Team
    day: date
    now: datetime
    with_trend: bool = False
    confidence_at: datetime | None = None


@dataclass(frozen=True)
class ActionFact:
    """One action item as a report shows it (``state`` open/done/closed; instants UTC)."""

    id: int
    title: str
    owner_id: int
    state: str
    due_at: datetime
    created_at: datetime
    closed_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class ActionFacts(Query[tuple[ActionFact, ...]]):
    """A report asks the action-item desk for the team's items opened or closed in
    ``since``..``until`` (UTC, half-open) and those overdue at ``now``. Answered by actions."""

    team: Team
    since: datetime
    until: datetime
    now: datetime


@dataclass(frozen=True)
class KeyResultNamed(Query[tuple[int, str]]):
    """Which KR people mean by ``ref`` (``KR-3``, full-width too) in ``team`` on ``today`` (the
    team-local date): the OKR desk answers ``(id, title)`` of the newest started cycle's KR of
    that number; no answer means no such KR (or no OKR desk), and the asker says so. Asked by
    the action-item desk to link an item to a KR (``/销项 @张三 … 关联 KR-3``)."""

    team: Team
    ref: str
    today: date


@dataclass(frozen=True)
class SourceKnown(Query[bool]):
    """Whether ``kind`` + ``source_id`` names a thing of ``team`` that an action item may
    follow up (``okr_kr``, ``okr_objective``, ``meeting``, ``one_on_one``, ``career_plan``)
    and that ``by`` (who links the item) may read: a private thing (a career plan, a 1on1's
    agenda) answers False to anyone else, as for a thing that does not exist. The domain that
    owns the kind answers True or False; no answer means nobody knows it. Asked by the
    action-item desk for a source given by id (REST), so an item never links to nothing."""

    team: Team
    kind: str
    source_id: int
    by: Member


@dataclass(frozen=True)
class PersonalCalendar(Query[list[str]]):
    """A member's personal calendar feed (duty's member feed URL, ``/ical/<token>.ics``) asks
    the other domains for the events of ``member`` in ``team`` between ``start`` and ``end``
    (UTC): each answer is a list of complete ``VEVENT`` blocks (RFC 5545 text, CRLF lines, UIDs
    stable across exports). The meetings domain answers with the meetings the member attends."""

    team: Team
    member: Member
    start: datetime
    end: datetime
    now: datetime


# -- career plans (个人职业发展规划): what a 1on1 reviews ---------------------------------------


@dataclass(frozen=True)
class GoalFact:
    """One development goal of a person's career plan, as a 1on1 prep pack shows it.

    ``plan_id`` is the plan (page ``/career-plans/{plan_id}``, REST
    ``/api/v1/career-plans/{plan_id}``), ``year`` its team-local calendar year; ``number`` 1–3
    is the goal's place in the plan. ``evidence`` is free text (what shows progress, may be
    ""); ``target_date`` a team-local date or None. ``status`` is one of ``planned``,
    ``in_progress``, ``done``, ``dropped``; ``carried`` says it was copied, unfinished, from
    the previous year's plan; ``overdue`` is True when ``target_date`` is before the team-local
    day of the asking ``now`` and the goal is neither done nor dropped.
    """

    plan_id: int
    year: int
    number: int
    title: str
    evidence: str
    target_date: date | None
    status: str
    carried: bool
    overdue: bool


@dataclass(frozen=True)
class CareerGoals(Query[tuple[GoalFact, ...]]):
    """A 1on1 (its prep pack) asks for the development goals of ``member``'s career plan in
    ``team``: the plan of the team-local year of ``now`` (UTC), else the member's latest
    earlier one; goals in plan order. Answered by the careers domain; no answer (or an empty
    tuple) means no plan. ``asker`` is who will see them: the careers desk answers only when
    the careers rules let them read the plan (the member, or the director or stand-in of the
    team that started it), else an empty tuple, so no asker can reach a plan it may not read."""

    team: Team
    member: Member
    now: datetime
    asker: Member


# -- the workspace ports (Tasks, Calendar, Documents) ------------------------------------------


@dataclass(frozen=True)
class ActionItemChanged(Event):
    """An action item was created or changed (state, owner, due time). Published by the
    actions domain on every recorded change, in that transaction; the actions domain mirrors
    the item through the ``Tasks`` port on it. ``item_id`` is ``ActionItem.id``; ``now`` UTC."""

    item_id: int
    now: datetime


@dataclass(frozen=True)
class MeetingOccurrenceChanged(Event):
    """A meeting occurrence was announced (notice step), moved or cancelled. Published by the
    meetings domain, which puts it in people's calendars through the ``Calendar`` port.
    ``occurrence_id`` is ``MeetingOccurrence.id``; ``now`` UTC."""

    occurrence_id: int
    now: datetime


@dataclass(frozen=True)
class FollowUpSourceChanged(Event):
    """What follow-up items were opened for (through :class:`FollowUpNeeded`) changed: a
    meeting occurrence was moved or cancelled. Published by the domain owning the source
    (meetings, ``source_kind`` ``meeting``, ``source_id`` the occurrence's id) in that
    transaction; the action-item desk answers: ``cancelled`` True closes every item of the
    source not closed yet (recorded as cancelled, so a mirrored platform task is deleted),
    else each open item takes ``due_at`` (UTC, the source's new due instant; None: unchanged).
    ``now`` UTC. ``title`` names the source for people (``"周会 11-06"``): on a cancellation
    each owner whose items it closed is told once, in one message listing them."""

    team: Team
    source_kind: str
    source_id: int
    due_at: datetime | None
    cancelled: bool
    now: datetime
    title: str = ""
    # False: the owners never heard of the source (an announcement cancelled before it went
    # out), so their items close without a message about something they never received.
    tell: bool = True


@dataclass(frozen=True)
class OneOnOneMeetingChanged(Event):
    """A 1on1 occurrence was planned (it came into the planning window), moved (by hand or by
    a new slot) or cancelled. Published by the one_on_ones domain in that transaction, which
    puts it in the two people's calendars through the ``Calendar`` port and, for a change by
    hand, tells the party who did not make it.
    ``meeting_id`` is ``OneOnOneMeeting.id``; ``now`` UTC. ``by_hand``: a move or cancel of
    this one occurrence (not the slot's rule); ``by_member_id``: who did it (None: an admin
    without a member row, or the rule); ``was_start``: the start before a move, UTC."""

    meeting_id: int
    now: datetime
    by_hand: bool = False
    by_member_id: int | None = None
    was_start: datetime | None = None


@dataclass(frozen=True)
class PlatformTaskCompleted(Event):
    """A task mirrored through the ``Tasks`` port was completed on its platform (Feishu Task
    v2). Published by the platform adapter with the ``TaskMirror.key`` it was created for
    (``"actions.item:12"``), the workspace it belongs to, the completer's member id when known
    and ``at`` (UTC, the platform's completion time). The domain owning the key marks its item
    done; a key it does not know, or an item already done, changes nothing."""

    workspace_id: int
    key: str
    member_id: int | None
    at: datetime


@dataclass(frozen=True)
class PlatformTaskReopened(Event):
    """A task mirrored through the ``Tasks`` port, completed before, was marked not done again
    on its platform (Feishu Task v2: ``completed_at`` back to 0). Published by the platform
    adapter with the ``TaskMirror.key``, the workspace and ``at`` (UTC, when it was seen). The
    domain owning the key takes back the item's "done" if it is still waiting to be checked; an
    item open already, closed, or unknown changes nothing (platforms redeliver events)."""

    workspace_id: int
    key: str
    at: datetime


@dataclass(frozen=True)
class DocumentReady(Event):
    """The document published through the ``Documents`` port under ``key`` (the
    ``DocumentDraft.key``, e.g. ``"careers.plan:7"``) can be opened at ``url`` now. Published by
    the port's implementation: built in, by ``publish`` itself in the caller's transaction (the
    dashboard page, ``DocumentDraft.local_url``); on Feishu, by the workspace operation once the
    docx is made, filled and shared (its Feishu link), or with the dashboard page at once when an
    editor has no Feishu identity, or when Feishu gave up on the operation. It comes again each
    time the document is published or its operation retried, so a subscriber acts once per key
    (an outbox key), never twice. ``workspace_id`` is the team's workspace; ``now`` UTC."""

    workspace_id: int
    key: str
    url: str
    now: datetime


@dataclass(frozen=True)
class Double:
    """Rows stored before a rule that now keeps them right: more than once (a lock, a unique
    name) or beyond a bound (a job's times a day, a name's one line), found by ``teamassist
    doctor``: ``kind`` (``duty.swap``, ``duty.override``, ``duty.rotation_name``,
    ``team.name``, ``team.schedule``, ``team.channel_name``), the rows' ids (oldest first) and
    one line saying what they are and what an admin may do, from the answering domain's
    catalogue."""

    kind: str
    ids: tuple[int, ...]
    line: str


@dataclass(frozen=True)
class StoredDoubles(Query[tuple[Double, ...]]):
    """``teamassist doctor`` asks each domain for the rows it holds from before its rule (the
    swaps and covers concurrent senders stored before the rotation lock of session 25, teams
    of one name before its check, jobs set to run more than twelve times a day, rotation and
    channel names with line breaks): read only, nothing is changed or deleted."""
