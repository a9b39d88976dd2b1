"""Chat: ``/任职资格 [@A]``, ``/任职资格体系``, ``/设定职级 @A P3 [依据]``,
``/任职评定 @A P3 通过|未通过 [依据]``.

The viewer is the dispatcher's resolved sender; another person's level is shown to the team's
director and admins only, and only they set levels and record assessments.
"""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply
from teamassist.exceptions import Invalid
from teamassist.i18n import lookup, t
from teamassist.qualifications import messages, service
from teamassist.qualifications.models import Outcome
from teamassist.team import service as team_service
from teamassist.team.models import Member

commands = CommandGroup("qualifications")

_EVIDENCE = Arg("evidence", ArgKind.TEXT, required=False, max_length=service.MAX_EVIDENCE)
_LEVEL = Arg("level", ArgKind.WORD, max_length=40)


@commands.command("qualifications.show", args=[Arg("person", ArgKind.MEMBER, required=False)])
def handle_show(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/任职资格 [@A]: one's own level, or (director, admins) another's."""
    person: Member = args.get("person") or ctx.member
    service.require_reader(ctx.team, ctx.member, person, admin=ctx.is_admin)
    service.require_known(ctx.session, team=ctx.team, person=person)
    found = service.profile(ctx.session, team=ctx.team, person=person)
    levels = next(
        (
            lvs
            for tr, lvs in service.framework(ctx.session, team=ctx.team)
            if found.track and tr.id == found.track.id
        ),
        [],
    )
    names = team_service.names_by_id(ctx.session, [a.assessor_id for a, _lv in found.assessments])
    return messages.profile(found, levels, names)


@commands.command("qualifications.framework")
def handle_framework(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/任职资格体系: the team's tracks, levels and criteria."""
    return messages.framework(service.framework(ctx.session, team=ctx.team))


@commands.command("qualifications.set", args=[Arg("person", ArgKind.MEMBER), _LEVEL, _EVIDENCE])
def handle_set(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/设定职级 @A P3 依据: the director or an admin sets the current level."""
    service.require_assessor(ctx.team, ctx.member, admin=ctx.is_admin)
    person: Member = args["person"]
    level = service.find_level(ctx.session, team=ctx.team, code=args["level"])
    service.set_level(
        ctx.session,
        team=ctx.team,
        person=person,
        level=level,
        evidence=args.get("evidence") or "",
        actor=ctx.member,
        since=ctx.today,
        now=ctx.now,
    )
    return Reply(
        body=t(
            "qualifications.set.done", name=person.display_name, code=level.code, title=level.title
        )
    )


def outcome_of(word: str) -> Outcome:
    """``通过`` → qualified, ``未通过`` → not_yet (words in the catalogue); Invalid otherwise."""
    folded = word.strip().casefold()
    for outcome, key in (
        (Outcome.NOT_YET, "qualifications.outcome_words_not_yet"),
        (Outcome.QUALIFIED, "qualifications.outcome_words_qualified"),
    ):
        if folded in {str(w).casefold() for w in lookup(key) or []}:
            return outcome
    raise Invalid("qualifications.error.outcome")


@commands.command(
    "qualifications.assess",
    args=[
        Arg("person", ArgKind.MEMBER),
        _LEVEL,
        Arg("outcome", ArgKind.WORD, max_length=20),
        _EVIDENCE,
    ],
)
def handle_assess(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/任职评定 @A P3 通过 依据: this year's assessment, effective today."""
    service.require_assessor(ctx.team, ctx.member, admin=ctx.is_admin)
    person: Member = args["person"]
    level = service.find_level(ctx.session, team=ctx.team, code=args["level"])
    outcome = outcome_of(args["outcome"])
    row = service.assess(
        ctx.session,
        team=ctx.team,
        person=person,
        level=level,
        outcome=outcome,
        evidence=args.get("evidence") or "",
        assessor=ctx.member,
        effective=ctx.today,
        now=ctx.now,
    )
    body = t(
        "qualifications.assess.done",
        name=person.display_name,
        year=row.year,
        code=level.code,
        outcome=t(messages.OUTCOME_LABEL[row.outcome]),
        date=messages.day(row.effective_date),
    )
    if outcome is Outcome.QUALIFIED:
        body += t("qualifications.assess.promoted", code=level.code)
    return Reply(body=body)
