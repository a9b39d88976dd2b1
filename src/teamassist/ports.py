"""Ports: the small typed interfaces one domain offers the others, instead of hidden imports.

A domain *provides* a port (duty provides ``Roster``; the shared working calendar provides
``Workdays``) and another *requires* it (feedback requires both; OKR, meetings and 1on1s will).
The composition root fills one ``Ports`` container per runtime; a requirement nobody provides is
a start-up error (``PortMissing``), never a silent fallback at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar, cast

from sqlalchemy.orm import Session

from teamassist.team.models import Member, Team

T = TypeVar("T")


class PortMissing(RuntimeError):
    """A domain requires a port that no installed domain provides (raised at start-up)."""


class Roster(Protocol):
    """Who is on duty: the duty desk's answer, for every other domain."""

    def on_duty(
        self,
        session: Session,
        *,
        team: Team,
        at: datetime,
        rotation_kind: str | None = None,
        identities: bool = False,
    ) -> Sequence[Member]:
        """Members on duty at ``at`` (UTC), primary first; ``rotation_kind`` limits to one
        rotation (e.g. ``"tech"``, ``"product"``); empty when nobody is. ``identities``: with
        their platform identities loaded in the same read (for a reply that mentions them)."""
        ...

    def is_on_duty(self, session: Session, *, team: Team, member: Member, at: datetime) -> bool:
        """Whether ``member`` is on duty at ``at`` (UTC) in any rotation of ``team``."""
        ...

    def has_rotation(self, session: Session, *, team: Team) -> bool:
        """Whether ``team`` has a rotation at all (not archived): someone will sign in one
        day, so what waits for the next sign-in is not waiting for nobody."""
        ...


class Workdays(Protocol):
    """The China working calendar (statutory holidays off, 调休 weekend days on)."""

    def is_workday(self, day: date) -> bool:
        """True on a working day. For a year without official data: Monday–Friday less the
        statutory holidays the law fixes (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆, with
        补假; no 调休 guessed), and ``is_official(day.year)`` is False so callers can say the
        figure is provisional."""
        ...

    def is_official(self, year: int) -> bool:
        """Whether the official holiday arrangement of ``year`` is known."""
        ...


@dataclass(frozen=True)
class DirectoryUser:
    """A person as a platform's directory knows them, within one tenant.

    ``roles`` are stable codes (``qq:owner``, ``qq:admin``, ``qq:channel_admin``,
    ``qq:group_owner``, ``feishu:chat_owner``, ``feishu:chat_manager``...); which of them make
    someone an admin here is a team setting (``team.directory``).
    """

    user_key: str
    name: str
    roles: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    is_bot: bool = False


@dataclass(frozen=True)
class DirectoryChat:
    """A chat the bot can post to, as a channel row would address it."""

    address: str  # e.g. "channel:123" on QQ, "oc_abc" on Feishu
    name: str
    kind: str = ""  # "channel", "group", "chat"


class Directory(Protocol):
    """The platforms' directories: who someone is, which chats exist, who is in them.

    Each call names the platform; a platform without a directory (or one that is unreachable)
    answers None / empty, so callers degrade to what they know instead of failing.
    """

    def user(
        self, *, platform: str, tenant_key: str, user_key: str, chat_key: str = ""
    ) -> DirectoryUser | None:
        """One person of the tenant (``chat_key`` adds the roles they hold in that chat)."""
        ...

    def chats(self, *, platform: str, tenant_key: str) -> Sequence[DirectoryChat]:
        """The tenant's chats the bot is in."""
        ...

    def members(self, *, platform: str, tenant_key: str, chat_key: str) -> Sequence[DirectoryUser]:
        """The people of one chat (or of the whole tenant where the platform lists only that)."""
        ...


@dataclass(frozen=True)
class TaskMirror:
    """An action item as a platform task (Feishu Task v2), in the product's terms.

    ``key`` names the item for good (``"actions.item:12"``): the platform object it maps to, its
    idempotency token and every later update hang on it. ``due_at`` is tz-aware UTC;
    ``assignee_id`` and ``follower_ids`` are member ids (the director follows); ``done`` is True
    once the owner said done or it was closed; ``url`` opens the item in the dashboard;
    ``cancelled`` True: the item was dropped (what it followed up was cancelled), so the
    platform task goes (deleted on Feishu), rather than being completed.
    """

    key: str
    title: str
    due_at: datetime
    assignee_id: int
    follower_ids: tuple[int, ...] = ()
    done: bool = False
    url: str = ""
    cancelled: bool = False


