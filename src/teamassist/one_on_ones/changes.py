"""Moving and cancelling one 1on1 occurrence, as chat (``/改期一对一``, ``/取消一对一``), REST
and the pair's page do it: the service change and what the mover should be told.

A 1on1 moved onto a day off (a weekend that is no 调休 working day, a statutory holiday, by the
``Workdays`` port) is **moved with a warning**, not refused, as the meetings' ``/改期`` does
(e28d395): two people may well agree to talk on a Saturday. Moving it onto the time of another
occurrence of the same pair is refused (:func:`service.move`): that would be the same talk
twice; and so is moving it onto another 1on1 of the manager or the report (one person, two
talks at once).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat import when
from teamassist.clock import at_night, ensure_utc, local, plan_horizon
from teamassist.exceptions import Invalid
from teamassist.i18n import t
from teamassist.one_on_ones import messages, service
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.ports import Workdays
from teamassist.team.models import Member, Team


def start_on(team: Team, meeting: OneOnOneMeeting, day: date) -> datetime:
    """``day`` at ``meeting``'s team-local time of day: a move given a date alone (chat, REST or
    the page) keeps its time, never midnight. Aware, in the team's zone."""
    at = local(meeting.start_at, team.timezone).time()
    return datetime.combine(day, at, tzinfo=ZoneInfo(team.timezone))


def check_year(day: date, *, team: Team, now: datetime) -> None:
    """Refuse a new date outside 2000–2100 as past (``one_on_ones.error.past``) or too far
    (``one_on_ones.error.too_far``) before any time-zone arithmetic, which overflows at the
    ends of the years a datetime holds (0001-01-01T00:00+01:00, 9999-12-31T23:00-05:00)."""
    if day.year < 2000:
        raise Invalid("one_on_ones.error.past")
    if day.year > 2100:
        latest = plan_horizon(now, team.timezone).isoformat()
        raise Invalid("one_on_ones.error.too_far", latest=latest)


def read_start(
    text: str, *, team: Team, meeting: OneOnOneMeeting, now: datetime
) -> tuple[datetime, list[str]]:
    """The new start a move names at the start of ``text`` and the words after it, read by the
    shared reader :mod:`teamassist.chat.when` as ``/改期`` reads a meeting's (``2026-12-01``,
    ``12月1日下午6点`` glued or ``12月1日 18:00``, ``明天``, ``周五``, full-width digits), against
    the team-local today; without a time the 1on1 keeps its time of day (:func:`start_on`).
    Aware, in the team's zone.

    Raises Invalid ``one_on_ones.error.bad_when`` when no date starts ``text`` or the date does
    not exist, ``one_on_ones.error.bad_time`` for a time after it that does not exist (25:00),
    ``one_on_ones.error.past`` before 2000 and ``one_on_ones.error.too_far`` after 2100 (years a
    date holds but whose time-zone arithmetic may overflow)."""
    words = text.split()
    try:
        found = when.split_moment(words, local(now, team.timezone).date())
    except when.Unreadable as error:
        if words and error.word == words[0]:
            raise Invalid("one_on_ones.error.bad_when", value=error.word[:40]) from None
        raise Invalid("one_on_ones.error.bad_time", value=error.word[:40]) from None
    if found is None:
        raise Invalid("one_on_ones.error.bad_when", value=(words[0] if words else text)[:40])
    day, at, rest = found
    check_year(day, team=team, now=now)
    if at is None:
        return start_on(team, meeting, day), rest
    return datetime.combine(day, at, tzinfo=ZoneInfo(team.timezone)), rest


def reschedule(
    session: Session,
    *,
    team: Team,
    pair: OneOnOne,
    meeting: OneOnOneMeeting,
    start_at: datetime,
    by: Member | None,
    admin: bool,
    now: datetime,
    workdays: Workdays,
    note: str | None = None,
    how: messages.How = messages.CHAT,
) -> list[str]:
    """Move ``meeting`` to ``start_at`` (:func:`service.move`, whose errors it raises:
    ``Conflict`` ``one_on_ones.error.double_booked`` onto the pair's other occurrence); the
    warnings for the mover, user texts (empty on a working day before the pair's next 1on1):
    :func:`move_warnings`.
    Onto another pair's occurrence of either person: ``Conflict``
    ``one_on_ones.error.person_busy``."""
    service.move(
        session,
        pair=pair,
        meeting=meeting,
        start_at=start_at,
        by=by,
        admin=admin,
        now=now,
        workdays=workdays,
        note=note,
    )
    return move_warnings(
        session, team=team, pair=pair, meeting=meeting, workdays=workdays, now=now, how=how
    )


def move_warnings(
    session: Session,
    *,
    team: Team,
    pair: OneOnOne,
    meeting: OneOnOneMeeting,
    workdays: Workdays,
    now: datetime,
    how: messages.How = messages.CHAT,
) -> list[str]:
    """What the mover of ``meeting`` is told (the reply, REST ``warnings``, the page): a day
    off (:func:`day_off_warnings`), a start at night (:func:`night_warnings`), a move past
    the pair's next 1on1 (:func:`past_next_warnings`) and into a week where the pair talks
    already (:func:`same_week_warnings`); ``how`` names the way to move or cancel again
    (chat's commands, or REST's endpoints)."""
    return [
        *day_off_warnings(team=team, meeting=meeting, workdays=workdays, now=now),
        *night_warnings(team=team, meeting=meeting, now=now, how=how),
        *past_next_warnings(
            session, team=team, pair=pair, meeting=meeting, workdays=workdays, now=now, how=how
        ),
        *same_week_warnings(
            session, team=team, pair=pair, meeting=meeting, workdays=workdays, now=now, how=how
        ),
    ]


