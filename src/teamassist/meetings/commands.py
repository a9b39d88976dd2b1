"""Chat commands of the meeting cycles (English aliases in ``locale/meetings.toml``):

- ``/会议`` (``meetings``): the upcoming occurrences with their numbers;
- ``/改期 <编号> <日期> [时间] [原因]`` (``reschedule``): ``/改期 12 2026-10-13 09:00 国庆调休``;
  without a time the meeting keeps its time of day; the steps not yet sent move with it; onto a
  weekend or holiday it is moved all the same and the reply warns (:mod:`.changes`);
- ``/取消会议 <编号> [原因]`` (``cancel-meeting``);
- ``/评价 <编号> @A @B …`` (``rank``) and ``/评价结果 <编号>`` (``rank-results``): the
  after-meeting evaluation of a period meeting (:mod:`teamassist.meetings.evaluation`).

They call :mod:`teamassist.meetings.changes` like the REST endpoints do.
"""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply
from teamassist.clock import local
from teamassist.exceptions import Invalid
from teamassist.i18n import t
from teamassist.meetings import changes, evaluation, messages, service, when
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member

commands = CommandGroup("meetings")

_ID = Arg("id", ArgKind.INT)
_REST = Arg("text", ArgKind.TEXT, required=False, max_length=service.MAX_NOTE, overhead=40)


@commands.command("meetings.list")
def handle_list(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/会议: what is coming, planned first if need be."""
    service.ensure_planned(
        ctx.session, team=ctx.team, now=ctx.now, workdays=ctx.ports.get(Workdays)
    )
    found = service.upcoming(ctx.session, team=ctx.team, now=ctx.now, limit=10)
    return messages.listing(ctx.team, found, now=ctx.now)


@commands.command("meetings.move", args=[_ID, _REST])
def handle_move(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/改期 <编号> <日期> [时间] [原因]."""
    changes.require_organiser(ctx.session, team=ctx.team, member=ctx.member, admin=ctx.is_admin)
    occ = service.get(ctx.session, team=ctx.team, occurrence_id=args["id"], lock=True)
    words = (args.get("text") or "").split()
    found = when.split_when(
        words,
        today=ctx.today,
        zone=ctx.team.timezone,
        keep=local(occ.start_at, ctx.team.timezone).time(),
    )
    if found is None:
        raise Invalid("meetings.error.no_when", usage=t("meetings.commands.move.usage"))
    start_at, rest = found
    warnings = changes.reschedule(
        ctx.session,
        team=ctx.team,
        occ=occ,
        start_at=start_at,
        now=ctx.now,
        workdays=ctx.ports.get(Workdays),
        note=" ".join(rest),
    )
    return messages.receipt_moved(ctx.team, occ, warnings, now=ctx.now)


@commands.command("meetings.cancel", args=[_ID, _REST])
def handle_cancel(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/取消会议 <编号> [原因]."""
    changes.require_organiser(ctx.session, team=ctx.team, member=ctx.member, admin=ctx.is_admin)
    occ = service.get(ctx.session, team=ctx.team, occurrence_id=args["id"], lock=True)
    changes.call_off(ctx.session, team=ctx.team, occ=occ, now=ctx.now, note=args.get("text"))
    return messages.receipt_cancelled(ctx.team, occ, now=ctx.now)


@commands.command("meetings.rank", args=[_ID, Arg("ranked", ArgKind.MEMBERS, required=False)])
def handle_rank(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/评价 <编号> @A @B …: the judge's ranking of the leaders, best first."""
    occ = service.get(ctx.session, team=ctx.team, occurrence_id=args["id"])
    ranked: list[Member] = args.get("ranked") or []
    count = evaluation.submit(
        ctx.session, team=ctx.team, occ=occ, judge=ctx.member, ranked=ranked, now=ctx.now
    )
    return messages.ranked(ctx.team, occ, count, evaluation.closes_at(occ))


@commands.command("meetings.results", args=[_ID])
def handle_results(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/评价结果 <编号>: the ranking, once the form has closed."""
    occ = service.get(ctx.session, team=ctx.team, occurrence_id=args["id"])
    found, judges = evaluation.results(ctx.session, occ=occ, now=ctx.now)
    names = team_service.names_by_id(ctx.session, [s.member_id for s in found])
    rows = [(names.get(s.member_id, "?"), s.points, s.ballots) for s in found]
    return messages.standings(occ, rows, judges)
