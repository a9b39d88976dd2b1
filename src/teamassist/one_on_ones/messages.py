"""Texts of the 1on1 replies and the reminder (catalogue: ``locale/one_on_ones.toml``).

Every agenda list here is given the items its reader may see (:func:`agenda.visible`): these
functions never load items themselves, so a private note cannot slip into a reply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from teamassist.chat import timetext
from teamassist.chat.types import Reply, plain_text, user_text
from teamassist.clock import local
from teamassist.i18n import t
from teamassist.one_on_ones import agenda, service
from teamassist.one_on_ones.models import AgendaItem, OneOnOne, OneOnOneMeeting
from teamassist.one_on_ones.prep import Prep
from teamassist.team.models import Member, Team
from teamassist.weblinks import chat_link

_WEEKDAYS = "一二三四五六日"
_NTH = "一二三四五"


def when(value: datetime, team: Team, *, now: datetime | None = None) -> str:
    """``10月8日（周四）10:00`` in the team's zone; the year in front when ``now`` is given
    and its team-local year is another (:func:`timetext.when`)."""
    return timetext.when(value, team.timezone, now=now)


def local_input(value: datetime, team: Team) -> str:
    """``2026-10-08T10:00`` in the team's zone (a datetime-local input's value)."""
    return local(value, team.timezone).strftime("%Y-%m-%dT%H:%M")


def slot_text(pair: OneOnOne) -> str:
    """``每月第1个周四 10:00``, ``每两周 周三 15:00``, or "no slot yet"."""
    if pair.cadence is None or pair.weekday is None or pair.at is None:
        return t("one_on_ones.slot.none")
    day = _WEEKDAYS[pair.weekday - 1]
    if pair.cadence == "monthly":
        return t("one_on_ones.slot.monthly", nth=pair.nth or 1, day=day, at=pair.at)
    if pair.cadence == "weekly":
        return t("one_on_ones.slot.weekly", day=day, at=pair.at)
    return t("one_on_ones.slot.biweekly", day=day, at=pair.at)


def title(pair: OneOnOne, names: Mapping[int, str]) -> str:
    """``1on1：张总 ↔ 张三`` (manager first)."""
    return t(
        "one_on_ones.title",
        manager=names.get(pair.manager_id, "?"),
        report=names.get(pair.report_id, "?"),
    )


def meeting_line(team: Team, meeting: OneOnOneMeeting, now: datetime | None = None) -> str:
    """``10月8日（周四）10:00 · 按计划 · #12`` (with ``now``, another year than its is named)."""
    if meeting.status == service.CANCELLED:
        state = t("one_on_ones.state.cancelled")
    elif meeting.moved:
        state = t("one_on_ones.state.moved")
    else:
        state = t("one_on_ones.state.scheduled")
    line = t(
        "one_on_ones.meeting_line",
        id=meeting.id,
        start=when(meeting.start_at, team, now=now),
        state=state,
    )
    if meeting.provisional:
        line += t("one_on_ones.word.provisional")
    return line


def listing(
    team: Team,
    rows: Sequence[tuple[OneOnOne, OneOnOneMeeting | None]],
    names: Mapping[int, str],
    now: datetime | None = None,
    teams: Mapping[int, Team] | None = None,
) -> Reply:
    """``/一对一``: the viewer's pairs, their slot and next occurrence (in its pair's team's
    time, ``teams``, for pairs not of ``team``)."""
    if not rows:
        return Reply(title=t("one_on_ones.list.title"), body=t("one_on_ones.list.empty"))
    lines = []
    for pair, upcoming in rows:
        home = (teams or {}).get(pair.team_id, team)
        nxt = meeting_line(home, upcoming, now) if upcoming else t("one_on_ones.list.no_next")
        lines.append(
            t(
                "one_on_ones.list.line",
                id=pair.id,
                title=title(pair, names),
                slot=slot_text(pair),
                next=nxt,
            )
        )
    lines.append(t("one_on_ones.list.tail"))
    return Reply(title=t("one_on_ones.list.title"), body="\n".join(lines))