def same_week_warnings(
    session: Session,
    *,
    team: Team,
    pair: OneOnOne,
    meeting: OneOnOneMeeting,
    workdays: Workdays,
    now: datetime,
    how: messages.How = messages.CHAT,
) -> list[str]:
    """One warning when ``meeting`` now starts in a team-local week where the pair has another
    1on1 (stored and scheduled, or the rule's beyond the saved ones): the pair talks twice that
    week, as a slot change that keeps a hand move says (eea22cf; tester s27 C-6: the January
    talk moved beside February's said nothing)."""

    def week(start: datetime) -> tuple[int, int]:
        year, number, _day = local(start, team.timezone).isocalendar()
        return year, number

    own = week(meeting.start_at)
    stored = session.scalars(
        select(OneOnOneMeeting)
        .where(
            OneOnOneMeeting.pair_id == pair.id,
            OneOnOneMeeting.id != meeting.id,
            OneOnOneMeeting.status == service.SCHEDULED,
        )
        .order_by(OneOnOneMeeting.start_at, OneOnOneMeeting.id)
    ).all()
    other = next((m for m in stored if week(m.start_at) == own), None)
    if other is not None:
        return [
            t(
                "one_on_ones.warning.same_week",
                own=meeting.id,
                start=messages.when(meeting.start_at, team, now=now),
                other=other.id,
                other_start=messages.when(other.start_at, team, now=now),
                cancel=how.cancel(meeting.id),
                cancel_other=how.cancel(other.id),
            )
        ]
    ruled = service.unsaved_starts(session, team=team, pair=pair, now=now, workdays=workdays)
    start = next((s for s in ruled if week(s) == own), None)
    if start is None:
        return []
    return [
        t(
            "one_on_ones.warning.same_week_rule",
            own=meeting.id,
            start=messages.when(meeting.start_at, team, now=now),
            other_start=messages.when(start, team, now=now),
            move=how.move(meeting.id),
            cancel=how.cancel(meeting.id),
        )
    ]


def night_warnings(
    *, team: Team, meeting: OneOnOneMeeting, now: datetime, how: messages.How = messages.CHAT
) -> list[str]:
    """One warning when ``meeting`` starts at night on the team's clock, as a meeting's move
    is warned (:func:`~teamassist.clock.at_night`; tester s27 B-8: 02:30 and a ``+14:00``
    offset moved a 1on1 without a word)."""
    if not at_night(meeting.start_at, team.timezone):
        return []
    return [
        t(
            "one_on_ones.warning.night",
            start=messages.when(meeting.start_at, team, now=now),
            zone=team.timezone,
            move=how.move(meeting.id),
        )
    ]


def past_next_warnings(
    session: Session,
    *,
    team: Team,
    pair: OneOnOne,
    meeting: OneOnOneMeeting,
    workdays: Workdays,
    now: datetime,
    how: messages.How = messages.CHAT,
) -> list[str]:
    """One warning when ``meeting`` now starts after the pair's next 1on1 by its own place in
    the rule (a later ``key``; stored, or the rule's beyond the saved ones): the date is
    likely a typo, as the meetings' ``/改期`` warns (5821ec3). Measured from the key, every
    move warns, not only the first (tester s25 F-B2: 12-09 → 2027-04-07 said nothing)."""
    later = session.scalars(
        select(OneOnOneMeeting)
        .where(
            OneOnOneMeeting.pair_id == pair.id,
            OneOnOneMeeting.id != meeting.id,
            OneOnOneMeeting.status == service.SCHEDULED,
            OneOnOneMeeting.key > meeting.key,
            OneOnOneMeeting.end_at > ensure_utc(now),
        )
        .order_by(OneOnOneMeeting.start_at, OneOnOneMeeting.id)
        .limit(1)
    ).first()
    found: list[tuple[datetime, int | None]] = []
    if later is not None:
        found.append((ensure_utc(later.start_at), later.id))
    ruled = service.unsaved_starts(session, team=team, pair=pair, now=now, workdays=workdays)
    found += [(start, None) for start in ruled[:1]]
    if not found:
        return []
    start, number = min(found, key=lambda f: f[0])
    if ensure_utc(meeting.start_at) < start:
        return []
    nxt = t("one_on_ones.warning.next_id", id=number) if number else ""
    return [
        t(
            "one_on_ones.warning.past_next",
            next=nxt,
            start=messages.when(start, team, now=now),
            own=meeting.id,
            move=how.move(meeting.id),
            cancel=how.cancel(meeting.id),
        )
    ]


def day_off_warnings(
    *, team: Team, meeting: OneOnOneMeeting, workdays: Workdays, now: datetime | None = None
) -> list[str]:
    """One warning when ``meeting`` starts on a team-local day off: a weekend (not a 调休
    working day), else a statutory holiday; in a year without official data the day off is
    said to be a guess. With ``now``, a date in another year names its year."""
    day = local(meeting.start_at, team.timezone).date()
    if workdays.is_workday(day):
        return []
    what = t("one_on_ones.warning.weekend" if day.weekday() >= 5 else "one_on_ones.warning.holiday")
    text = t(
        "one_on_ones.warning.day_off",
        start=messages.when(meeting.start_at, team, now=now),
        what=what,
    )
    if not workdays.is_official(day.year):
        text += t("one_on_ones.warning.provisional", year=day.year)
    return [text]
