"""The reading meeting (飞阅会) on a pack: a read window opened from chat, who has read, the
open questions, and at the end the decisions and action items (opened on the action-item desk
through :class:`teamassist.events.FollowUpNeeded`; no desk answering keeps the note only).

One open reading per team at a time; marking read twice counts once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.bidi import unmarked
from teamassist.events import FollowUpNeeded, ask
from teamassist.exceptions import Conflict, Invalid, NotFound
from teamassist.reports.models import ReadingMark, ReadingNote, ReadingSession, ReportPack
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import gist

DEFAULT_MINUTES = 20
MAX_TEXT = 1_000
ACTION_WORKDAYS = 5  # a meeting's action item is due in five working days
# As /销项's repeat window (actions.repeats): the same action noted again is a double tap.
ACTION_REPEAT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Summary:
    """Where a reading stands: who has read, who has not, and the notes by kind."""

    reading: ReadingSession
    pack: ReportPack
    read: list[str]
    unread: list[str]
    notes: dict[str, list[ReadingNote]]


def current(session: Session, *, team: Team) -> ReadingSession | None:
    """The team's open reading, if any."""
    return session.scalar(
        select(ReadingSession)
        .where(ReadingSession.team_id == team.id, ReadingSession.ended_at.is_(None))
        .order_by(ReadingSession.id.desc())
        .limit(1)
    )


def _hold(session: Session, team: Team) -> None:
    """Lock ``team``'s row: a team's readings are opened, ended and given action items one
    request at a time. Without it, twenty /开始阅读 at once opened ten readings on PostgreSQL
    and MariaDB (each had checked that none was open), twenty /结束阅读 each said "ended", and
    twenty /会议销项 made twenty items (tester s25 F-B16, F-B17). SQLite serialises writers."""
    session.execute(select(Team.id).where(Team.id == team.id).with_for_update())


def _open(session: Session, team: Team) -> ReadingSession:
    found = current(session, team=team)
    if found is None:
        raise NotFound("reports.error.no_reading")
    return found


def latest_pack(session: Session, *, team: Team) -> ReportPack | None:
    """The team's newest team-wide pack (what a reading opens on)."""
    return session.scalar(
        select(ReportPack)
        .where(ReportPack.team_id == team.id, ReportPack.person_id.is_(None))
        .order_by(ReportPack.id.desc())
        .limit(1)
    )


def start(
    session: Session, *, team: Team, actor: Member, now: datetime, minutes: int = DEFAULT_MINUTES
) -> ReadingSession:
    """Open a read window of ``minutes`` on the team's newest pack.

    Raises Invalid (minutes out of 1–240), NotFound (no pack yet) or Conflict (a reading is
    already open)."""
    if not 1 <= minutes <= 240:
        raise Invalid("reports.error.minutes")
    pack = latest_pack(session, team=team)
    if pack is None:
        raise NotFound("reports.pack.none")
    _hold(session, team)
    if (open_one := current(session, team=team)) is not None:
        title = session.get(ReportPack, open_one.pack_id)
        raise Conflict("reports.error.reading_open", title=title.title if title else "")
    reading = ReadingSession(
        team_id=team.id,
        pack_id=pack.id,
        started_by_id=actor.id,
        started_at=now,
        read_until=now + timedelta(minutes=minutes),
    )
    session.add(reading)
    session.flush()
    return reading


def mark_read(session: Session, *, team: Team, member: Member, now: datetime) -> bool:
    """Mark ``member`` as having read the open reading's pack; False when already marked.
    PermissionDenied ``core.error.not_in_team`` for someone outside the team."""
    team_service.require_in_team(session, team=team, member=member, key="core.error.not_in_team")
    reading = _open(session, team)
    exists = session.scalar(
        select(ReadingMark.id).where(
            ReadingMark.reading_id == reading.id, ReadingMark.member_id == member.id
        )
    )
    if exists is not None:
        return False
    session.add(ReadingMark(reading_id=reading.id, member_id=member.id, at=now))
    session.flush()
    return True


def _text(text: str) -> str:
    text = unmarked(text).strip()  # a stray RLM is no part of it (tester s26 B-1)
    if not text or len(text) > MAX_TEXT:
        raise Invalid("reports.error.entry_size", limit=MAX_TEXT)
    return text


