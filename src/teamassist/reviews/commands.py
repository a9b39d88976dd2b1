"""Chat commands: ``/发起360``, ``/360``, ``/360评价人``, ``/批准360``, ``/拒绝360``, ``/发布360``,
``/结束360``.

Answers are never taken in chat: a chat message is stored with its sender (inbox, web chat
history), which would name the reviewer beside the answer. ``/360`` hands out the web form.
"""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply
from teamassist.exceptions import DomainError, Invalid
from teamassist.reviews import messages, service
from teamassist.reviews.models import Pool, RequestStatus
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
    """/360: my pending reviews (links to the form) and my released summaries; for the
    director or an admin also the nominations waiting for approval."""
    rows = service.pending(ctx.session, team=ctx.team, reviewer=ctx.member, now=ctx.now)
    released = service.released_to(ctx.session, team=ctx.team, member=ctx.member)
    reply = messages.pending(ctx.public_url, rows, released, ctx.member)
    if service.may_manage(ctx.session, team=ctx.team, member=ctx.member):
        waiting = service.waiting_nominations(ctx.session, team=ctx.team, now=ctx.now)
        if waiting:
            reply = Reply(title=reply.title, body=reply.body + "\n" + messages.nominations(waiting))
        # a cycle past its due day with summaries to release (tester N7)
        over = service.ended_unreleased(ctx.session, team=ctx.team, now=ctx.now)
        if over:
            lines = messages.ended(ctx.public_url, over, timezone=ctx.team.timezone)
            reply = Reply(title=reply.title, body=reply.body + "\n" + lines)
    return reply


_POOL_WORDS = {
    "上级": Pool.MANAGER,
    "同事": Pool.PEER,
    "下属": Pool.REPORT,
    "manager": Pool.MANAGER,
    "peer": Pool.PEER,
    "report": Pool.REPORT,
}


@commands.command(
    "reviews.add_reviewer",
    args=[
        Arg("member", ArgKind.MEMBER),
        Arg("reviewers", ArgKind.MEMBERS),
        Arg("pool", ArgKind.WORD, required=False, max_length=20),
    ],
)
def handle_add_reviewer(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/360评价人 @被评人 @评价人… [上级|同事|下属]: the director adds reviewers (invited at
    once); the reviewee nominates peers (they wait for approval). Latest cycle; peer by
    default; the pool word is every named reviewer's. Several reviewers in one message are
    taken one by one (tester s25 F-19: a second was refused as 「多余的内容」 and the pool word
    with it): each gets its own line, added or refused with the reason; one refused leaves
    the others added. Refused all for one reason (not the director, no cycle): that reason."""
    word = str(args.get("pool") or "同事").strip().casefold()
    pool = _POOL_WORDS.get(word)
    if pool is None:
        raise Invalid("reviews.error.bad_pool", pool=word[:20])
    cycle = service.latest_cycle(ctx.session, team=ctx.team)
    reviewee: Member = args["member"]
    reviewers: list[Member] = list({m.id: m for m in args["reviewers"]}.values())
    lines: list[str] = []
    refusals: list[DomainError] = []
    for reviewer in reviewers:
        try:
            with ctx.session.begin_nested():
                row = service.add_reviewer(
                    ctx.session,
                    team=ctx.team,
                    cycle=cycle,
                    reviewee=reviewee,
                    reviewer=reviewer,
                    pool=pool.value,
                    by=ctx.member,
                    now=ctx.now,
                )
        except DomainError as refused:
            refusals.append(refused)
            lines.append(messages.reviewer_refused(reviewer, refused.message()))
            continue
        lines.append(messages.reviewer_added(reviewee, reviewer, row.pool, row.status).body)
    if len(refusals) == len(reviewers) and len({r.message() for r in refusals}) == 1:
        raise refusals[0]  # one reason for all (or the only one): said once, nothing changed
    return Reply(body="\n".join(lines))


@commands.command(
    "reviews.approve",
    args=[Arg("member", ArgKind.MEMBER), Arg("reviewer", ArgKind.MEMBER)],
)
def handle_approve(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/批准360 @被评人 @评价人: the director approves a nomination in the latest cycle."""
    cycle = service.latest_cycle(ctx.session, team=ctx.team)
    reviewee: Member = args["member"]
    reviewer: Member = args["reviewer"]
    service.require_manager(ctx.session, team=ctx.team, member=ctx.member, what="approve")
    row = service.find_request(ctx.session, cycle=cycle, reviewee=reviewee, reviewer=reviewer)
    row = service.approve(
        ctx.session, team=ctx.team, cycle=cycle, request_id=row.id, by=ctx.member, now=ctx.now
    )
    return messages.reviewer_added(reviewee, reviewer, row.pool, RequestStatus.INVITED.value)


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
    changed = service.release(
        ctx.session, team=ctx.team, cycle=cycle, reviewee=reviewee, by=ctx.member, now=ctx.now
    )
    if not changed:
        when = service.released_at(ctx.session, cycle=cycle, reviewee=reviewee)
        return messages.released_before(cycle, reviewee, when, ctx.team.timezone)
    return messages.released(cycle, reviewee)


@commands.command("reviews.close")
def handle_close(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/结束360: stop taking answers in the team's latest cycle now."""
    cycle = service.latest_cycle(ctx.session, team=ctx.team)
    changed = service.close(ctx.session, team=ctx.team, cycle=cycle, by=ctx.member, now=ctx.now)
    return messages.closed(ctx.public_url, cycle, changed)
