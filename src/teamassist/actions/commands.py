"""Chat commands of the action-item desk: ``/销项``, ``/我的销项``, ``/完成销项``,
``/确认销项``, ``/退回销项``, ``/延期销项`` and ``/转交销项`` (English aliases in
``locale/actions.toml``). Each calls :mod:`teamassist.actions.flows` (the service and the other
party's notice) exactly as the REST endpoints do. An id may be written ``12`` or ``#12``.

``/销项 @张三 完成接口文档 2026-12-04 关联 KR-3`` — the KR link is optional (see
:mod:`teamassist.actions.links`); the due time may come last or first, as a date
(``2026-12-04``, ``12月4日``, ``明天``…), a date and a time (``2026-12-04 17:30``) or the seed's
``202612041730``; a date alone is the end of that working day (see :mod:`teamassist.actions.due`).
"""

from __future__ import annotations

from typing import Any

from teamassist.actions import due, flows, links, messages, service
from teamassist.actions import settings as action_settings
from teamassist.actions.models import ActionItem, ActionState
from teamassist.chat import confirm, parser
from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply, user_text
from teamassist.clock import local
from teamassist.exceptions import Invalid
from teamassist.i18n import t
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

commands = CommandGroup("actions")

_ID = Arg("id", ArgKind.INT)
_REST = Arg("text", ArgKind.TEXT, required=False, max_length=service.MAX_TITLE, overhead=40)


def _item(ctx: CommandContext, item_id: int) -> tuple[ActionItem, Team]:
    """The item (locked) and *its* team, from whichever chat the speaker uses: its owner and
    requester reach it anywhere, others in a team they are in (``service.get_for``); the admin
    and director rules are then asked of its team, not the one spoken in."""
    item = service.get_for(
        ctx.session,
        workspace_id=ctx.workspace.id,
        member=ctx.member,
        item_id=item_id,
        also_team_id=ctx.team.id,
        lock=True,
    )
    if item.team_id == ctx.team.id:
        return item, ctx.team
    team = ctx.session.get(Team, item.team_id)
    assert team is not None  # a foreign key
    return item, team


