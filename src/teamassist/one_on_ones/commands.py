"""Chat commands of the 1on1s (English aliases in ``locale/one_on_ones.toml``):

- ``/一对一`` (``1on1``): my pairs and their next occurrence;
- ``/一对一 @张三``: the pair's slot, next occurrences, the agenda I may see, the prep pack;
- ``/一对一 @张三 每月第1个周四 10:00`` / ``每周 周三 15:00`` / ``每两周 周三 15:00``: set the
  slot (an admin or the director creates the pair on the way);
- ``/议题 @张三 <内容> [私密]`` (``topic``): an agenda item, private with a trailing 私密;
- ``/议题完成 <编号>`` (``topic-done``); ``/议题销项 <编号> [@负责人] <日期>`` (``topic-action``);
- ``/改期一对一 <编号> <日期> [HH:MM] [原因]`` (``1on1-move``): one occurrence (its number from
  ``/一对一 @某人``); without a time it keeps its time of day; onto a day off the reply warns;
- ``/取消一对一 <编号> [原因]`` (``1on1-cancel``): one occurrence; its open items carry over.

They call the same functions as the REST endpoints (:mod:`teamassist.one_on_ones.flows`).
"""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import ChatType, Reply
from teamassist.clock import ensure_utc
from teamassist.exceptions import Invalid
from teamassist.i18n import t
from teamassist.one_on_ones import agenda, changes, flows, messages, rules, service
from teamassist.one_on_ones.models import OneOnOne
from teamassist.ports import Workdays
from teamassist.team.models import Member, Team

commands = CommandGroup("one_on_ones")

_WHO = Arg("who", ArgKind.MEMBER, required=False)


def _pair(ctx: CommandContext, other: Member, *, create: bool) -> tuple[OneOnOne, Team]:
    """The speaker's pair with ``other`` and its team, wherever it lives (``flows.find_pair``);
    else a new one in the chat's team when ``create`` (``service.may_create`` decides)."""
    found = flows.find_pair(ctx.session, team=ctx.team, me=ctx.member, other=other)
    if found is not None:
        return found
    pair = flows.pair_with(
        ctx.session, team=ctx.team, me=ctx.member, other=other, admin=ctx.is_admin, create=create
    )
    return pair, ctx.team


_TEXT = Arg("text", ArgKind.TEXT, required=False, max_length=agenda.MAX_TEXT, overhead=20)


