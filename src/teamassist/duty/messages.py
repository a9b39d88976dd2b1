"""Replies and notices of the duty desk, as platform-neutral :class:`Reply` objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from teamassist.chat.types import Reply
from teamassist.clock import local
from teamassist.duty.models import Rotation
from teamassist.duty.roster_view import RosterView
from teamassist.duty.rotation import SOURCE_ROTATION, Shift
from teamassist.duty.who_now import OnDutyPerson, RotationNow
from teamassist.i18n import lookup, t
from teamassist.team import service as team_service
from teamassist.team.models import Member


def weekday(day: date) -> str:
    """周一 … 周日."""
    names = lookup("duty.weekday") or []
    return str(names[day.weekday()]) if names else day.strftime("%a")


def mention(reply: Reply, member: Member) -> str:
    """Register ``member`` in ``reply`` and return the mention token."""
    return reply.mention(member.id, team_service.person(member))


def people_text(reply: Reply, people: Mapping[int, Member], ids: Sequence[int]) -> str:
    """「张三、李四（副）」: the primary first, secondaries marked."""
    parts: list[str] = []
    for index, member_id in enumerate(ids):
        member = people.get(member_id)
        if member is None:
            continue
        label = mention(reply, member)
        parts.append(label + (t("duty.secondary") if index > 0 else ""))
    return "、".join(parts)


def cell(
    reply: Reply,
    people: Mapping[int, Member],
    pieces: Sequence[Shift],
    *,
    now: datetime | None = None,
) -> str:
    """One rotation's duty day in words: its pieces in order, 「休息」 when there are none; with
    ``now``, a piece already over says so (「已结束」): a switch to statutory working days on a
    Saturday ends today's shift at once, and the roster still sent people to 张三, who no
    longer got their feedback (tester s29 F-8)."""
    if not pieces:
        return t("duty.roster_off")
    texts: list[str] = []
    for piece in pieces:
        text = people_text(reply, people, piece.member_ids) or t("duty.roster_nobody")
        if piece.member_ids and piece.source != SOURCE_ROTATION:
            text += t(f"duty.roster_source.{piece.source}")
        if now is not None and piece.member_ids and piece.end <= now:
            text += t("duty.roster_ended")
        # the same people twice in a row are one stretch; again after someone else, they hold
        # the rest of the day, and the table must end with them: 「@赵六 → @孙七（代班）」 after
        # a cancelled cover read as if 孙七 still held it (outside tester F1, session 23)
        if not texts or texts[-1] != text:
            texts.append(text)
    result = " → ".join(texts)
    if any(p.provisional for p in pieces):
        result += t("duty.roster_provisional")
    return result


def roster(view: RosterView, *, today: date, now: datetime | None = None) -> Reply:
    """The roster, one block per duty day, rotations side by side, today marked (seed style);
    with ``now``, the pieces already over are marked (:func:`cell`)."""
    reply = Reply(title=t("duty.roster_title"))
    blocks: list[str] = []
    people = view.people
    for row in view.days:
        head = f"**{row.day.strftime('%m-%d')} {weekday(row.day)}**"
        if row.day == today:
            head += " " + t("duty.roster_today")
        cells = [
            t(
                "duty.roster_rotation",
                rotation=rotation.name,
                people=t("duty.roster_empty_rotation")
                if rotation.id in view.empty and not pieces
                else cell(reply, people, pieces, now=now),
            )
            for rotation, pieces in row.cells
        ]
        blocks.append(head + "\n" + "　".join(cells))
    for rotation, year in view.warnings:
        blocks.append(t("duty.roster_warning", rotation=rotation.name, year=year))
    reply.body = "\n\n".join(blocks)
    return reply


def who(rotations: Sequence[RotationNow], tz: str) -> Reply:
    """Who is on duty now, per rotation, with sign-in state (times local to ``tz``)."""
    reply = Reply(title=t("duty.who_title"))
    lines: list[str] = []
    for rotation in rotations:
        if not rotation.people:
            lines.append(t("duty.who_line", rotation=rotation.name, people=t("duty.who_nobody")))
            continue
        people = "、".join(
            f"{reply.mention(p.id, p.person)}{t('duty.secondary') if i else ''}"
            f"（{_sign_state(p, tz)}）"
            for i, p in enumerate(rotation.people)
        )
        lines.append(t("duty.who_line", rotation=rotation.name, people=people))
    reply.body = "\n".join(lines) or t("duty.who_nobody")
    return reply


def _sign_state(person: OnDutyPerson, tz: str) -> str:
    if person.signed_in_at is None:
        return t("duty.who_not_signed_in")
    if person.signed_out_at is not None:
        return t("duty.who_signed_out", time=time_label(person.signed_out_at, tz))
    return t("duty.who_signed_in", time=time_label(person.signed_in_at, tz))


def simple(key: str, member: Member | None = None, **params: object) -> Reply:
    """A one-line reply; ``{name}`` becomes a mention of ``member``."""
    reply = Reply()
    if member is not None:
        params["name"] = mention(reply, member)
    reply.body = t(key, **params)
    return reply


def changed(
    *,
    key: str,
    rotation: Rotation,
    names: str,
    when: str,
    moved: Sequence[Member],
    upcoming: str,
) -> Reply:
    """A roster change: what changed, from when, whose shifts moved, and the next 7 days."""
    reply = Reply(title=t("duty.changed_title"))
    lines = [t(key, rotation=rotation.name, names=names, when=when)]
    if moved:
        lines.append(t("duty.moved", names="、".join(mention(reply, m) for m in moved)))
    else:
        lines.append(t("duty.moved_none"))
    if upcoming:
        lines.append(t("duty.next_days") + "\n" + upcoming)
    reply.body = "\n\n".join(lines)
    return reply


def time_label(at: datetime, tz: str) -> str:
    """Local HH:MM."""
    return local(at, tz).strftime("%H:%M")


def datetime_label(at: datetime, tz: str) -> str:
    """Local YYYY-MM-DD HH:MM."""
    return local(at, tz).strftime("%Y-%m-%d %H:%M")


def hour_words(value: str) -> str:
    """'00:00' → '12点', '08:00' → '8点', '07:30' → '7点30分' (the seed's way of saying it)."""
    hours, _, minutes = value.partition(":")
    hour = int(hours)
    label = t("duty.hour", hour=12 if hour == 0 else hour)
    return label + (t("duty.minute", minute=int(minutes)) if minutes and int(minutes) else "")
