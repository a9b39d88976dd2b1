"""``/绑定`` as an ordinary command, in a tenant bound already: it says where the tenant is
bound, or refuses a code of another workspace (``team.binding_chat`` answers unbound tenants)."""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply
from teamassist.ports import Directory
from teamassist.team.binding_chat import BIND_COMMAND, bind_here
from teamassist.team.directory import DirectoryPort

commands = CommandGroup("binding")


@commands.command(BIND_COMMAND, args=[Arg("code", ArgKind.WORD, required=False)])
def handle_bind(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """``/绑定`` where the tenant is bound already: says where, or refuses another's code."""
    directory = _directory(ctx)
    return bind_here(
        ctx.session, directory, message=ctx.message, code=str(args.get("code") or ""), now=ctx.now
    )


def _directory(ctx: CommandContext) -> DirectoryPort | None:
    return ctx.ports.get(Directory) if ctx.ports.has(Directory) else None
