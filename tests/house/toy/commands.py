"""/玩具 <内容>: keep a note and say who is on duty (through the Roster port)."""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply
from teamassist.i18n import t
from teamassist.ports import Roster
from tests.house.toy import service

commands = CommandGroup("toy")


@commands.command("toy.note", args=[Arg("text", ArgKind.TEXT)])
def note(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Keep the note; the answer names the people on duty now."""
    kept = service.add_note(ctx.session, team=ctx.team, text=str(args["text"]), now=ctx.now)
    people = ctx.ports.get(Roster).on_duty(ctx.session, team=ctx.team, at=ctx.now)
    on_duty = "、".join(m.display_name for m in people) or t("toy.nobody")
    return Reply(body=t("toy.kept", id=kept.id, on_duty=on_duty))
