"""Sending an occurrence's steps: notice, report due, meeting start, after-meeting evaluation.

The step sweep (:mod:`teamassist.meetings.jobs`) calls :func:`run` for a team. Each due step is
claimed with a compare-and-set on its ``<step>_sent_at`` column (``UPDATE … WHERE …_sent_at IS
NULL AND status = 'scheduled'``), so a step is sent once even when two runtimes, a restart or a
concurrent move or cancellation meet it; the outbox key (``meetings.<step>:<id>:<sequence>``)
is a second guard. A step reached too late to mean anything (a notice after the meeting
started, a start after it ended, an evaluation a day after it) is marked and not sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.clock import ensure_utc
from teamassist.enums import ChannelPurpose
from teamassist.events import (
    MeetingAgenda,
    MeetingOccurrenceChanged,
    ReportPackNeeded,
    ask,
    publish,
)
from teamassist.meetings import evaluation as evaluation_form
from teamassist.meetings import messages, report_tasks, service
from teamassist.meetings import settings as meeting_settings
from teamassist.meetings.models import MeetingOccurrence, Status, Step
from teamassist.ports import Workdays
from teamassist.team.models import Team

EVALUATION_WINDOW = evaluation_form.WINDOW  # how long the after-meeting evaluation stays open


@dataclass
class RunResult:
    """What one sweep did, for tests and the job log: (occurrence id, step) pairs."""

    sent: list[tuple[int, Step]] = field(default_factory=list)
    skipped: list[tuple[int, Step]] = field(default_factory=list)


def _too_late(occ: MeetingOccurrence, step: Step, now: datetime) -> bool:
    if step in (Step.NOTICE, Step.DUE):
        return now >= ensure_utc(occ.start_at)
    if step is Step.START:
        return now >= ensure_utc(occ.end_at)
    return now >= ensure_utc(occ.end_at) + EVALUATION_WINDOW


def _claim(session: Session, occ: MeetingOccurrence, step: Step, now: datetime) -> bool:
    column = getattr(MeetingOccurrence, f"{step.value}_sent_at")
    result = session.execute(
        update(MeetingOccurrence)
        .where(
            MeetingOccurrence.id == occ.id,
            column.is_(None),
            MeetingOccurrence.status == Status.SCHEDULED.value,
        )
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def pack_link(
    session: Session, team: Team, occ: MeetingOccurrence, now: datetime, *, refresh: bool = False
) -> str:
    """The report pack's link for ``occ`` (the reports domain answers), or ''; ``refresh``
    asks for the pack's content as of ``now`` (the report-due step)."""
    answers = ask(
        session,
        ReportPackNeeded(
            team=team,
            occurrence_id=occ.id,
            kind=occ.kind,
            title=occ.report_title,
            period_start=occ.period_start,
            period_end=occ.period_end,
            report_due=ensure_utc(occ.due_at),
            meeting_at=ensure_utc(occ.start_at),
            now=now,
            refresh=refresh,
        ),
    )
    return next((a for a in answers if a), "")


def agenda(session: Session, team: Team, now: datetime) -> list[str]:
    """The sections other domains add to a meeting's agenda (actions: escalated items)."""
    return [a for a in ask(session, MeetingAgenda(team=team, now=now)) if a]


