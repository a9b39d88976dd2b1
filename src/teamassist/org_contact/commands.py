"""Chat commands: ``/找组织 [匿名] <内容>``, ``/回复 <编号> <内容>``, ``/组织来信``.

The sender is the dispatcher's resolved member (``ctx.member``), never a name in the text.
"""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply
from teamassist.org_contact import messages, service

commands = CommandGroup("org_contact")

_TEXT = Arg("text", ArgKind.TEXT, max_length=service.MAX_TEXT, overhead=20)


@commands.command("org_contact.reach", args=[_TEXT])
def handle_reach(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/找组织 匿名 加班太多."""
    anonymous, text = service.split_anonymous(args["text"])
    sent = service.reach(
        ctx.session,
        team=ctx.team,
        sender=ctx.member,
        text=text,
        anonymous=anonymous,
        now=ctx.now,
        via=ctx.message,
    )
    return messages.acknowledged(sent)


@commands.command(
    "org_contact.reply",
    args=[
        Arg("code", ArgKind.WORD, max_length=20),
        Arg("text", ArgKind.TEXT, max_length=service.MAX_TEXT, overhead=20),
    ],
)
def handle_reply(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/回复 R-5 周五聊: the director answers through the relay."""
    message = service.get_by_code(ctx.session, workspace_id=ctx.workspace.id, code=args["code"])
    service.answer(ctx.session, message=message, author=ctx.member, text=args["text"], now=ctx.now)
    return messages.relayed(message.code)


@commands.command("org_contact.inbox")
def handle_inbox(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/组织来信: what reached me lately (anonymous ones without a name)."""
    rows = service.inbox(ctx.session, recipient=ctx.member, since=ctx.now - service.RECENT)
    return messages.inbox(rows, ctx.team)
