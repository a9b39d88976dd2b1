"""Commands of the chat core itself: help, "who am I" and which team one acts for."""

from __future__ import annotations

from typing import Any

from teamassist.chat import placement
from teamassist.chat.context import CommandContext, CommandIndex
from teamassist.chat.registry import Arg, ArgKind, CommandGroup, Permission
from teamassist.chat.types import Reply, user_text
from teamassist.i18n import t
from teamassist.team import choice

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
    """Show how the assistant sees the sender: every team they are in, with their role, and
    the one this chat acts for (a person in two teams saw one, tester s20 F4)."""
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
    found = choice.memberships(ctx.session, member=ctx.member)
    if len(found) > 1:
        reply.fields.append(_field("core.field.teams", _teams(found)))
        # Direct chats act for the chosen team, which a group chat's team need not be: the
        # hint named this chat's team as the direct chats' (tester F13, session 21).
        acting = choice.acting_for(found)
        direct = acting.team if acting is not None else ctx.team
        reply.body = t("core.switch_team.hint", team=direct.name)
        if direct.id != ctx.team.id:
            reply.body += t("core.switch_team.bound_here", team=ctx.team.name)
    return reply


@commands.command("core.switch_team", args=[Arg("team", ArgKind.TEXT, required=False)])
def handle_switch_team(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Choose the team one's direct, web, CLI and API chats act for; without a name, list
    one's teams. A group chat stays with the team its channel binds it to."""
    name = str(args.get("team") or "").strip()
    if not name:
        found = choice.memberships(ctx.session, member=ctx.member)
        acting = choice.acting_for(found)
        if acting is None:
            return Reply(body=t("core.switch_team.no_team"), is_error=True)
        return Reply(body=t("core.switch_team.listing", teams=_teams(found), team=acting.team.name))
    chosen = choice.choose(ctx.session, member=ctx.member, name=name)
    body = t(
        "core.switch_team.done",
        team=chosen.team.name,
        role=t(f"core.role.{chosen.role.value}"),
    )
    if chosen.team.id != ctx.team.id:
        # Placed again the way the next message here will be: a chat a channel binds to a
        # team stays with that team, and the speaker should know it.
        here, _ = placement.team_and_role(
            ctx.session,
            workspace_id=ctx.workspace.id,
            platform=ctx.message.platform.value,
            chat_key=ctx.message.chat_key,
            member_id=ctx.member.id,
        )
        if here.id != chosen.team.id:
            body += t("core.switch_team.bound_here", team=here.name)
    return Reply(body=body)


def _teams(found: list[choice.Membership]) -> str:
    """``开发者社区（管理员）、运维组（成员）``: each team with one's role there."""
    return "、".join(f"{m.team.name}（{t(f'core.role.{m.role.value}')}）" for m in found)


def _field(key: str, value: str) -> Any:
    from teamassist.chat.types import ReplyField

    return ReplyField(label=t(key), value=value)


__all__ = ["Permission", "commands"]