class Tasks(Protocol):
    """Where a team's action items are mirrored as tasks. Built in: nowhere (action items are
    the tasks); on Feishu: one Task v2 task per item, kept in step with it."""

    def mirror(self, session: Session, *, team: Team, task: TaskMirror, now: datetime) -> None:
        """Create the task of ``task.key`` or bring it up to date (title, due, assignee,
        followers, done). Queued in the caller's transaction; never raises for the platform
        (its failures are retried, then an admin is told)."""
        ...


@dataclass(frozen=True)
class CalendarEntry:
    """One calendar event: a meeting occurrence or a 1on1.

    ``key`` is stable for the event's life (``"meetings.occurrence:7"``); ``start_at`` and
    ``end_at`` tz-aware UTC; ``attendee_ids`` member ids; ``video_url`` an outside meeting link
    (None: none); ``cancelled`` True removes it; ``sequence`` grows with each change (RFC 5545),
    so an older state arriving late is ignored.
    """

    key: str
    title: str
    start_at: datetime
    end_at: datetime
    attendee_ids: tuple[int, ...] = ()
    place: str = ""
    video_url: str | None = None
    description: str = ""
    cancelled: bool = False
    sequence: int = 0


class Calendar(Protocol):
    """Where a team's meetings appear in people's calendars. Built in: the ``.ics``
    invitations and personal feeds the domains already serve (nothing to do here); on Feishu:
    a Calendar v4 event with attendees, moved and cancelled with the occurrence."""

    def schedule(
        self, session: Session, *, team: Team, entry: CalendarEntry, now: datetime
    ) -> None:
        """Create, update or cancel the event of ``entry.key``. Queued in the caller's
        transaction; never raises for the platform."""
        ...


@dataclass(frozen=True)
class DocumentDraft:
    """A document for people to read: a report pack, a career plan.

    ``key`` is stable (``"reports.pack:42"``): publishing it again never makes a second
    document. ``markdown`` is the content (:mod:`teamassist.documents` renders it);
    ``folder`` the path under the team's folder (``("OKR周报", "2026")``); ``editor_ids`` and
    ``viewer_ids`` member ids; ``local_url`` the product's own page of it (per-person access
    checked there), the link while a platform copy does not exist.
    """

    key: str
    title: str
    markdown: str
    local_url: str
    folder: tuple[str, ...] = ()
    editor_ids: tuple[int, ...] = ()
    viewer_ids: tuple[int, ...] = ()


class Documents(Protocol):
    """Where a team's documents live. Built in: the dashboard serves them (.md/.docx/PDF);
    on Feishu: a docx in the team's Drive folder, shared with the editors and viewers."""

    def publish(self, session: Session, *, team: Team, draft: DocumentDraft, now: datetime) -> str:
        """The link people should open for ``draft.key``: the platform's document once it
        exists, else ``draft.local_url`` (creating it is queued in the caller's transaction).
        A message that must carry the final link waits for
        :class:`teamassist.events.DocumentReady` of ``draft.key`` instead (built in it comes
        during this call; on a platform once the document exists)."""
        ...


# A port is named by its Protocol class. ``Callable[..., T]`` rather than ``type[T]``: mypy
# refuses a Protocol where ``type[T]`` is expected (type-abstract), yet infers T from it here.
PortKey = Callable[..., T]


def _name(port: object) -> str:
    return str(getattr(port, "__name__", port))


class Ports:
    """The ports of one runtime: port type → implementation."""

    def __init__(self) -> None:
        self._impl: dict[object, object] = {}

    def provide(self, port: PortKey[T], impl: T) -> None:
        """Register ``impl`` as the implementation of ``port`` (one per port)."""
        if port in self._impl:
            raise ValueError(f"port {_name(port)} is provided twice")
        self._impl[port] = impl

    def get(self, port: PortKey[T]) -> T:
        """The implementation of ``port``; raises ``PortMissing`` when none is installed."""
        try:
            return cast(T, self._impl[port])
        except KeyError as exc:
            raise PortMissing(f"no installed domain provides the {_name(port)} port") from exc

    def has(self, port: object) -> bool:
        """Whether ``port`` is provided."""
        return port in self._impl