def item_line(item: AgendaItem, held_at: datetime | None, names: Mapping[int, str]) -> str:
    """``☐ #3 Q1规划 · 张三`` (with the marks that apply)."""
    marks = []
    if item.private:
        marks.append(t("one_on_ones.word.private"))
    if agenda.carried(item, held_at):
        marks.append(t("one_on_ones.word.carried"))
    if item.action_note:
        marks.append(t("one_on_ones.word.action"))
    return t(
        "one_on_ones.agenda.line",
        box="☑" if item.done_at else "☐",
        id=item.id,
        text=user_text(item.text),
        author=names.get(item.author_id, "?"),
        marks=" ".join(marks),
    ).rstrip()


def detail(
    team: Team,
    pair: OneOnOne,
    upcoming: Sequence[OneOnOneMeeting],
    items: Sequence[AgendaItem] | None,
    prep: Prep | None,
    names: Mapping[int, str],
    held_at: datetime | None = None,
    now: datetime | None = None,
) -> Reply:
    """``/一对一 @张三``: slot, next occurrences, the agenda the viewer may see, the prep pack.
    ``items`` None: the viewer is no party (an admin) and sees the schedule alone."""
    body = [t("one_on_ones.detail.slot", slot=slot_text(pair))]
    if pair.place:
        body.append(t("one_on_ones.detail.place", place=user_text(pair.place)))
    if pair.video_url:
        body.append(t("one_on_ones.detail.video", url=chat_link(pair.video_url)))
    body.append(t("one_on_ones.detail.meetings"))
    body += [meeting_line(team, m, now) for m in upcoming] or [t("one_on_ones.list.no_next")]
    if items is not None:
        body.append(t("one_on_ones.detail.agenda"))
        body += [item_line(i, held_at, names) for i in items] or [t("one_on_ones.agenda.empty")]
    if prep is not None:
        body += prep_lines(team, prep, names)
    return Reply(title=title(pair, names), body="\n".join(body))


def prep_lines(team: Team, prep: Prep, names: Mapping[int, str]) -> list[str]:
    """The prep pack as lines (the other person's Os and KRs, overdue action items)."""
    lines = [t("one_on_ones.prep.title", name=names.get(prep.person_id, "?"))]
    for move in prep.objectives:
        fact = move.fact
        now_pct = round(fact.progress * 100)
        if move.before is not None and prep.since is not None:
            delta = now_pct - round(move.before * 100)
            change = t("one_on_ones.prep.change", delta=f"{delta:+d}", since=prep.since.isoformat())
        else:
            change = ""
        lines.append(
            t(
                "one_on_ones.prep.objective",
                label=fact.label,
                title=user_text(fact.title),
                progress=now_pct,
                change=change,
            ).rstrip()
        )
        for kr in fact.key_results:
            confidence = "–" if kr.confidence is None else str(kr.confidence)
            if kr.confidence_then is not None and prep.since is not None:
                confidence = t(
                    "one_on_ones.prep.confidence_change",
                    before=kr.confidence_then,
                    now=confidence,
                )
            lines.append(
                t(
                    "one_on_ones.prep.kr",
                    label=kr.label,
                    title=user_text(kr.title),
                    progress=round(kr.progress * 100),
                    confidence=confidence,
                )
            )
    if not prep.objectives:
        lines.append(t("one_on_ones.prep.no_okr"))
    if prep.overdue:
        lines.append(t("one_on_ones.prep.overdue", count=len(prep.overdue)))
        lines += [
            t(
                "one_on_ones.prep.overdue_line",
                id=f.id,
                title=user_text(f.title),
                due=when(f.due_at, team),
            )
            for f in prep.overdue
        ]
    else:
        lines.append(t("one_on_ones.prep.no_overdue"))
    if prep.goals:
        lines.append(t("one_on_ones.prep.goals", count=len(prep.goals)))
        for goal in prep.goals:
            target = goal.target_date.isoformat() if goal.target_date else "–"
            late = t("one_on_ones.prep.goal_overdue") if goal.overdue else ""
            lines.append(
                t(
                    "one_on_ones.prep.goal",
                    number=goal.number,
                    title=user_text(goal.title),
                    target=target,
                    late=late,
                ).rstrip()
            )
    return lines


