"""Chat commands of the feedback desk: the seed's four, verbatim, and the lifecycle around them."""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.parser import DATE_YEARS
from teamassist.chat.registry import Arg, ArgKind, CommandGroup, Permission
from teamassist.chat.types import Reply
from teamassist.exceptions import Invalid, PermissionDenied
from teamassist.feedback import access, flows, messages
from teamassist.feedback import queries as feedback_queries
from teamassist.feedback import service as feedback_service
from teamassist.feedback import stats as feedback_stats
from teamassist.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from teamassist.feedback.queries import FeedbackFilter
from teamassist.feedback.service import MAX_NOTE, MAX_TEXT, Origin
from teamassist.ports import Roster, Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

commands = CommandGroup("feedback")

LIST_LIMIT = 10
_ID = Arg("id", ArgKind.INT)
_NOTE = Arg("note", ArgKind.TEXT, required=False, max_length=MAX_NOTE)


def _origin(ctx: CommandContext) -> Origin:
    message = ctx.message
    # A local speaker's lookup read the name with who they are (REST, web chat: one statement
    # less per report); a platform message asks.
    chat_name = ctx.origin_name
    if chat_name is None:
        chat_name = flows.channel_name(
            ctx.session,
            team=ctx.team,
            platform=message.platform.value,
            chat_key=message.chat_key,
        )
    return Origin(
        platform=message.platform.value,
        tenant_key=message.tenant_key,
        chat_key=message.chat_key,
        chat_name=chat_name,
        message_id=message.message_id or None,
    )


def _desk(ctx: CommandContext, item_id: int) -> FeedbackItem:
    """The item, if the speaker may work *its* team's desk (``flows.require_desk``, as REST and
    the dashboard ask): ``Permission.ON_DUTY`` only said they were on their own team's desk,
    and another team's admin resolved this team's feedback (tester s18 F20)."""
    item = feedback_service.get(ctx.session, workspace_id=ctx.workspace.id, item_id=item_id)
    if ctx.is_platform_admin and item.team_id == ctx.team.id:
        return item  # a platform admin in this team's chat works its desk
    team = team_service.get_team(ctx.session, workspace_id=item.workspace_id, team_id=item.team_id)
    try:
        flows.require_desk(
            ctx.session,
            roster=ctx.ports.get(Roster),
            team=team,
            member=ctx.member,
            now=ctx.now,
            item=item,
        )
    except PermissionDenied:
        # say whose desk it is: the speaker may well work their own team's
        raise PermissionDenied("feedback.error.not_your_desk", id=item.id, team=team.name) from None
    return item


def _submit(ctx: CommandContext, kind: FeedbackKind, text: str) -> Reply:
    done = flows.submit(
        ctx.session,
        roster=ctx.ports.get(Roster),
        team=ctx.team,
        reporter=ctx.member,
        kind=kind,
        text=text,
        origin=_origin(ctx),
        now=ctx.now,
    )
    return messages.received(
        done.item,
        done.owner,
        off_duty=done.off_duty,
        route=done.route,
        rotation=done.rotation,
        team=ctx.team,
    )


