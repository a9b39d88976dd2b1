"""Scheduled duty notices: morning notice, sign-in/out reminders, evening notice, hand-off digest,
the evening-before reminder and the calendar warning. All go through the outbox with keys that
name team + date + slot, so a second run (restart, second runner) queues nothing new.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from teamassist import events
from teamassist.chat import notify
from teamassist.chat.buttons import command_button
from teamassist.chat.types import Button, ButtonStyle, Reply
from teamassist.clock import local
from teamassist.duty import messages, overrides, service, signin
from teamassist.enums import ChannelPurpose
from teamassist.i18n import lookup, t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

# Commands the public notice advertises (catalogue keys; missing ones are skipped).
PUBLIC_COMMANDS = (
    "feedback.commands.report",
    "feedback.commands.suggest",
    "duty.commands.roster",
    "duty.commands.who",
    "core.commands.help",
)


def _slot_label(team: Team, slot_at: datetime) -> str:
    return local(slot_at, team.timezone).strftime("%H%M")


def notice_key(kind: str, team: Team, slot_at: datetime, *parts: object) -> str:
    """The idempotency key of a scheduled notice: kind, team, local date *and* time slot.

    The slot belongs in the key: a team that configures two morning (or evening) times wants
    two notices, while a re-run of the same slot (restart, second runner) queues nothing new.
    """
    day = local(slot_at, team.timezone).date().isoformat()
    middle = "".join(f":{p}" for p in parts)
    return f"duty.{kind}:{team.id}{middle}:{day}:{_slot_label(team, slot_at)}"


def _public_commands() -> str:
    lines: list[str] = []
    for key in PUBLIC_COMMANDS:
        usage = lookup(f"{key}.usage")
        help_text = lookup(f"{key}.help")
        if usage and help_text:
            lines.append(f"- `{usage}`：{help_text}")
    return "\n".join(lines)


def morning_notice(session: Session, *, team: Team, slot_at: datetime, now: datetime) -> None:
    """Post today's duty people (the day's final schedule) and the public commands."""
    if not service.rotations(session, team=team):
        return
    reply = Reply(title=t("duty.notice.morning_title"))
    day = local(slot_at, team.timezone).date()
    entries = service.duty_day(session, team=team, day=day)
    people = service.members_by_id(session, (m for e in entries for m in e.people))
    lines = [
        t("duty.who_line", rotation=e.rotation.name, people=messages.cell(reply, people, e.pieces))
        for e in entries
    ]
    reply.body = t(
        "duty.notice.morning_body",
        lines="\n".join(lines) or t("duty.notice.morning_nobody"),
        commands=_public_commands(),
    )
    notify.to_channels(
        session,
        team=team,
        purpose=ChannelPurpose.PUBLIC,
        reply=reply,
        key=notice_key("morning_notice", team, slot_at),
        now=now,
    )


def _reminder_buttons(kind: str) -> list[Button]:
    # Signing in is one press (a Feishu card button); signing out needs the report text.
    if kind != "sign_in":
        return []
    return [command_button("duty.sign_in", "duty.button.sign_in", style=ButtonStyle.PRIMARY)]


def _remind(
    session: Session,
    *,
    team: Team,
    slot_at: datetime,
    now: datetime,
    kind: str,
) -> int:
    """Remind everyone on duty at ``slot_at`` who has not signed in (or out); returns how many."""
    pending: list[Member] = []
    statuses = signin.duty_status(session, team=team, at=slot_at)
    if kind == "sign_out":  # someone swapped out mid-day still owes the sign-out and report
        statuses += signin.open_sign_ins(session, team=team, at=slot_at)
    for status in statuses:
        row = status.sign
        late = row is None if kind == "sign_in" else (row is None or row.signed_out_at is None)
        if late and status.member.id not in {m.id for m in pending}:
            pending.append(status.member)
    if not pending:
        return 0
    key = notice_key(f"{kind}_reminder", team, slot_at)
    reply = Reply(buttons=_reminder_buttons(kind))
    reply.body = "\n".join(
        t(f"duty.notice.{kind}_reminder", name=messages.mention(reply, m)) for m in pending
    )
    internal = notify.team_channels(session, team=team, purpose=ChannelPurpose.INTERNAL)
    if internal:
        notify.to_channels(
            session,
            team=team,
            purpose=ChannelPurpose.INTERNAL,
            reply=reply,
            key=key,
            now=now,
        )
    else:  # no duty channel: remind each person directly
        for member in pending:
            direct = Reply(buttons=_reminder_buttons(kind))
            direct.body = t(f"duty.notice.{kind}_reminder", name=messages.mention(direct, member))
            notify.to_member(session, member=member, reply=direct, key=key, now=now)
    return len(pending)


def sign_in_reminder(session: Session, *, team: Team, slot_at: datetime, now: datetime) -> int:
    """「@x」你今天还未签到，请及时签到 — for each person on duty who has not signed in."""
    return _remind(session, team=team, slot_at=slot_at, now=now, kind="sign_in")


def sign_out_reminder(session: Session, *, team: Team, slot_at: datetime, now: datetime) -> int:
    """「@x」你今天还未签出… — for each person on duty who has not signed out."""
    return _remind(session, team=team, slot_at=slot_at, now=now, kind="sign_out")


def evening_notice(session: Session, *, team: Team, slot_at: datetime, now: datetime) -> None:
    """The seed's good-night notice to the public channels, with their quiet window."""
    channels = notify.team_channels(session, team=team, purpose=ChannelPurpose.PUBLIC)
    if not channels:
        return
    quiet = next((c for c in channels if c.quiet_start and c.quiet_end), None)
    quiet_text = (
        t(
            "duty.notice.evening_quiet",
            start=messages.hour_words(quiet.quiet_start or ""),
            end=messages.hour_words(quiet.quiet_end or ""),
        )
        if quiet
        else ""
    )
    reply = Reply(body=t("duty.notice.evening", quiet=quiet_text))
    notify.to_channels(
        session,
        team=team,
        purpose=ChannelPurpose.PUBLIC,
        reply=reply,
        key=notice_key("evening_notice", team, slot_at),
        now=now,
        # The notice announces the quiet hours; it must go out before they start.
        hold_in_quiet_hours=False,
    )


