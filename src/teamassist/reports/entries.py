"""Members' weekly entries (what ``/周报`` and the web form fill in): last week's priorities
done / not done, next week's, risks and requests for help.

An entry belongs to a week (its Monday, team-local). Written on day ``d`` it feeds the report
of the week holding ``d − 1``: the seed's weekly report is due Monday 17:30 and covers the
week before, so Monday's writing still lands in the week that just ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.bidi import unmarked
from teamassist.exceptions import Invalid
from teamassist.reports.models import WeeklyEntry
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text

FIELDS = ("done", "not_done", "next", "risks", "help")
MAX_FIELD = 2_000  # characters per field


def monday(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def week_of_writing(day: date) -> date:
    """The week (its Monday) an entry written on local ``day`` reports on."""
    return monday(day - timedelta(days=1))


def lines(text: str) -> list[str]:
    """A field's items: one per line or per ``；``/``;``, blanks dropped, no direction mark it
    does not need (:func:`teamassist.bidi.unmarked`, tester s27 B-2)."""
    parts = unmarked(text).replace("；", "\n").replace(";", "\n").splitlines()
    return [p.strip(" -·•\t") for p in parts if p.strip(" -·•\t")]


def get(session: Session, *, team: Team, member: Member, week: date) -> WeeklyEntry | None:
    """The member's entry of the week starting ``week`` (a Monday), if written."""
    return session.scalar(
        select(WeeklyEntry).where(
            WeeklyEntry.team_id == team.id,
            WeeklyEntry.member_id == member.id,
            WeeklyEntry.week_start == week,
        )
    )


def write(
    session: Session,
    *,
    team: Team,
    member: Member,
    week: date,
    values: dict[str, str],
    now: datetime,
) -> WeeklyEntry:
    """Set the given fields of the member's entry for ``week`` (others kept).

    Raises :class:`Invalid` ``reports.error.entry_field`` / ``reports.error.entry_size``,
    :class:`PermissionDenied` ``core.error.not_in_team`` for someone outside the team (REST
    names a team by ``team_id``: tester s23 F3); nothing changes then. Writing the same values
    again changes nothing (a redelivered message is harmless)."""
    team_service.require_in_team(session, team=team, member=member, key="core.error.not_in_team")
    for field, text in values.items():
        if field not in FIELDS:
            raise Invalid("reports.error.entry_field", field=field)
        if len(text) > MAX_FIELD:
            raise Invalid("reports.error.entry_size", limit=MAX_FIELD)
    # a field of only zero-width or control characters says nothing: not "done"
    if not values or not any(clean_text(text) for text in values.values()):
        raise Invalid("reports.error.entry_empty")
    entry = get(session, team=team, member=member, week=week)
    if entry is None:
        entry = WeeklyEntry(
            workspace_id=team.workspace_id,
            team_id=team.id,
            member_id=member.id,
            week_start=week,
            **dict.fromkeys(FIELDS, ""),
        )
        session.add(entry)
    for field, text in values.items():
        setattr(entry, field, "\n".join(lines(text)))
    entry.updated_at = now
    session.flush()
    return entry


def latest_in(
    session: Session, *, team: Team, member_ids: Sequence[int], start: date, end: date
) -> dict[int, WeeklyEntry]:
    """Each member's newest entry of a week that overlaps ``start``..``end``."""
    found = session.scalars(
        select(WeeklyEntry)
        .where(
            WeeklyEntry.team_id == team.id,
            WeeklyEntry.member_id.in_(member_ids),
            WeeklyEntry.week_start >= monday(start),
            WeeklyEntry.week_start <= end,
        )
        .order_by(WeeklyEntry.week_start)
    )
    return {e.member_id: e for e in found}  # later weeks overwrite earlier ones
