"""``/复盘`` (``/retro``): one command, five forms, each calling :mod:`teamassist.okr.retros`
like the REST endpoints.

``/复盘`` (the sender's Os of the latest ended cycle; the team's for the director or an admin),
``/复盘 2026Q3``, ``/复盘 O-1``, ``/复盘 O-1 做得好 …`` / ``/复盘 O-1 待改进 …``,
``/复盘 结转 KR-3`` and ``/复盘 确认 O-1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply
from teamassist.exceptions import Invalid
from teamassist.i18n import t
from teamassist.okr import cycles, grammar, retros
from teamassist.okr import retro_messages as messages
from teamassist.okr.models import Cycle
from teamassist.okr.retros import RetroView, Section
from teamassist.ports import Workdays
from teamassist.team import service as team_service

commands = CommandGroup("okr")

CARRY_WORDS = frozenset({"结转", "carry", "carry-over"})
ACK_WORDS = frozenset({"确认", "ack", "acknowledge"})
SECTION_WORDS = {
    "做得好": Section.WENT_WELL,
    "went-well": Section.WENT_WELL,
    "待改进": Section.TO_IMPROVE,
    "to-improve": Section.TO_IMPROVE,
}


def _names(ctx: CommandContext, views: Sequence[RetroView]) -> dict[int, str]:
    ids = [v.objective.owner_id for v in views] + [v.retro.acknowledged_by_id for v in views]
    return team_service.names_by_id(ctx.session, ids)


def _workdays(ctx: CommandContext) -> Workdays:
    return ctx.ports.get(Workdays)


def _director(ctx: CommandContext) -> bool:
    return retros.is_director(ctx.team, ctx.member, admin=ctx.is_admin)


def _bad(words: Sequence[str]) -> Invalid:
    return Invalid(
        "okr_rhythm.error.bad_words",
        text=" ".join(words)[:20],
        usage=t("okr.commands.retro.usage"),
    )


@commands.command("okr.retro", args=[Arg("text", ArgKind.TEXT, required=False, max_length=4000)])
def handle_retro(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/复盘 [O-1|2026Q3] · /复盘 O-1 做得好 … · /复盘 结转 KR-3 · /复盘 确认 O-1; a cycle
    (``2026Q2``, ``2026年2季度``, ``Q2``) before or after the short id names an older one."""
    text = args.get("text") or ""
    words = grammar.tokens(text)
    head = words[0].casefold() if words else ""
    if head in CARRY_WORDS or head in ACK_WORDS:
        older, rest = _older_cycle(ctx, words[1:])
        if len(rest) != 1:
            raise _bad(words)
        if head in CARRY_WORDS:
            return _carry(ctx, rest[0], older)
        return _acknowledge(ctx, rest[0], older)
    older, words = _older_cycle(ctx, words)
    if older is not None and not words:
        words = [older.key]  # /复盘 2026年3季度: that cycle's retrospectives
        older = None
    if words and grammar.is_short_id(words[0]):
        objective = retros.find_objective(
            ctx.session, team=ctx.team, ref=words[0], today=ctx.today, cycle=older
        )
        if len(words) == 1:
            view = retros.draft(
                ctx.session,
                team=ctx.team,
                objective=objective,
                today=ctx.today,
                now=ctx.now,
                workdays=_workdays(ctx),
            )
            return messages.drafts(
                [view], view.cycle, _names(ctx, [view]), ctx.team.timezone, team_wide=False
            )
        section = SECTION_WORDS.get(words[1].casefold())
        if section is None:
            raise _bad(words[1:])
        view = retros.fill(
            ctx.session,
            team=ctx.team,
            objective=objective,
            actor=ctx.member,
            privileged=ctx.is_lead,
            section=section,
            text=_rest(text, skip=2 if older is None else 3),
            today=ctx.today,
            now=ctx.now,
            workdays=_workdays(ctx),
            append=True,
        )
        return messages.filled(view, section, _names(ctx, [view]), ctx.team.timezone)
    if len(words) > 1:
        raise _bad(words)
    cycle = (
        cycles.by_name(ctx.session, team=ctx.team, text=words[0], today=ctx.today)
        if words
        else retros.latest_ended(ctx.session, team=ctx.team, today=ctx.today)
    )
    director = _director(ctx)
    views = retros.of_cycle(
        ctx.session,
        team=ctx.team,
        cycle=cycle,
        actor=ctx.member,
        director=director,
        today=ctx.today,
        now=ctx.now,
        workdays=_workdays(ctx),
    )
    return messages.drafts(views, cycle, _names(ctx, views), ctx.team.timezone, team_wide=director)


def _older_cycle(ctx: CommandContext, words: list[str]) -> tuple[Cycle | None, list[str]]:
    """A cycle written next to the short id (``2026Q2 O-1`` / ``O-1 2026Q2``), and the other
    words; ``(None, words)`` when there is none."""
    for position in (0, 1):
        if len(words) > position and cycles.is_cycle_name(words[position]):
            if position == 1 and not grammar.is_short_id(words[0]):
                break
            cycle = cycles.by_name(
                ctx.session, team=ctx.team, text=words[position], today=ctx.today
            )
            return cycle, words[:position] + words[position + 1 :]
    return None, words


def _rest(text: str, *, skip: int) -> str:
    """What follows ``O-1 做得好`` (or ``2026Q2 O-1 做得好``) as typed (line breaks kept)."""
    parts = text.split(maxsplit=skip)
    return parts[skip] if len(parts) == skip + 1 else ""


def _carry(ctx: CommandContext, ref: str, cycle: Cycle | None) -> Reply:
    key_result = retros.find_key_result(
        ctx.session, team=ctx.team, ref=ref, today=ctx.today, cycle=cycle
    )
    done = retros.carry_over(
        ctx.session,
        team=ctx.team,
        key_result=key_result,
        actor=ctx.member,
        privileged=ctx.is_lead,
        today=ctx.today,
        now=ctx.now,
        workdays=_workdays(ctx),
    )
    return messages.carried(done)


def _acknowledge(ctx: CommandContext, ref: str, cycle: Cycle | None) -> Reply:
    objective = retros.find_objective(
        ctx.session, team=ctx.team, ref=ref, today=ctx.today, cycle=cycle
    )
    view = retros.acknowledge(
        ctx.session,
        team=ctx.team,
        objective=objective,
        actor=ctx.member,
        director=_director(ctx),
        today=ctx.today,
        now=ctx.now,
        workdays=_workdays(ctx),
    )
    return messages.acknowledged(view)
