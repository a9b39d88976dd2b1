"""Chat commands: ``/发起360``, ``/360``, ``/拒绝360``, ``/发布360``, ``/结束360``.

Answers are never taken in chat: a chat message is stored with its sender (inbox, web chat
history), which would name the reviewer beside the answer. ``/360`` hands out the web form.
"""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply
from teamassist.reviews import messages, service
from teamassist.team.models import Member

commands = CommandGroup("reviews")


@commands.command(
    "reviews.start",
    args=[Arg("members", ArgKind.MEMBERS), Arg("due", ArgKind.DATE)],
)
def handle_start(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/发起360 @张三 @李四 2026-12-31 (the director or an admin)."""
    reviewees: list[Member] = args["members"]
    cycle = service.start(
        ctx.session,
        team=ctx.team,
        by=ctx.member,
        reviewees=reviewees,
        due_on=args["due"],
        now=ctx.now,
    )
    reviewers = {r.reviewer_id for r in service.requests(ctx.session, cycle=cycle)}
    return messages.started(cycle, reviewees, len(reviewers))


@commands.command("reviews.mine")
def handle_mine(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/360: my pending reviews (links to the form) and my released summaries."""
    rows = service.pending(ctx.session, team=ctx.team, reviewer=ctx.member, now=ctx.now)
    released = service.released_to(ctx.session, team=ctx.team, member=ctx.member)
    return messages.pending(ctx.public_url, rows, released, ctx.member)


@commands.command(
    "reviews.decline",
    args=[
        Arg("member", ArgKind.MEMBER),
        Arg("text", ArgKind.TEXT, required=False, max_length=service.MAX_REASON),
    ],
)
def handle_decline(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/拒绝360 @张三 [理由]: in the team's latest cycle."""
    cycle = service.latest_cycle(ctx.session, team=ctx.team)
    reviewee: Member = args["member"]
    service.decline(
        ctx.session,
        team=ctx.team,
        cycle=cycle,
        reviewee=reviewee,
        reviewer=ctx.member,
        reason=args.get("text"),
        now=ctx.now,
    )
    return messages.declined(reviewee)


@commands.command("reviews.release", args=[Arg("member", ArgKind.MEMBER)])
def handle_release(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/发布360 @张三: the director releases the latest cycle's summary to 张三."""
    cycle = service.latest_cycle(ctx.session, team=ctx.team)
    reviewee: Member = args["member"]
    service.release(
        ctx.session, team=ctx.team, cycle=cycle, reviewee=reviewee, by=ctx.member, now=ctx.now
    )
    return messages.released(cycle, reviewee)


@commands.command("reviews.close")
def handle_close(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/结束360: stop taking answers in the team's latest cycle now."""
    cycle = service.latest_cycle(ctx.session, team=ctx.team)
    changed = service.close(ctx.session, team=ctx.team, cycle=cycle, by=ctx.member, now=ctx.now)
    return messages.closed(ctx.public_url, cycle, changed)