@commands.command("feedback.report", args=[Arg("text", ArgKind.TEXT, max_length=MAX_TEXT)])
def handle_report(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/问题反馈: a bug for the tech person on duty."""
    return _submit(ctx, FeedbackKind.BUG, args["text"])


@commands.command("feedback.suggest", args=[Arg("text", ArgKind.TEXT, max_length=MAX_TEXT)])
def handle_suggest(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/产品建议: a suggestion for the product person on duty."""
    return _submit(ctx, FeedbackKind.SUGGESTION, args["text"])


@commands.command(
    "feedback.today",
    args=[Arg("date", ArgKind.DATE, required=False)],
    permission=Permission.ON_DUTY,
)
def handle_today(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/当日反馈: the day's items with type, id, text, reporter and status."""
    day = args.get("date") or ctx.today
    if day.year not in DATE_YEARS:  # 9999-12-31 has no next day to end the list at
        raise Invalid(
            "core.error.date_out_of_range",
            value=day.isoformat(),
            first=DATE_YEARS.start,
            last=DATE_YEARS.stop - 1,
        )
    return messages.day_list(feedback_queries.day_lines(ctx.session, team=ctx.team, day=day), day)


def _today_after(ctx: CommandContext, lead: Reply) -> Reply:
    lines = feedback_queries.day_lines(ctx.session, team=ctx.team, day=ctx.today)
    reply = messages.day_list(lines, ctx.today, lead=lead.body)
    reply.people.update(lead.people)
    return reply


@commands.command("feedback.resolve", args=[_ID, _NOTE], permission=Permission.ON_DUTY)
def handle_resolve(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/标注解决: resolve, tell the reporter, show today's list (as the seed did)."""
    item = _desk(ctx, args["id"])
    flows.close(
        ctx.session,
        item=item,
        status=FeedbackStatus.RESOLVED,
        actor=ctx.member,
        now=ctx.now,
        note=args.get("note"),
    )
    return _today_after(ctx, messages.done("resolved", item))


@commands.command("feedback.ack", args=[_ID, _NOTE], permission=Permission.ON_DUTY)
def handle_ack(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/确认反馈: someone is on it; the reporter hears so."""
    item = _desk(ctx, args["id"])
    flows.acknowledge(ctx.session, item=item, actor=ctx.member, now=ctx.now, note=args.get("note"))
    owner = ctx.session.get(Member, item.owner_id) if item.owner_id else None
    return messages.done("acknowledged", item, owner)


@commands.command("feedback.wontfix", args=[_ID, _NOTE], permission=Permission.ON_DUTY)
def handle_wontfix(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/不予处理: close without a fix, with the reason."""
    item = _desk(ctx, args["id"])
    flows.close(
        ctx.session,
        item=item,
        status=FeedbackStatus.WONT_FIX,
        actor=ctx.member,
        now=ctx.now,
        note=args.get("note"),
    )
    return messages.done("wont_fix", item)


@commands.command(
    "feedback.duplicate",
    args=[_ID, Arg("original", ArgKind.INT), _NOTE],
    permission=Permission.ON_DUTY,
)
def handle_duplicate(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/重复反馈: merge into the original, which counts a "+1"."""
    item = _desk(ctx, args["id"])
    original = feedback_service.get(
        ctx.session, workspace_id=ctx.workspace.id, item_id=args["original"]
    )
    flows.mark_duplicate(
        ctx.session,
        item=item,
        original=original,
        actor=ctx.member,
        now=ctx.now,
        note=args.get("note"),
    )
    root = feedback_service.root_of(ctx.session, item)
    return messages.done("duplicate", item, original=root.id, count=root.plus_ones + 1)


@commands.command("feedback.reopen", args=[_ID, _NOTE], permission=Permission.ON_DUTY)
def handle_reopen(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/重开反馈: back to open, the follow-up clock starts again."""
    item = _desk(ctx, args["id"])
    flows.reopen(ctx.session, item=item, actor=ctx.member, now=ctx.now, note=args.get("note"))
    owner = ctx.session.get(Member, item.owner_id) if item.owner_id else None
    return messages.done("reopened", item, owner)


@commands.command(
    "feedback.assign",
    args=[_ID, Arg("owner", ArgKind.MEMBER), _NOTE],
    permission=Permission.ON_DUTY,
)
def handle_assign(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/指派反馈: give the item to someone (they are told directly)."""
    item = _desk(ctx, args["id"])
    owner = args["owner"]
    flows.assign(
        ctx.session, item=item, owner=owner, actor=ctx.member, now=ctx.now, note=args.get("note")
    )
    reply = messages.done("assigned", item, owner)
    team = ctx.session.get(Team, item.team_id) or ctx.team
    reply.body += "".join(f"\n{w}" for w in messages.leaves(owner, team))
    return reply


@commands.command(
    "feedback.search",
    args=[Arg("text", ArgKind.TEXT, max_length=200)],
    permission=Permission.ON_DUTY,
)
def handle_search(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/查找反馈: items whose text contains the words, newest first, of the teams whose desk
    the speaker works (and their own), as REST lists them: the permission said only that they
    work *this* team's desk."""
    scope = flows.visibility(
        ctx.session,
        roster=ctx.ports.get(Roster),
        workspace_id=ctx.workspace.id,
        member=ctx.member,
        now=ctx.now,
        # a platform admin works the desk of the team whose chat they speak in
        also=frozenset({ctx.team.id}) if ctx.is_platform_admin else frozenset(),
    )
    found = feedback_queries.find(
        ctx.session,
        workspace_id=ctx.workspace.id,
        filters=FeedbackFilter(text=args["text"], scope=scope),
        limit=LIST_LIMIT,
    )
    return messages.search_results(
        found.items,
        feedback_queries.count_label(found.total),
        args["text"],
        found.window,
        found.window_reason,
    )


@commands.command("feedback.mine")
def handle_mine(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/我的反馈: the reporter's own items and where they are."""
    items, _total = feedback_queries.search(
        ctx.session,
        workspace_id=ctx.workspace.id,
        filters=FeedbackFilter(reporter_id=ctx.member.id),
        limit=LIST_LIMIT,
    )
    return messages.mine(items)


@commands.command("feedback.show", args=[_ID])
def handle_show(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/反馈详情: one item with its history (the reporter, the owner, or the desk)."""
    item = access.get_visible(
        ctx.session,
        roster=ctx.ports.get(Roster),
        workspace_id=ctx.workspace.id,
        item_id=args["id"],
        member=ctx.member,
        now=ctx.now,
        # a lead or admin of the item's team passes the rule itself; being a lead of the
        # speaker's own team said nothing about another team's item (tester s18 F20)
        trusted=ctx.is_platform_admin,
    )
    events = feedback_queries.history(ctx.session, item=item)
    people = team_service.members_by_id(
        ctx.session,
        [
            item.owner_id,
            *(e.actor_id for e in events),
            *(int((e.detail or {}).get("owner_id") or 0) or None for e in events),
        ],
    )
    team = ctx.team if ctx.team.id == item.team_id else ctx.session.get(Team, item.team_id)
    assert team is not None
    return messages.detail(
        item,
        team=team,
        events=events,
        people=people,
        times=feedback_stats.response_times(item, team=team, workdays=ctx.ports.get(Workdays)),
    )