def handoff_digest(session: Session, *, team: Team, day: date, now: datetime) -> Reply | None:
    """Who hands over to whom for duty day ``day``, plus other desks' sections (open items).

    Both sides are read from the final schedules of the two duty days (the people holding
    most of each day), so a cover across the hand-off does not hide the real hand-over.
    """
    reply = Reply(title=t("duty.notice.handoff_title"))
    lines: list[str] = []
    previous = service.duty_day(session, team=team, day=day - timedelta(days=1))
    current = service.duty_day(session, team=team, day=day)
    transitions: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = []
    for before_day, after_day in zip(previous, current, strict=True):
        before, after = before_day.main, after_day.main
        if before != after:
            transitions.append((after_day.rotation.name, before, after))
    people = service.members_by_id(session, (i for _, b, a in transitions for i in (*b, *a)))
    for name, before, after in transitions:
        lines.append(
            t(
                "duty.notice.handoff_line",
                rotation=name,
                before=messages.people_text(reply, people, before)
                or t("duty.notice.handoff_nobody"),
                after=messages.people_text(reply, people, after) or t("duty.notice.handoff_nobody"),
            )
        )
    sections = events.ask(session, events.HandoffDigest(team=team, now=now))
    if not lines and not sections:
        return None
    reply.body = "\n\n".join(["\n".join(lines), *sections]).strip()
    return reply


def new_duty_day(session: Session, *, team: Team, slot_at: datetime, now: datetime) -> None:
    """At the start of the duty day: post the hand-off digest to the duty channels."""
    day = service.today(team, slot_at + timedelta(minutes=1))
    reply = handoff_digest(session, team=team, day=day, now=now)
    if reply is None:
        return
    notify.to_channels(
        session,
        team=team,
        purpose=ChannelPurpose.INTERNAL,
        reply=reply,
        key=notice_key("handoff", team, slot_at),
        now=now,
    )


def shift_eve_reminder(session: Session, *, team: Team, slot_at: datetime, now: datetime) -> int:
    """A personal note the evening before someone's shift starts (not for continuing turns).

    Everyone on tomorrow's final schedule who is not on today's gets it, with the time their
    first piece starts.
    """
    tomorrow = local(slot_at, team.timezone).date() + timedelta(days=1)
    today_days = service.duty_day(session, team=team, day=tomorrow - timedelta(days=1))
    tomorrow_days = service.duty_day(session, team=team, day=tomorrow)
    sent = 0
    for today_day, coming_day in zip(today_days, tomorrow_days, strict=True):
        rotation = coming_day.rotation
        previous = set(today_day.people)
        coming = [m for m in coming_day.people if m not in previous]
        people = service.members_by_id(session, coming)
        for member_id in coming:
            member = people.get(member_id)
            if member is None:
                continue
            starts = min(p.start for p in coming_day.pieces if member_id in p.member_ids)
            reply = Reply(title=t("duty.notice.eve_title"))
            reply.body = t(
                "duty.notice.eve_body",
                name=messages.mention(reply, member),
                date=tomorrow.isoformat(),
                rotation=rotation.name,
                time=messages.time_label(starts, team.timezone),
            )
            key = notice_key("eve", team, slot_at, rotation.id)
            if notify.to_member(session, member=member, reply=reply, key=key, now=now):
                sent += 1
    return sent


def calendar_check(session: Session, *, team: Team, slot_at: datetime, now: datetime) -> int:
    """Warn the admins (at most weekly) when a rotation will reach a year without holiday data."""
    warnings = overrides.calendar_warnings(session, team=team, now=slot_at)
    if not warnings:
        return 0
    week = local(slot_at, team.timezone).date().isocalendar()
    sent = 0
    for admin in team_service.admins(session, team=team):
        for warning in warnings:
            reply = Reply(
                title=t("duty.notice.calendar_warning_title"),
                body=t("duty.roster_warning", rotation=warning.rotation.name, year=warning.year),
            )
            key = (
                f"duty.calendar_unknown:{team.id}:{warning.rotation.id}:{warning.year}:"
                f"{week.year}-W{week.week:02d}"
            )
            if notify.to_member(session, member=admin, reply=reply, key=key, now=now):
                sent += 1
    return sent