@commands.command("actions.create", args=[Arg("owner", ArgKind.MEMBER), _REST])
def handle_create(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/销项 @张三 完成接口文档 2026-12-04."""
    owner: Member = args["owner"]  # the dispatcher resolved the mention
    text, force = confirm.split_force(args.get("text") or "")
    ref, words = links.split_link(text.split())
    found = due.split_due(
        words,
        today=ctx.today,
        zone=ctx.team.timezone,
        end_of_day=action_settings.of(ctx.team).end_of_day,
    )
    if found is None:
        raise Invalid("actions.error.no_due", usage=t("actions.commands.create.usage"))
    due_at, rest = found
    if ref is None:  # "完成接口文档 KR-3 2026-12-04": the KR came before the due date
        ref, rest = links.split_link(rest)
    link = links.resolve(ctx.session, team=ctx.team, ref=ref, today=ctx.today) if ref else None
    # 「@李四：写周报」: the colon closes the mention, it is no part of the title; and a second
    # @ right after the owner is a second owner, which one item cannot have: it became the
    # title, and that person was never told (tester F7, F8, session 21)
    title = parser.AFTER_MENTION.sub("", " ".join(rest))
    second = parser.MENTION.match(title)
    if second is not None:
        raise Invalid("actions.error.one_owner", mention=user_text(second.group(0)))
    item = flows.create(
        ctx.session,
        team=ctx.team,
        requester=ctx.member,
        owner=owner,
        title=title,
        due_at=due_at,
        now=ctx.now,
        source=link.source if link else None,
        force=force,
    )
    reply = messages.created(item, ctx.team, owner, ctx.member)
    if link is not None:
        reply.body += t("actions.linked_kr", ref=link.ref, title=user_text(link.title))
    workdays = ctx.ports.get(Workdays)
    warnings = messages.due_on_day_off(item, ctx.team, workdays)
    warnings += messages.leaves_first(item, owner, ctx.team)
    reply.body += "".join(f"\n{w}" for w in warnings)
    return reply


@commands.command("actions.mine")
def handle_mine(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/我的销项: what I owe and what waits for my check, in every team (a DM lands in one
    of them; the notice of an item of another said to finish it here)."""
    owned = service.listing(
        ctx.session,
        team=None,
        workspace_id=ctx.workspace.id,
        now=ctx.now,
        owner_id=ctx.member.id,
        states=(ActionState.OPEN, ActionState.DONE),
    )
    to_check = service.listing(
        ctx.session,
        team=None,
        workspace_id=ctx.workspace.id,
        now=ctx.now,
        requester_id=ctx.member.id,
        states=(ActionState.DONE,),
    )
    ids = [i.owner_id for i in [*owned, *to_check]] + [i.requester_id for i in [*owned, *to_check]]
    names = team_service.names_by_id(ctx.session, ids)
    return messages.mine(owned, to_check, ctx.team, names, ctx.now)


@commands.command("actions.done", args=[_ID])
def handle_done(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/完成销项 <编号>: the owner says it is done."""
    item, team = _item(ctx, args["id"])
    flows.done(ctx.session, team=team, item=item, actor=ctx.member, now=ctx.now)
    return messages.changed("receipt.done", item, team, ctx.member)


@commands.command("actions.confirm", args=[_ID])
def handle_confirm(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/确认销项 <编号>: the requester closes it."""
    item, team = _item(ctx, args["id"])
    flows.confirm(
        ctx.session,
        team=team,
        item=item,
        actor=ctx.member,
        admin=ctx.administers(team),
        now=ctx.now,
    )
    return messages.changed("receipt.closed", item, team, ctx.member)


@commands.command("actions.reopen", args=[_ID, Arg("reason", ArgKind.TEXT, required=False)])
def handle_reopen(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/退回销项 <编号> [原因]: the requester sends it back to the owner."""
    item, team = _item(ctx, args["id"])
    reason = args.get("reason") or ""
    flows.reopen(
        ctx.session,
        team=team,
        item=item,
        actor=ctx.member,
        admin=ctx.administers(team),
        now=ctx.now,
        reason=reason,
    )
    return messages.changed("receipt.reopened", item, team, ctx.member)


@commands.command("actions.extend", args=[_ID, _REST])
def handle_extend(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/延期销项 <编号> <新日期> <原因>; without a date (the notice's 延期 button) the form
    asking for it, once the presser may extend the item at all."""
    item, team = _item(ctx, args["id"])
    words = (args.get("text") or "").split()
    if not words:
        service.check_extendable(team, item, ctx.member, admin=ctx.administers(team))
        return messages.extend_prompt(item, team, local(ctx.now, team.timezone).date())
    usage = t("actions.commands.extend.usage")
    # The new date comes first here: the reason after it is free text and may hold a date.
    found = due.split_due(
        words,
        ends=("start",),
        today=local(ctx.now, team.timezone).date(),
        zone=team.timezone,
        end_of_day=action_settings.of(team).end_of_day,
    )
    if found is None:
        raise Invalid("actions.error.no_due", usage=usage)
    due_at, rest = found
    if not rest:
        raise Invalid("actions.error.no_reason_usage", usage=usage)
    before = flows.extend(
        ctx.session,
        team=team,
        item=item,
        actor=ctx.member,
        admin=ctx.administers(team),
        due_at=due_at,
        reason=" ".join(rest),
        now=ctx.now,
        # a card's press or form carries the card's message id: one extension per card
        origin=(ctx.message.message_id or None) if ctx.message.is_action else None,
    )
    reply = messages.changed(
        "receipt.extended",
        item,
        team,
        ctx.member,
        before=messages.due_text(before, team),
        reason=user_text(" ".join(rest)),
    )
    warnings = messages.due_on_day_off(item, team, ctx.ports.get(Workdays))
    reply.body += "".join(f"\n{w}" for w in warnings)
    return reply


@commands.command(
    "actions.reassign",
    args=[_ID, Arg("owner", ArgKind.MEMBER), Arg("reason", ArgKind.TEXT, required=False)],
)
def handle_reassign(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/转交销项 <编号> @李四 [原因]: the requester (or an admin/director) hands it over."""
    item, team = _item(ctx, args["id"])
    owner: Member = args["owner"]
    flows.reassign(
        ctx.session,
        team=team,
        item=item,
        actor=ctx.member,
        admin=ctx.administers(team),
        owner=owner,
        now=ctx.now,
        reason=args.get("reason") or "",
    )
    reply = Reply()
    reply.body = t(
        "actions.receipt.reassigned",
        id=item.id,
        title=user_text(item.title),
        owner=reply.mention(owner.id, team_service.person(owner)),
    )
    reply.body += "".join(f"\n{w}" for w in messages.leaves_first(item, owner, team))
    return reply