def add_note(
    session: Session, *, team: Team, kind: str, author: Member, text: str, now: datetime
) -> ReadingNote:
    """A question (while reading) or a decision (at the end) on the open reading. The same
    one (kind, author, text as :func:`~teamassist.team.names.gist` compares it) within
    :data:`ACTION_REPEAT_WINDOW` is refused (Conflict ``reports.error.question_repeat`` /
    ``decision_repeat``), nothing noted: twenty /提问 at once stored twenty questions, and a
    question sent twice in a row two (tester s26 B-9); the team's row is held first, as for
    an action, so concurrent ones see each other."""
    cleaned = _text(text)
    _hold(session, team)
    reading = _open(session, team)
    key = gist(cleaned)
    for earlier in session.scalars(
        select(ReadingNote).where(
            ReadingNote.reading_id == reading.id,
            ReadingNote.kind == kind,
            ReadingNote.author_id == author.id,
            ReadingNote.at >= now - ACTION_REPEAT_WINDOW,
        )
    ):
        if gist(earlier.text) == key:  # compared here: TEXT differs by backend
            raise Conflict(
                "reports.error.decision_repeat"
                if kind == "decision"
                else "reports.error.question_repeat",
                id=earlier.id,
                minutes=int(ACTION_REPEAT_WINDOW.total_seconds() // 60),
            )
    note = ReadingNote(reading_id=reading.id, kind=kind, author_id=author.id, text=cleaned, at=now)
    session.add(note)
    session.flush()
    return note


def add_action(
    session: Session,
    *,
    team: Team,
    author: Member,
    owner: Member,
    text: str,
    now: datetime,
    due: date,
) -> ReadingNote:
    """An action item agreed at the meeting: kept as a note and opened on the action-item
    desk (``action_note`` is the desk's answer naming the item; None when no desk answered).
    Invalid ``reports.error.owner_not_in_team`` for an owner outside ``team``, nothing noted,
    as /销项 refuses one (outside tester F5, session 23: 运维组's 鲍勃 got 开发者社区's item)."""
    if team_service.role_of(session, team=team, member=owner) is None:
        raise Invalid("reports.error.owner_not_in_team", name=owner.display_name, team=team.name)
    _hold(session, team)
    reading = _open(session, team)
    repeated = session.scalars(
        select(ReadingNote).where(
            ReadingNote.reading_id == reading.id,
            ReadingNote.kind == "action",
            ReadingNote.author_id == author.id,
            ReadingNote.owner_id == owner.id,
            ReadingNote.at >= now - ACTION_REPEAT_WINDOW,
        )
    ).all()
    # compared here (TEXT differs by backend), as gist() folds: 「写发布说明。」 is 「写发布说明」
    if any(gist(n.text) == gist(_text(text)) for n in repeated):
        raise Conflict(
            "reports.error.action_repeat",
            name=owner.display_name,
            minutes=int(ACTION_REPEAT_WINDOW.total_seconds() // 60),
        )
    note = ReadingNote(
        reading_id=reading.id,
        kind="action",
        author_id=author.id,
        owner_id=owner.id,
        text=_text(text),
        at=now,
    )
    session.add(note)
    session.flush()
    answers = ask(
        session,
        FollowUpNeeded(
            team=team,
            source_kind="report_note",
            source_id=note.id,
            owner_id=owner.id,
            requester_id=author.id,
            title=note.text,
            due=due,
            now=now,
        ),
    )
    note.action_note = answers[0] if answers else None
    session.flush()
    return note


def due_after(today: date, is_workday: Callable[[date], bool]) -> date:
    """The day ``ACTION_WORKDAYS`` working days after ``today``."""
    day, left = today, ACTION_WORKDAYS
    while left:
        day += timedelta(days=1)
        left -= is_workday(day)
    return day


def summary(session: Session, *, team: Team, reading: ReadingSession) -> Summary:
    """Who has read and the notes of ``reading``."""
    pack = session.get(ReportPack, reading.pack_id)
    assert pack is not None
    marked = set(
        session.scalars(select(ReadingMark.member_id).where(ReadingMark.reading_id == reading.id))
    )
    people = [
        m
        for m, _role in team_service.team_members(session, team=team)
        if m.active and m.merged_into_id is None
    ]
    notes: dict[str, list[ReadingNote]] = {"question": [], "decision": [], "action": []}
    for note in session.scalars(
        select(ReadingNote).where(ReadingNote.reading_id == reading.id).order_by(ReadingNote.id)
    ):
        notes.setdefault(note.kind, []).append(note)
    return Summary(
        reading=reading,
        pack=pack,
        read=[m.display_name for m in people if m.id in marked],
        unread=[m.display_name for m in people if m.id not in marked],
        notes=notes,
    )


def end(session: Session, *, team: Team, now: datetime) -> Summary:
    """Close the open reading; its summary. NotFound ``reports.error.no_reading`` when none is
    open (a second /结束阅读 sent with the first, too)."""
    _hold(session, team)
    reading = _open(session, team)
    reading.ended_at = now
    session.flush()
    return summary(session, team=team, reading=reading)


def marks(session: Session, reading: ReadingSession) -> int:
    """How many have marked the reading read."""
    count = session.scalar(
        select(func.count()).select_from(ReadingMark).where(ReadingMark.reading_id == reading.id)
    )
    return int(count or 0)
