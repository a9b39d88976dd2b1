"""Chat: ``/提名 @A 理由 链接``, ``/投票 @A``, ``/专家评选 [历史|开始|投票|截止]``.

The nominator and voter are the dispatcher's resolved sender (``ctx.member``); the nominee is
the mention. Opening, opening the vote and closing by hand are for the director or an admin.
"""

from __future__ import annotations

from typing import Any

from teamassist.awards import messages, rounds, service
from teamassist.awards.models import AwardRound
from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply
from teamassist.exceptions import Conflict, Invalid
from teamassist.i18n import lookup
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Member

commands = CommandGroup("awards")

# What /专家评选 <word> may ask, and the catalogue list of its words.
ACTIONS = {
    "history": "awards.actions.history",
    "open": "awards.actions.open",
    "voting": "awards.actions.voting",
    "close": "awards.actions.close",
}

_TEXT = Arg(
    "text",
    ArgKind.TEXT,
    required=False,
    max_length=service.MAX_REASON + service.MAX_LINKS * (service.MAX_LINK + 1),
)


@commands.command("awards.nominate", args=[Arg("nominee", ArgKind.MEMBER), _TEXT])
def handle_nominate(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/提名 @A 主导支付重构 https://…: reason and links from the rest of the message."""
    nominee: Member = args["nominee"]
    reason, links = service.split_links(args.get("text") or "")
    row = service.nominate(
        ctx.session,
        team=ctx.team,
        nominator=ctx.member,
        nominee=nominee,
        reason=reason,
        links=links,
        now=ctx.now,
    )
    round_ = ctx.session.get(AwardRound, row.round_id)
    assert round_ is not None
    return messages.nominated(ctx.team, round_, nominee.display_name, row.reason, len(row.links))


@commands.command("awards.vote", args=[Arg("nominee", ArgKind.MEMBER)])
def handle_vote(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/投票 @A: one vote per voter; voting again replaces it."""
    nominee: Member = args["nominee"]
    cast = service.vote(ctx.session, team=ctx.team, voter=ctx.member, nominee=nominee, now=ctx.now)
    round_ = ctx.session.get(AwardRound, cast.vote.round_id)
    assert round_ is not None
    names = team_service.names_by_id(ctx.session, [cast.vote.nominee_id, cast.replaced_id])
    return messages.voted(ctx.team, round_, cast, names)


def _action(word: str) -> str:
    """The action a word names (``历史`` → ``history``); Invalid for an unknown word."""
    folded = word.strip().casefold()
    for action, key in ACTIONS.items():
        words = [str(w).casefold() for w in lookup(key) or []]
        if folded in words:
            return action
    raise Invalid("awards.error.unknown_action", action=word.strip()[:20])


@commands.command(
    "awards.status", args=[Arg("action", ArgKind.WORD, required=False, max_length=20)]
)
def handle_status(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/专家评选: this month's round; 历史: past winners; 开始/投票/截止: the director's moves."""
    word = args.get("action")
    action = _action(word) if word else "status"
    session, team = ctx.session, ctx.team
    if action == "history":
        rows = rounds.history(session, team=team)
        return messages.history(
            rows, team_service.names_by_id(session, [r.winner_id for r in rows])
        )
    if action != "status":
        rounds.require_director(team, ctx.member, admin=ctx.is_admin)
    if action == "open":
        opened = rounds.open_round(
            session, team=team, now=ctx.now, workdays=ctx.ports.get(Workdays), by_hand=True
        )
        return messages.opened(team, opened)
    if action in ("voting", "close"):
        current = rounds.active(session, team=team)
        if current is None:
            raise Conflict("awards.error.no_round")
        if action == "voting":
            return messages.voting_started(
                team, rounds.start_voting(session, round_=current, now=ctx.now)
            )
        rounds.close(session, team=team, round_=current, now=ctx.now)
    shown = rounds.shown(session, team=team)
    people = service.nominees(session, round_=shown) if shown else []
    mine = service.my_vote(session, round_=shown, voter=ctx.member) if shown else None
    ids = [p.member.id for p in people] + [mine] + ([shown.winner_id] if shown else [])
    ids += [int(x["nominee_id"]) for x in (shown.tally or [])] if shown else []
    return messages.status(team, shown, people, mine, team_service.names_by_id(session, ids))