def slot_set(
    team: Team,
    pair: OneOnOne,
    names: Mapping[int, str],
    nxt: OneOnOneMeeting | None,
    *,
    old: str | None = None,
    change: service.SlotChange | None = None,
    now: datetime | None = None,
) -> Reply:
    """The receipt of a new slot, with the next occurrence; ``old``: the slot it replaced;
    ``change``: what became of the occurrences moved by hand (:func:`moved_kept`)."""
    body = t("one_on_ones.receipt.slot", title=title(pair, names), slot=slot_text(pair))
    if old is not None and old != slot_text(pair):
        body += t("one_on_ones.receipt.replaced", old=old)
    if nxt is not None:
        body += "\n" + t("one_on_ones.receipt.next", line=meeting_line(team, nxt))
    if change is not None:
        body = "\n".join((body, *moved_kept(team, change, now=now)))
    return Reply(body=body)


def leaving(team: Team, leavers: Sequence[Member], *, has_next: bool) -> list[str]:
    """One line per person of a pair set to leave (:func:`service.leavers`): the slot plans
    nothing from that day, and before it nothing at all when ``has_next`` is False. The chat
    receipt's last lines and REST's ``warnings`` of a slot change."""
    key = "one_on_ones.warning.leaves_later" if has_next else "one_on_ones.warning.leaves_first"
    return [
        t(
            key,
            name=person.display_name,
            date=local(person.deactivated_at, team.timezone).date().isoformat(),
        )
        for person in leavers
        if person.deactivated_at is not None
    ]


@dataclass(frozen=True)
class How:
    """How a warning names the way to move or cancel an occurrence: chat's commands
    (``/改期一对一 5``), or, for a REST answer, the pair's endpoints (``pair_id`` set): a
    script reading ``warnings`` has no chat to type a command in (tester s28 E-7)."""

    pair_id: int | None = None

    def move(self, meeting_id: int) -> str:
        """The way to move occurrence ``meeting_id`` again."""
        if self.pair_id is None:
            return t("one_on_ones.how.move", id=meeting_id)
        return t("one_on_ones.how.move_rest", pair=self.pair_id, id=meeting_id)

    def cancel(self, meeting_id: int) -> str:
        """The way to cancel occurrence ``meeting_id``."""
        if self.pair_id is None:
            return t("one_on_ones.how.cancel", id=meeting_id)
        return t("one_on_ones.how.cancel_rest", pair=self.pair_id, id=meeting_id)


CHAT = How()


def moved_kept(
    team: Team, change: service.SlotChange, *, now: datetime | None, how: How = CHAT
) -> list[str]:
    """One line per occurrence moved by hand that a new slot met: kept where it was moved,
    or (the new slot has one at that time) put back on the slot or cancelled, and why. The
    chat receipt's last lines and REST's ``warnings`` (``how``: the way to cancel named for
    REST)."""
    lines = [
        t("one_on_ones.receipt.kept", id=m.id, start=when(m.start_at, team, now=now))
        for m in change.kept
    ]
    for gone in change.dropped:
        back = gone.meeting.status == service.SCHEDULED
        lines.append(
            t(
                "one_on_ones.receipt.dropped_back" if back else "one_on_ones.receipt.dropped",
                id=gone.meeting.id,
                was=when(gone.was_start, team, now=now),
                clash=when(gone.clash_start, team, now=now),
                start=when(gone.meeting.start_at, team, now=now),
            )
        )
    lines += [
        t(
            "one_on_ones.receipt.same_week",
            id=kept.id,
            start=when(kept.start_at, team, now=now),
            other=other.id,
            other_start=when(other.start_at, team, now=now),
            cancel_id=how.cancel(kept.id),
            cancel_other=how.cancel(other.id),
        )
        for kept, other in change.same_week
    ]
    return lines