@commands.command("one_on_ones.show", args=[_WHO, _TEXT])
def handle_show(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/一对一 [@某人] [时段]."""
    workdays = ctx.ports.get(Workdays)
    other = args.get("who")
    text = (args.get("text") or "").strip()
    if other is None:
        if text:
            raise Invalid("one_on_ones.error.need_who")
        rows = flows.mine(
            ctx.session,
            team=ctx.team,
            viewer=ctx.member,
            admin=ctx.is_admin,
            now=ctx.now,
            workdays=workdays,
            everywhere=True,
        )
        names = flows.names(ctx.session, [p for p, _ in rows])
        teams = {t.id: t for t in flows.teams_of(ctx.session, [p for p, _ in rows])}
        return messages.listing(ctx.team, rows, names, ctx.now, teams)
    if text:
        read = rules.read_slot(text)
        if read is None:
            raise Invalid("one_on_ones.error.bad_slot")
        cadence, nth, weekday, at = read
        found = flows.find_pair(ctx.session, team=ctx.team, me=ctx.member, other=other)
        pair, team = found if found is not None else _pair(ctx, other, create=True)
        # an existing pair's old slot, named in the receipt: a second slot replaces the first
        # and drops its meetings, which the reply did not say (tester s23 F4)
        old = messages.slot_text(pair) if found is not None else None
        change = service.set_slot(
            ctx.session,
            team=team,
            pair=pair,
            slot=service.SlotIn(cadence, weekday, at.strftime("%H:%M"), nth),
            by=ctx.member,
            admin=ctx.administers(team),
            now=ctx.now,
            workdays=workdays,
        )
        nxt = service.next_meeting(ctx.session, pair=pair, now=ctx.now)
        names = flows.names(ctx.session, [pair])
        reply = messages.slot_set(team, pair, names, nxt, old=old, change=change, now=ctx.now)
        # say when one of the two leaves and the slot stops there (tester s23 F10: no next
        # meeting and no word why; s25 F-7: a weekly slot ending after one, no word either)
        leaving = messages.leaving(
            team, service.leavers(ctx.session, pair), has_next=nxt is not None
        )
        reply.body = "\n".join((reply.body, *leaving))
        return reply
    pair, team = _pair(ctx, other, create=False)
    # In a group chat others read the reply: the schedule only, the agenda stays in the DM.
    viewer = ctx.member if _direct(ctx) else None
    seen = flows.view(
        ctx.session, team=team, pair=pair, viewer=viewer, now=ctx.now, workdays=workdays
    )
    reply = messages.detail(
        team, pair, seen.upcoming, seen.items, seen.prep, seen.names, seen.held_at, ctx.now
    )
    if not _direct(ctx):
        reply.body += "\n" + t("one_on_ones.detail.in_group")
    return reply


def _direct(ctx: CommandContext) -> bool:
    return ctx.message.chat_type is ChatType.DIRECT


@commands.command(
    "one_on_ones.topic",
    args=[
        Arg("who", ArgKind.MEMBER),
        Arg("text", ArgKind.TEXT, max_length=agenda.MAX_TEXT, overhead=20),
    ],
)
def handle_topic(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/议题 @某人 <内容> [私密]; a private item only in a DM with the bot (in a group the
    message itself is read by everyone, so it is refused and nothing is stored)."""
    text, private = agenda.split_private(args["text"])
    if private and not _direct(ctx):
        raise Invalid("one_on_ones.error.private_in_group")
    pair, team = _pair(ctx, args["who"], create=False)
    service.replan(ctx.session, team=team, pair=pair, now=ctx.now, workdays=ctx.ports.get(Workdays))
    item = agenda.add(
        ctx.session, pair=pair, author=ctx.member, text=text, private=private, now=ctx.now
    )
    return messages.added(item, pair, flows.names(ctx.session, [pair]), echo=_direct(ctx))


@commands.command("one_on_ones.done", args=[Arg("id", ArgKind.INT)])
def handle_done(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/议题完成 <编号>."""
    team = flows.team_of_item(ctx.session, team=ctx.team, item_id=args["id"])
    pair, item = flows.item_of(ctx.session, team=team, item_id=args["id"], viewer=ctx.member)
    agenda.check(ctx.session, pair=pair, item=item, by=ctx.member, now=ctx.now)
    return messages.checked(item)


@commands.command(
    "one_on_ones.action",
    args=[
        Arg("id", ArgKind.INT),
        Arg("owner", ArgKind.MEMBER, required=False),
        Arg("due", ArgKind.DATE),
    ],
)
def handle_action(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/议题销项 <编号> [@负责人] <截止日期>."""
    team = flows.team_of_item(ctx.session, team=ctx.team, item_id=args["id"])
    pair, item = flows.item_of(ctx.session, team=team, item_id=args["id"], viewer=ctx.member)
    turned = agenda.to_action(
        ctx.session,
        team=team,
        pair=pair,
        item=item,
        by=ctx.member,
        owner=args.get("owner"),
        due=args["due"],
        now=ctx.now,
    )
    body = t("one_on_ones.receipt.action", id=item.id, note=turned.note)
    return Reply(body="\n".join((body, *turned.warnings)))


_NOTE = Arg("text", ArgKind.TEXT, required=False, max_length=service.MAX_NOTE, overhead=20)
# A move's date, time and reason: read by changes.read_start, not the parser's DATE (which
# refuses a time glued to the date).
_WHEN = Arg("text", ArgKind.TEXT, required=False, max_length=service.MAX_NOTE, overhead=80)


@commands.command("one_on_ones.move", args=[Arg("id", ArgKind.INT), _WHEN])
def handle_move(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/改期一对一 <编号> <日期>[时间] [原因]: the date and time as the shared reader reads them
    (``12月1日下午6点`` glued on, or ``12月1日 18:00``), as ``/改期`` does for a meeting."""
    text = args.get("text") or ""
    if not text.strip():
        raise Invalid("core.error.missing_arg", arg=t("core.arg.date"))
    # the occurrence's team, and the speaker's role there (not in the chat's team)
    team = flows.team_of_meeting(ctx.session, team=ctx.team, meeting_id=args["id"])
    admin = ctx.administers(team)
    pair, meeting = flows.meeting_of(
        ctx.session,
        team=team,
        meeting_id=args["id"],
        viewer=ctx.member,
        admin=admin,
        lock=True,
    )
    start_at, words = changes.read_start(text, team=team, meeting=meeting, now=ctx.now)
    note = " ".join(words) or None
    # read after the occurrence's lock: a repeat that waited sees the first one's move
    same_start = ensure_utc(meeting.start_at) == ensure_utc(start_at)
    was: messages.Moved = "moved"
    if same_start:
        was = "same" if meeting.note == note else "note"
    warnings = changes.reschedule(
        ctx.session,
        team=team,
        pair=pair,
        meeting=meeting,
        start_at=start_at,
        by=ctx.member,
        admin=admin,
        now=ctx.now,
        workdays=ctx.ports.get(Workdays),
        note=note,
    )
    return messages.moved(team, meeting, warnings, now=ctx.now, was=was)


@commands.command("one_on_ones.cancel", args=[Arg("id", ArgKind.INT), _NOTE])
def handle_cancel(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/取消一对一 <编号> [原因]."""
    team = flows.team_of_meeting(ctx.session, team=ctx.team, meeting_id=args["id"])
    admin = ctx.administers(team)
    pair, meeting = flows.meeting_of(
        ctx.session,
        team=team,
        meeting_id=args["id"],
        viewer=ctx.member,
        admin=admin,
        lock=True,
    )
    service.cancel(
        ctx.session,
        pair=pair,
        meeting=meeting,
        by=ctx.member,
        admin=admin,
        now=ctx.now,
        note=(args.get("text") or "").strip() or None,
    )
    following = service.next_meeting(ctx.session, pair=pair, now=ctx.now)
    return messages.cancelled(team, meeting, following, now=ctx.now)
