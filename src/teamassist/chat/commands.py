"""Commands of the chat core itself: help and "who am I"."""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext, CommandIndex
from teamassist.chat.registry import Arg, ArgKind, CommandGroup, Permission
from teamassist.chat.types import Reply, user_text
from teamassist.i18n import t

commands = CommandGroup("core")

HELP_GROUPS = ("public", "duty", "lead", "admin")


@commands.command("core.help", args=[Arg("command", ArgKind.WORD, required=False)])
def handle_help(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """List every command, grouped by who may use it; or explain one command."""
    word = args.get("command")
    if word:
        spec = ctx.registry.get(str(word).lstrip("/／"))
        if spec is None:
            # the word as typed is user text: a direction control in it stays inside it
            # (renderers isolate user text; session 13 echoed "/帮助 <U+202E>通知" bare)
            word = user_text(str(word))
            return Reply(body=t("core.error.unknown_command", word=word), is_error=True)
        aliases = " ".join(f"/{a}" for a in spec.aliases)
        return Reply(
            title=f"/{spec.name}",
            body=f"{spec.help}\n\n{t('core.usage', usage=spec.usage)}",
            fields=[_field("core.help_aliases", aliases)] if aliases else [],
        )
    body = ctx.registry.memo("core.help", lambda: _listing(ctx.registry))
    return Reply(title=t("core.help_title"), body=body)


def _listing(registry: CommandIndex) -> str:
    """Every command with its usage, first alias and help line, in the groups of HELP_GROUPS."""
    sections: list[str] = []
    for group in HELP_GROUPS:
        specs = [s for s in registry.specs if s.group == group]
        if not specs:
            continue
        lines = [f"**{t('core.help_group.' + group)}**"]
        for spec in specs:
            aliases = spec.aliases
            alias = f"（/{aliases[0]}）" if aliases else ""
            lines.append(f"- `{spec.usage}`{alias}：{spec.help}")
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n\n" + t("core.help_tail")


@commands.command("core.whoami")
def handle_whoami(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Show how the assistant sees the sender."""
    role = t(f"core.role.{ctx.role.value}") if ctx.role else t("core.role.none")
    if ctx.is_admin:
        role = t("core.role.admin")
    reply = Reply(title=t("core.whoami_title"))
    reply.fields = [
        _field("core.field.member", reply.mention(ctx.member.id, ctx.person(ctx.member))),
        _field("core.field.handle", ctx.member.handle),
        _field("core.field.team", ctx.team.name),
        _field("core.field.role", role),
        _field("core.field.timezone", ctx.team.timezone),
    ]
    return reply


def _field(key: str, value: str) -> Any:
    from teamassist.chat.types import ReplyField

    return ReplyField(label=t(key), value=value)


__all__ = ["Permission", "commands"]
