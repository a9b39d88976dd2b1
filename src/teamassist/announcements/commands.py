"""Chat commands: ``/通知 <群名> <内容>``, ``/群发 <群名> [@成员…] <内容>``, ``/通知回执 <编号>``,
``/取消通知 <编号>``.

Each calls :mod:`teamassist.announcements.service` like the REST endpoints. A chat event is the
announcement's ``source_key``, so a redelivered event (already dropped by the dispatcher's
inbox) could not announce twice even if it got this far.
"""

from __future__ import annotations

from typing import Any

from teamassist.announcements import grammar, groups, messages, service
from teamassist.announcements.models import AnnouncementKind
from teamassist.chat import confirm
from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply
from teamassist.clock import local
from teamassist.exceptions import Invalid, PermissionDenied
from teamassist.i18n import t
from teamassist.team.models import Team

commands = CommandGroup("announcements")

_GROUP = Arg("group", ArgKind.WORD, max_length=200)
_TEXT = Arg("text", ArgKind.TEXT, max_length=service.MAX_TEXT, overhead=200)


def source_key(ctx: CommandContext) -> str:
    """The chat event that asked, as an announcement's ``source_key``."""
    message = ctx.message
    return f"chat:{message.platform.value}:{message.tenant_key}:{message.event_id}"[:191]


def _send(ctx: CommandContext, args: dict[str, Any], kind: AnnouncementKind) -> Reply:
    group = groups.resolve(
        ctx.session, workspace_id=ctx.workspace.id, name=args["group"], acting=ctx.team
    )
    service.check_may_announce(
        ctx.session, member=ctx.member, group=group, is_admin=ctx.administers(group.team)
    )
    zone = group.team.timezone
    written, force = confirm.split_force(args["text"])
    text, due_at = grammar.trailing_due(written, zone, local(ctx.now, zone).date())
    # The argument's own limit leaves room for 「截止 …」 and 「确认重发」; what is left is the
    # message, held to the limit REST's ``text`` has (tester F24, session 18: chat took 2,195).
    if len(text.strip()) > service.MAX_TEXT:
        raise Invalid("core.error.too_long", length=len(text.strip()), limit=service.MAX_TEXT)
    due_at = service.check_due(due_at, ctx.now, group.team.timezone)
    reply, mentioned = messages.from_chat(
        text, ctx.resolve, private=kind is AnnouncementKind.BULK, known=ctx.is_member_name
    )
    service.check_targets(ctx.session, group, kind, mentioned)
    # A group post's action items go to the people it @s (the seed: or else everyone); a
    # bulk DM goes to the people it @s, or else everyone.
    outcome = service.announce(
        ctx.session,
        workspace=ctx.workspace,
        author=ctx.member,
        group=group,
        kind=kind,
        reply=reply,
        now=ctx.now,
        targets=mentioned,
        due_at=due_at,
        title=messages.title_of(text, ctx.is_member_name),
        source_key=source_key(ctx),
        force=force,
    )
    reply = messages.queued(outcome, group.team)
    if force:  # the word was taken off the message: say so (tester F16, session 18)
        reply.body += t("announcements.force_taken")
    return reply


@commands.command("announcements.notice", args=[_GROUP, _TEXT])
def handle_notice(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/通知 产品核心群 @李四 请提交Q4预算 截止 2026-12-04 18:00."""
    return _send(ctx, args, AnnouncementKind.NOTICE)


@commands.command("announcements.bulk", args=[_GROUP, _TEXT])
def handle_bulk(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/群发 产品核心群 明天放假."""
    return _send(ctx, args, AnnouncementKind.BULK)


@commands.command("announcements.receipts", args=[Arg("id", ArgKind.INT)])
def handle_receipts(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/通知回执 12: the author, the group team's director or an admin sees who got it."""
    row = service.get(ctx.session, workspace_id=ctx.workspace.id, announcement_id=args["id"])
    if row.author_id != ctx.member.id:
        team = ctx.session.get(Team, row.team_id)
        group = groups.Group(row.group_name, team, (), ()) if team else None
        if group is None or not service.may_announce(
            ctx.session, member=ctx.member, group=group, is_admin=ctx.administers(group.team)
        ):
            raise PermissionDenied("announcements.error.receipts_forbidden", group=row.group_name)
    team = ctx.session.get(Team, row.team_id) or ctx.team
    return messages.receipts(
        row, service.receipts(ctx.session, announcement=row, now=ctx.now), team
    )


@commands.command("announcements.cancel", args=[Arg("id", ArgKind.INT)])
def handle_cancel(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/取消通知 12: its author or an admin withdraws one not sent yet (as REST's
    ``POST /api/v1/announcements/{id}/cancel``)."""
    row = service.get(ctx.session, workspace_id=ctx.workspace.id, announcement_id=args["id"])
    team = ctx.session.get(Team, row.team_id)
    done = service.cancel(
        ctx.session,
        workspace_id=ctx.workspace.id,
        announcement_id=args["id"],
        member=ctx.member,
        # admin of the announcement's team, as REST asks (tester s18 F20)
        is_admin=team is not None and ctx.administers(team),
        now=ctx.now,
    )
    return messages.cancelled(done.announcement, done.withdrawn, done.closed)