def added(item: AgendaItem, pair: OneOnOne, names: Mapping[int, str], *, echo: bool) -> Reply:
    """The receipt of an agenda item (a private one says who reads it: nobody else).
    ``echo`` False (a group chat): a private note's text is not repeated to the group."""
    if item.private and not echo:
        return Reply(body=t("one_on_ones.receipt.added_private_group", id=item.id))
    key = "one_on_ones.receipt.added_private" if item.private else "one_on_ones.receipt.added"
    return Reply(body=t(key, id=item.id, text=user_text(item.text), title=title(pair, names)))


# what a /改期一对一 did: moved it, changed only its reason, or nothing (the same again)
Moved = Literal["moved", "note", "same"]
# The receipt key of each way a move ends (tests/house/test_catalogue_keys.py lists them).
MOVED_KEYS: Mapping[Moved, str] = {"moved": "moved", "note": "note_only", "same": "same_time"}


def moved(
    team: Team,
    meeting: OneOnOneMeeting,
    warnings: Sequence[str] = (),
    *,
    now: datetime,
    was: Moved = "moved",
) -> Reply:
    """The receipt of a moved occurrence (the year shown when it is not ``now``'s), each
    warning on a line of its own after it. ``was``: ``"same"`` when it already had that time
    and reason (a repeat: nothing changed, tester s26 B-11: 20 repeats were each told 「已把
    1on1 #26 改到 …」), ``"note"`` when only its reason changed; then the time did not change
    and its warnings (「新的时间…」) are not said again (tester s27 C-6)."""
    start = when(meeting.start_at, team, now=now)
    body = t(f"one_on_ones.receipt.{MOVED_KEYS[was]}", id=meeting.id, start=start)
    if was != "moved":
        return Reply(body=body)
    return Reply(body="\n".join((body, *warnings)))


def cancelled(
    team: Team, meeting: OneOnOneMeeting, following: OneOnOneMeeting | None, *, now: datetime
) -> Reply:
    """The receipt of a cancelled occurrence (the year shown when it is not ``now``'s) and
    where its open items go: ``following``, the pair's next scheduled one, or none."""
    start = when(meeting.start_at, team, now=now)
    carry = carried_to(team, following, now=now)
    return Reply(body=t("one_on_ones.receipt.cancelled", id=meeting.id, start=start, carry=carry))


def carried_to(team: Team, following: OneOnOneMeeting | None, *, now: datetime) -> str:
    """Where open agenda items go after a cancellation: the next scheduled occurrence (a
    tester was told "the next one" while it was cancelled too), or that there is none yet."""
    if following is None:
        return t("one_on_ones.receipt.carry_none")
    start = when(following.start_at, team, now=now)
    return t("one_on_ones.receipt.carry_next", start=start, id=following.id)


# What ends a sentence: a quoted text ending in one is not followed by a second 「。」.
_ENDS = ("。", "！", "？", "!", "?", "…", ".")


def checked(item: AgendaItem) -> Reply:
    """The receipt of a checked-off item (tester s27 C-6: 「并发议题。」。 ended twice)."""
    text = user_text(item.text)
    if item.text.rstrip().endswith(_ENDS):
        return Reply(body=t("one_on_ones.receipt.checked_ended", id=item.id, text=text))
    return Reply(body=t("one_on_ones.receipt.checked", id=item.id, text=text))


def reminder(
    team: Team, pair: OneOnOne, meeting: OneOnOneMeeting, names: Mapping[int, str], open_items: int
) -> Reply:
    """The day-before reminder to one person (``open_items``: what *they* may see open)."""
    body = t(
        "one_on_ones.reminder.body",
        title=title(pair, names),
        start=when(meeting.start_at, team),
        count=open_items,
    )
    if pair.place:
        body += "\n" + t("one_on_ones.detail.place", place=user_text(pair.place))
    if pair.video_url:
        body += "\n" + t("one_on_ones.detail.video", url=chat_link(pair.video_url))
    return Reply(title=t("one_on_ones.reminder.title"), body=body)


def plain(text: str) -> str:
    """A line for a page (no chat markup: the template escapes it)."""
    return plain_text(text).replace("**", "")
