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

from sqlalchemy.orm import Session

from teamassist.clock import local
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
) -> list[str]:
    """Move ``meeting`` to ``start_at`` (:func:`service.move`, whose errors it raises:
    ``Conflict`` ``one_on_ones.error.double_booked`` onto the pair's other occurrence); the
    warnings for the mover, user texts (empty on a working day): :func:`day_off_warnings`.
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
    return day_off_warnings(team=team, meeting=meeting, workdays=workdays, now=now)


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