def _send(session: Session, team: Team, occ: MeetingOccurrence, step: Step, now: datetime) -> None:
    series = meeting_settings.of(team)[meeting_settings.Kind(occ.kind)]
    key = f"meetings.{step.value}:{occ.id}:{occ.sequence}"
    if step is Step.NOTICE:
        link = pack_link(session, team, occ, now)
        sections = agenda(session, team, now)
        core = messages.notice(team, occ, series.core_text, link=link, agenda=sections)
        _to(session, team, ChannelPurpose.CORE, core, f"{key}:core", now)
        if series.team_text:
            whole = messages.notice(team, occ, series.team_text, link=link, agenda=[])
            _to(session, team, ChannelPurpose.TEAM, whole, f"{key}:team", now)
        # Announced: now it goes in people's calendars (a Feishu event; built in, the feeds),
        # and each core member of a weekly one gets their report to write as an action item.
        publish(session, MeetingOccurrenceChanged(occurrence_id=occ.id, now=now))
        report_tasks.ask_core_members(session, team=team, occ=occ, now=now)
    elif step is Step.DUE:
        link = pack_link(session, team, occ, now, refresh=True)  # the reports are in now
        reply = messages.due(team, occ, link=link)
        _to(session, team, ChannelPurpose.CORE, reply, key, now)
    elif step is Step.START:
        reply = messages.start(team, occ, agenda=agenda(session, team, now))
        _to(session, team, series.audience(), reply, key, now)
    else:
        close = ensure_utc(occ.end_at) + EVALUATION_WINDOW
        names = [m.display_name for m in evaluation_form.candidates(session, team=team)]
        reply = messages.evaluation(team, occ, close=close, candidates=names)
        _to(session, team, ChannelPurpose.TEAM, reply, key, now)


def _to(
    session: Session,
    team: Team,
    purpose: ChannelPurpose | tuple[ChannelPurpose, ...],
    reply: Reply,
    key: str,
    now: datetime,
) -> None:
    # Meeting notices are not held by a channel's quiet hours: they are sent at the hours the
    # team chose for them.
    notify.to_channels(
        session,
        team=team,
        purpose=purpose,
        reply=reply,
        key=key,
        now=now,
        hold_in_quiet_hours=False,
    )


def teams_with_work(session: Session, *, teams: Sequence[Team], now: datetime) -> set[int]:
    """The ids of ``teams`` :func:`run` may act on at ``now``, in two grouped queries: those
    with a step come due, and those :func:`service.ensure_planned` would plan again (fewer than
    ``REFILL`` days planned) that have a series switched on."""
    ids = [team.id for team in teams]
    if not ids:
        return set()
    chosen = set(
        session.scalars(
            select(MeetingOccurrence.team_id)
            .where(MeetingOccurrence.team_id.in_(ids), MeetingOccurrence.next_at <= now)
            .distinct()
        )
    )
    latest: dict[int, datetime] = {
        team_id: ensure_utc(at)
        for team_id, at in session.execute(
            select(MeetingOccurrence.team_id, func.max(MeetingOccurrence.start_at))
            .where(MeetingOccurrence.team_id.in_(ids))
            .group_by(MeetingOccurrence.team_id)
        )
    }
    horizon = now + timedelta(days=service.REFILL)
    for team in teams:
        if team.id in chosen:
            continue
        planned_to = latest.get(team.id)
        if planned_to is not None and planned_to >= horizon:
            continue
        if any(series.enabled for series in meeting_settings.of(team).series.values()):
            chosen.add(team.id)
    return chosen


def run(session: Session, *, team: Team, now: datetime, workdays: Workdays) -> RunResult:
    """Plan ahead if needed, then send every step of the team's occurrences due at ``now``."""
    now = ensure_utc(now)
    service.ensure_planned(session, team=team, now=now, workdays=workdays)
    result = RunResult()
    due = list(
        session.scalars(
            select(MeetingOccurrence)
            .where(MeetingOccurrence.team_id == team.id, MeetingOccurrence.next_at <= now)
            .order_by(MeetingOccurrence.next_at, MeetingOccurrence.id)
        )
    )
    for occ in due:
        for step, at in sorted(service.step_times(occ).items(), key=lambda item: item[1]):
            if at > now or service.sent_at(occ, step) is not None:
                continue
            if occ.status != Status.SCHEDULED.value or not _claim(session, occ, step, now):
                continue
            if _too_late(occ, step, now):
                result.skipped.append((occ.id, step))
                continue
            _send(session, team, occ, step, now)
            result.sent.append((occ.id, step))
        session.refresh(occ)
        occ.next_at = service.next_step_at(occ)
    session.flush()
    return result
