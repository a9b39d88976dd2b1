"""Chat commands of the OKR desk, Chinese first with English aliases; each calls the same
service functions as the REST endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup, Permission
from teamassist.chat.types import Reply
from teamassist.clock import local
from teamassist.exceptions import Invalid, PermissionDenied
from teamassist.i18n import lookup, t
from teamassist.okr import (
    alignment,
    checkin_card,
    checkins,
    cycles,
    grammar,
    messages,
    notices,
    people,
    rollup,
    rows,
    scoring,
)
from teamassist.okr import objectives as okr
from teamassist.okr.grammar import CHECKIN_KEYWORDS, KR_KEYWORDS, OBJECTIVE_KEYWORDS
from teamassist.okr.models import Cycle, KeyResult, Objective, ObjectiveState, ObjectiveType
from teamassist.okr.objectives import KrInput
from teamassist.okr.rows import ObjectiveFacts
from teamassist.ports import Workdays
from teamassist.team import people as team_people
from teamassist.team import service as team_service
from teamassist.team.models import Member

commands = CommandGroup("okr")

CYCLE_WORDS = frozenset(k for k, v in OBJECTIVE_KEYWORDS.items() if v == "cycle")
_REST = Arg("text", ArgKind.TEXT, required=False, max_length=2000)
_TEXT = Arg("text", ArgKind.TEXT, max_length=2000)
# /新建目标's text is the title (okr.MAX_TITLE) with its 类型/周期/负责人/协作 words: the parser
# names the title's limit, the room for the words beyond it never shown (tester s26 B-25: it
# said 2000, then the service 500)
_OBJECTIVE_TEXT = Arg("text", ArgKind.TEXT, max_length=okr.MAX_TITLE, overhead=300)


def _usage(key: str) -> str:
    return str(lookup(key) or "")


def _objective(ctx: CommandContext, ref: str, cycle: Cycle | None = None) -> Objective:
    return okr.find_objective(ctx.session, team=ctx.team, ref=ref, today=ctx.today, cycle=cycle)


def _key_result(ctx: CommandContext, ref: str, cycle: Cycle | None = None) -> KeyResult:
    return okr.find_key_result(ctx.session, team=ctx.team, ref=ref, today=ctx.today, cycle=cycle)


def _leading_cycle(ctx: CommandContext, words: list[str]) -> tuple[Cycle | None, list[str]]:
    """A cycle written before the short id (``/进展 2027Q1 KR-1 30``, as /新建KR and /复盘
    read it) and the words without it; ``(None, words)`` when there is none. Only this form
    for commands whose later words are free text (a comment, a reason)."""
    if len(words) > 1 and cycles.is_cycle_name(words[0]) and grammar.is_short_id(words[1]):
        cycle = cycles.by_name(ctx.session, team=ctx.team, text=words[0], today=ctx.today)
        return cycle, words[1:]
    return None, words


def _cycle_note(ctx: CommandContext, reply: Reply, cycle_id: int, ref: str) -> Reply:
    """``reply`` with a line naming the cycle when what it changed is not the current
    cycle's (a bare short id reaches the newest started cycle that has it, a named one any):
    「以上是 2026Q3 的 KR-2，不是本周期的。」"""
    current = cycles.current(ctx.session, team=ctx.team, today=ctx.today)
    if cycle_id == current.id:
        return reply
    reached = cycles.get(ctx.session, team=ctx.team, cycle_id=cycle_id)
    note = t("okr.reached.other_cycle", cycle=reached.key, ref=ref, current=current.key)
    return reply.model_copy(update={"body": f"{reply.body}\n{note}"})


def _cycle_of(ctx: CommandContext, objective: Objective) -> Cycle:
    return cycles.get(ctx.session, team=ctx.team, cycle_id=objective.cycle_id)


def _progress(
    ctx: CommandContext, cycle: Cycle, objectives: Sequence[ObjectiveFacts]
) -> tuple[Any, list[rollup.ObjectiveProgress]]:
    return rollup.of_cycle(
        ctx.session,
        team=ctx.team,
        cycle=cycle,
        objectives=objectives,
        workdays=ctx.ports.get(Workdays),
        today=ctx.today,
    )


def _require_edit(
    ctx: CommandContext, objective: Objective, key_result: KeyResult | None = None
) -> None:
    okr.require_edit(
        ctx.session,
        actor=ctx.member,
        privileged=ctx.is_lead,
        objective=objective,
        key_result=key_result,
    )


@commands.command("okr.new_objective", args=[_OBJECTIVE_TEXT])
def handle_new_objective(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/新建目标 提升交付质量 [类型 挑战型] [周期 2027Q1] [负责人 @张三] [协作 @李四 @王五]:
    a draft O, owned by the sender unless a lead names another owner."""
    named = grammar.people(args["text"], ctx.message.mentions, ctx.is_member_name)
    phrase = grammar.keywords(
        grammar.tokens(named.text), OBJECTIVE_KEYWORDS, _usage("okr.commands.new_objective.usage")
    )
    kind = phrase.values.get("kind")
    key = phrase.values.get("cycle")
    cycle = (
        cycles.by_key(ctx.session, team=ctx.team, key=key)
        if key
        else cycles.current(ctx.session, team=ctx.team, today=ctx.today)
    )
    objective = okr.create_objective(
        ctx.session,
        team=ctx.team,
        cycle=cycle,
        owner=ctx.member,
        title=phrase.text,
        now=ctx.now,
        okr_type=grammar.objective_type(kind) if kind else ObjectiveType.COMMITTED,
        refuse_repeat=True,
    )
    if named.owner is not None and not ctx.is_lead and ctx.resolve(named.owner) != ctx.member:
        raise PermissionDenied("okr.error.owner_by_lead")
    given = _set_people(ctx, named, objective)
    line = _people_line(ctx, objective, warning=_leaving(ctx, objective, given or []))
    line = line if given is not None else ""
    # A bare O-n reaches the current cycle (or the newest started one that has it): the next
    # step for an O of another cycle names that cycle (tester s26 B-16).
    current = cycles.current(ctx.session, team=ctx.team, today=ctx.today)
    return messages.created_objective(objective, cycle, line, named_cycle=cycle.id != current.id)


@commands.command("okr.new_kr", args=[_TEXT])
def handle_new_kr(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50% [负责人 @张三] [协作 @李四 @王五];
    the O of another cycle as ``/新建KR 2027Q1 O-1 …`` or ``… 周期 2027Q1``."""
    named = grammar.people(args["text"], ctx.message.mentions, ctx.is_member_name)
    usage = _usage("okr.commands.new_kr.usage")
    cycle, words = _named_cycle(ctx, grammar.tokens(named.text))
    if not words or not grammar.is_short_id(words[0]):
        raise Invalid("okr.error.unknown_words", text=(words or [""])[0][:20], usage=usage)
    objective = okr.find_objective(
        ctx.session, team=ctx.team, ref=words[0], today=ctx.today, cycle=cycle
    )
    _require_edit(ctx, objective)
    phrase = grammar.keywords(words[1:], KR_KEYWORDS, usage)
    values = phrase.values
    kind = grammar.kr_kind(values["kind"]) if "kind" in values else None
    start = grammar.number(values["start"], what=t("okr.word.start")) if "start" in values else None
    target = (
        grammar.number(values["target"], what=t("okr.word.target")) if "target" in values else None
    )
    if kind is not None and kind.value == "milestone" and start is None:
        start = 0.0  # milestones are counted from none reached
    key_result = okr.add_key_result(
        ctx.session,
        team=ctx.team,
        objective=objective,
        data=KrInput(
            title=phrase.text,
            kind=kind,
            start=start,
            target=target,
            unit=values.get("unit", ""),
            weight=grammar.weight(values["weight"]) if "weight" in values else 0,
        ),
        now=ctx.now,
        refuse_repeat=True,
    )
    given = _set_people(ctx, named, objective, key_result)
    warning = _leaving(ctx, objective, given or [])
    line = _people_line(ctx, objective, key_result, warning) if given is not None else ""
    total = sum(k.weight for k in okr.key_results(ctx.session, [objective.id])[objective.id])
    return messages.created_key_result(objective, key_result, total, line)


def _named_cycle(ctx: CommandContext, words: list[str]) -> tuple[Cycle | None, list[str]]:
    """The cycle a /新建KR names, written before the short id (``2027Q1 O-1``, as /复盘 reads
    it) or as ``周期 2027Q1`` among the other words, and the words without it; ``(None,
    words)`` when none is named (a ``周期`` followed by no cycle name stays a word)."""
    if len(words) > 1 and cycles.is_cycle_name(words[0]) and grammar.is_short_id(words[1]):
        cycle = cycles.by_name(ctx.session, team=ctx.team, text=words[0], today=ctx.today)
        return cycle, words[1:]
    for position in range(1, len(words) - 1):
        if words[position].casefold() in CYCLE_WORDS and cycles.is_cycle_name(words[position + 1]):
            cycle = cycles.by_name(
                ctx.session, team=ctx.team, text=words[position + 1], today=ctx.today
            )
            return cycle, words[:position] + words[position + 2 :]
    return None, words


def _set_people(
    ctx: CommandContext,
    named: grammar.PeopleText,
    objective: Objective,
    key_result: KeyResult | None = None,
) -> list[Member] | None:
    """Apply ``负责人 …`` / ``协作 …`` of a command (a no-op, None, when neither was given);
    naming another owner takes a lead, an owner or a contributor of the O. Returns the
    people named (owner first)."""
    if named.owner is None and named.contributors is None:
        return None
    owner = ctx.resolve(named.owner) if named.owner is not None else None
    helpers = (
        [ctx.resolve(token) for token in named.contributors]
        if named.contributors is not None
        else None
    )
    people.set_people(
        ctx.session,
        team=ctx.team,
        objective=objective,
        key_result=key_result,
        owner=owner,
        contributors=helpers,
        now=ctx.now,
    )
    return ([owner] if owner is not None else []) + (helpers or [])


def _leaving(ctx: CommandContext, objective: Objective, given: Sequence[Member]) -> str:
    """What whoever hands an O or KR to people should know: who of them is set to leave
    before the O's cycle ends (the rule every desk warns by, ``team.people.leaves_by``: /销项,
    /指派反馈, /通知 …): their OKRs are then flagged as an owner's who left, to hand on again.
    Empty when nobody is."""
    cycle = _cycle_of(ctx, objective)
    end = datetime.combine(cycle.end_date, time(23, 59), ZoneInfo(ctx.team.timezone))
    lines = []
    for member in dict.fromkeys(given):
        leaves = team_people.leaves_by(member, end)
        if leaves is not None and member.active:
            day = local(leaves, ctx.team.timezone).date()
            lines.append(
                t(
                    "okr.warning.leaves_first",
                    name=member.display_name,
                    date=day.isoformat(),
                    cycle=cycle.key,
                    end=cycles.month_day(cycle.end_date),
                )
            )
    return "\n".join(lines)


def _people_line(
    ctx: CommandContext,
    objective: Objective,
    key_result: KeyResult | None = None,
    warning: str = "",
) -> str:
    target = key_result if key_result is not None else objective
    kind = people.KEY_RESULT if key_result is not None else people.OBJECTIVE
    found = people.load(
        ctx.session,
        objective_ids=[objective.id] if key_result is None else [],
        key_result_ids=[key_result.id] if key_result is not None else [],
        owner_ids=[target.owner_id],
    )
    line = messages.people_line(found, kind, target.id, target.owner_id)
    return f"{line}\n{warning}" if warning else line


@commands.command("okr.people", args=[_TEXT])
def handle_people(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/负责人 O-1|KR-3 [@张三] [协作 @李四 @王五 | 协作 无]: change the owner and contributors
    (owners, contributors and leads of the O)."""
    text = args["text"].strip()
    usage = _usage("okr.commands.people.usage")
    ref, _sep, rest = text.partition(" ")
    cycle = None
    second, _sep, after = rest.strip().partition(" ")
    if ref and grammar.is_short_id(second) and cycles.is_cycle_name(ref):
        # /负责人 2027Q1 KR-3 @张三: the KR of a cycle a bare KR-3 does not reach
        cycle = cycles.by_name(ctx.session, team=ctx.team, text=ref, today=ctx.today)
        ref, rest = second, after
    if not ref or not grammar.is_short_id(ref):
        raise Invalid("okr.error.unknown_words", text=ref[:20], usage=usage)
    rest = rest.strip()
    if rest and grammar.PEOPLE_WORDS.get(rest.split()[0].casefold()) is None:
        rest = f"负责人 {rest}"  # the first mention is the owner: /负责人 KR-3 @张三
    named = grammar.people(rest, ctx.message.mentions, ctx.is_member_name)
    if named.text:
        raise Invalid("okr.error.unknown_words", text=named.text[:20], usage=usage)
    kind, _number = okr.parse_short_id(ref)
    key_result = _key_result(ctx, ref, cycle) if kind == "KR" else None
    objective = (
        okr.get_objective(ctx.session, team=ctx.team, objective_id=key_result.objective_id)
        if key_result is not None
        else _objective(ctx, ref, cycle)
    )
    _require_edit(ctx, objective, key_result)
    given = _set_people(ctx, named, objective, key_result)
    if given is None:
        raise Invalid("okr.error.unknown_words", text=ref[:20], usage=usage)
    label = okr.label(objective, key_result)
    warning = _leaving(ctx, objective, given)
    reply = messages.people_changed(label, _people_line(ctx, objective, key_result, warning))
    return _cycle_note(ctx, reply, objective.cycle_id, label)


def _to_delete(ctx: CommandContext, text: str, usage_key: str) -> Objective | KeyResult:
    """What /删除KR or /删除目标 names: ``KR-3`` in the current cycle, ``2027Q1 KR-3`` or
    ``KR-3 周期 2027Q1`` in that one (:func:`okr.find_to_delete`: a delete never reaches
    another cycle unless it is named)."""
    cycle, words = _named_cycle(ctx, grammar.tokens(text))
    if len(words) != 1 or not grammar.is_short_id(words[0]):
        raise Invalid("okr.error.unknown_words", text=" ".join(words)[:20], usage=_usage(usage_key))
    return okr.find_to_delete(
        ctx.session, team=ctx.team, ref=words[0], today=ctx.today, now=ctx.now, cycle=cycle
    )


@commands.command("okr.delete_kr", args=[_TEXT])
def handle_delete_kr(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/删除KR KR-3 (the current cycle's) or /删除KR 2027Q1 KR-3: delete a KR of a draft O
    (owners, contributors and leads)."""
    found = _to_delete(ctx, args["text"], "okr.commands.delete_kr.usage")
    if not isinstance(found, KeyResult):
        raise Invalid("okr.error.want_key_result", value=f"O-{found.number}")
    key_result = found
    objective = okr.get_objective(ctx.session, team=ctx.team, objective_id=key_result.objective_id)
    _require_edit(ctx, objective, key_result)
    number, title = key_result.number, key_result.title
    okr.delete_key_result(ctx.session, team=ctx.team, key_result=key_result, now=ctx.now)
    left = okr.key_results(ctx.session, [objective.id])[objective.id]
    reply = messages.deleted_key_result(objective, number, title, left)
    return _cycle_note(ctx, reply, objective.cycle_id, f"KR-{number}")


@commands.command("okr.delete_objective", args=[_TEXT])
def handle_delete_objective(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/删除目标 O-2 (the current cycle's) or /删除目标 2027Q1 O-2: delete a draft O and its
    KRs (its owner, contributors and leads)."""
    found = _to_delete(ctx, args["text"], "okr.commands.delete_objective.usage")
    if not isinstance(found, Objective):
        raise Invalid("okr.error.want_objective", value=f"KR-{found.number}")
    objective = found
    _require_edit(ctx, objective)
    krs = len(okr.key_results(ctx.session, [objective.id])[objective.id])
    number, title, cycle_id = objective.number, objective.title, objective.cycle_id
    okr.delete_objective(ctx.session, team=ctx.team, objective=objective, now=ctx.now)
    reply = messages.deleted_objective(number, title, krs)
    return _cycle_note(ctx, reply, cycle_id, f"O-{number}")


@commands.command("okr.weights", args=[_TEXT])
def handle_weights(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/KR权重 O-1 均分 (largest remainder) or /KR权重 O-1 50 30 20 (in KR order)."""
    cycle, words = _named_cycle(ctx, grammar.tokens(args["text"]))
    if not words or not grammar.is_short_id(words[0]) or len(words) < 2:
        raise Invalid(
            "okr.error.unknown_words",
            text=" ".join(words)[:20],
            usage=_usage("okr.commands.weights.usage"),
        )
    objective = _objective(ctx, words[0], cycle)
    _require_edit(ctx, objective)
    if len(words) == 2 and words[1].casefold() in grammar.EVEN_WORDS:
        krs = okr.even_weights(ctx.session, objective=objective)
    else:
        weights = [grammar.weight(w) for w in words[1:]]
        krs = okr.set_weights(ctx.session, objective=objective, weights=weights)
    reply = messages.weights_set(objective, krs)
    return _cycle_note(ctx, reply, objective.cycle_id, okr.label(objective))


@commands.command("okr.publish", args=[_REST])
def handle_publish(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/发布OKR [2027Q1] [O-1]: the sender's drafts of the current cycle (or the named one, or
    one O), all or none; the reply names the cycle."""
    named, words = _named_cycle(ctx, grammar.tokens(args.get("text")))
    if words and words[0].casefold() in CYCLE_WORDS:
        words = words[1:]  # /发布OKR 周期 2027Q1
    if len(words) == 1 and named is None and cycles.is_cycle_name(words[0]):
        named = cycles.by_name(ctx.session, team=ctx.team, text=words[0], today=ctx.today)
        words = []
    if words:
        chosen = [_objective(ctx, words[0], named)]
        _require_edit(ctx, chosen[0])
        cycle = _cycle_of(ctx, chosen[0])
    else:  # the sender's drafts of the named cycle (/发布OKR 2027Q1), else the current one
        cycle = named or cycles.current(ctx.session, team=ctx.team, today=ctx.today)
        chosen = okr.objectives(
            ctx.session,
            team=ctx.team,
            cycle=cycle,
            owner_id=ctx.member.id,
            state=ObjectiveState.DRAFT,
        )
    done = okr.publish(ctx.session, team=ctx.team, cycle=cycle, chosen=chosen, now=ctx.now)
    expected, views = _progress(ctx, cycle, done)
    return messages.published(cycle, views, expected)


@commands.command("okr.mine")
def handle_mine(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/我的OKR: the Os of the current cycle the sender owns or works on (as a contributor, or
    through a KR they own or contribute to), with KRs and progress."""
    cycle = cycles.current(ctx.session, team=ctx.team, today=ctx.today)
    mine = okr.objectives_involving(
        ctx.session, team=ctx.team, cycle=cycle, member_id=ctx.member.id
    )
    expected, views = _progress(ctx, cycle, mine)
    state = cycles.state(cycle, ctx.today).value
    return messages.okr_list(
        messages.list_title("okr.view.mine_title", cycle, state), cycle, views, expected
    )


@commands.command("okr.team", args=[Arg("cycle", ArgKind.WORD, required=False)])
def handle_team(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/团队OKR [2026Q4]: every O of the team's cycle, with owners."""
    key = args.get("cycle")
    cycle = (
        cycles.by_name(ctx.session, team=ctx.team, text=key, today=ctx.today)
        if key
        else cycles.current(ctx.session, team=ctx.team, today=ctx.today)
    )
    found = rows.objectives(ctx.session, team_id=ctx.team.id, cycle_id=cycle.id)
    expected, views = _progress(ctx, cycle, found)
    owners = notices.owner_names(
        team_service.members_by_id(ctx.session, (o.owner_id for o in found))
    )
    state = cycles.state(cycle, ctx.today).value
    return messages.okr_list(
        messages.list_title("okr.view.team_title", cycle, state), cycle, views, expected, owners
    )


@commands.command("okr.progress", args=[_TEXT])
def handle_progress(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/进展 KR-1 30 信心 7 修复两个模块; /进展 KR-1 alone: the check-in prompt."""
    cycle, words = _leading_cycle(ctx, grammar.tokens(args["text"]))
    usage = _usage("okr.commands.progress.usage")
    if not words or not grammar.is_short_id(words[0]):
        raise Invalid("okr.error.unknown_words", text=(words or [""])[0][:20], usage=usage)
    key_result = _key_result(ctx, words[0], cycle)
    objective = okr.get_objective(ctx.session, team=ctx.team, objective_id=key_result.objective_id)
    if len(words) < 2:  # no value: the check-in prompt, pre-filled with the last one
        _require_edit(ctx, objective, key_result)
        return checkin_card.prompt(key_result, objective, timezone=ctx.team.timezone)
    value = grammar.checkin_value(words[1], unit=key_result.unit)
    phrase = grammar.keywords(words[2:], CHECKIN_KEYWORDS, usage)
    confidence = (
        grammar.confidence(phrase.values["confidence"]) if "confidence" in phrase.values else None
    )
    _require_edit(ctx, objective, key_result)
    row = checkins.check_in(
        ctx.session,
        team=ctx.team,
        key_result=key_result,
        author=ctx.member,
        value=value,
        confidence=confidence,
        comment=phrase.text,
        now=ctx.now,
        # A press on a card (its form or "no change") counts once per card: see checkins.
        origin=f"card:{ctx.message.message_id}"
        if ctx.message.is_action and ctx.message.message_id
        else None,
    )
    expected, [view] = _progress(ctx, _cycle_of(ctx, objective), [objective])
    reply = messages.checked_in(key_result, row, view, expected)
    return _cycle_note(ctx, reply, objective.cycle_id, f"KR-{key_result.number}")


@commands.command("okr.score", args=[_REST])
def handle_score(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/评分 (the sender's Os), /评分 KR-2 (a suggestion), /评分 KR-2 0.8 大客户合同已签."""
    words = grammar.tokens(args.get("text"))
    if not words:
        cycle = cycles.current(ctx.session, team=ctx.team, today=ctx.today)
        mine = okr.objectives(ctx.session, team=ctx.team, cycle=cycle, owner_id=ctx.member.id)
        scores = scoring.objective_scores(ctx.session, mine)
        # The team's figure is the one REST and the team page give: every published O of the
        # cycle, not the sender's alone (tester s29 F-11: three people read three "周期评分").
        published = okr.objectives(
            ctx.session, team=ctx.team, cycle=cycle, state=ObjectiveState.PUBLISHED
        )
        team_score = scoring.cycle_score(scoring.objective_scores(ctx.session, published))
        return messages.score_view(scores, scoring.cycle_score(scores), team_score, cycle)
    named, words = _leading_cycle(ctx, words)
    kind, _number = okr.parse_short_id(words[0])
    if kind == "KR":
        key_result = _key_result(ctx, words[0], named)
        objective = okr.get_objective(
            ctx.session, team=ctx.team, objective_id=key_result.objective_id
        )
    else:
        key_result = None
        objective = _objective(ctx, words[0], named)
    cycle = _cycle_of(ctx, objective)
    if len(words) == 1:
        [entry] = scoring.objective_scores(ctx.session, [objective])
        if key_result is not None:
            entry = scoring.ObjectiveScore(
                objective,
                [row for row in entry.krs if row[0].id == key_result.id],
                entry.suggested,
                entry.final,
            )
        return messages.score_view([entry], None, None, cycle)
    _require_edit(ctx, objective, key_result)
    value = scoring.parse_score(words[1])
    reason = " ".join(words[2:]) or None
    if key_result is not None:
        scoring.score_key_result(
            ctx.session,
            team=ctx.team,
            key_result=key_result,
            value=value,
            reason=reason,
            now=ctx.now,
        )
        [entry] = scoring.objective_scores(ctx.session, [objective])
        reply = messages.kr_scored(key_result, entry)
        return _cycle_note(ctx, reply, objective.cycle_id, f"KR-{key_result.number}")
    scoring.score_objective(
        ctx.session, team=ctx.team, objective=objective, value=value, reason=reason, now=ctx.now
    )
    return _cycle_note(
        ctx, messages.objective_scored(objective), objective.cycle_id, okr.label(objective)
    )


_PARENT_WORDS = frozenset({"上级目标", "上级", "parent"})


@commands.command("okr.align", args=[_REST])
def handle_align(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/对齐 (the report), /对齐 O-2 O-1, /对齐 KR-3 O-1; the usage's 上级目标 (parent) may be
    typed before the parent, as people copy the usage (/对齐 O-2 上级目标 O-1)."""
    words = grammar.tokens(args.get("text"))
    child_cycle, words = _leading_cycle(ctx, words)
    parent_cycle = None
    if len(words) == 3 and words[1] in _PARENT_WORDS:
        words = [words[0], words[2]]
    if len(words) == 3 and cycles.is_cycle_name(words[1]) and grammar.is_short_id(words[2]):
        # /对齐 O-2 2026 O-1: a parent of another cycle (the year's O-1), named before its id
        parent_cycle = cycles.by_name(ctx.session, team=ctx.team, text=words[1], today=ctx.today)
        words = [words[0], words[2]]
    if not words:
        cycle = cycles.current(ctx.session, team=ctx.team, today=ctx.today)
        found = alignment.report(
            ctx.session, objectives=okr.objectives(ctx.session, team=ctx.team, cycle=cycle)
        )
        links = alignment.link_labels(ctx.session, found.links)
        return messages.alignment_report(cycle, found, links)
    if len(words) != 2:
        raise Invalid(
            "okr.error.unknown_words",
            text=" ".join(words)[:20],
            usage=_usage("okr.commands.align.usage"),
        )
    kind, _number = okr.parse_short_id(words[0])
    parent = _objective(ctx, words[1], parent_cycle)
    if kind == "KR":
        key_result = _key_result(ctx, words[0], child_cycle)
        objective = okr.get_objective(
            ctx.session, team=ctx.team, objective_id=key_result.objective_id
        )
        _require_edit(ctx, objective, key_result)
        child_type, child_id, label = alignment.KEY_RESULT, key_result.id, f"KR-{key_result.number}"
    else:
        objective = _objective(ctx, words[0], child_cycle)
        _require_edit(ctx, objective)
        child_type, child_id, label = alignment.OBJECTIVE, objective.id, f"O-{objective.number}"
    alignment.align(
        ctx.session,
        child_type=child_type,
        child_id=child_id,
        child_label=label,
        parent=parent,
        actor=ctx.member,
        now=ctx.now,
    )
    return _cycle_note(ctx, messages.aligned(label, parent), objective.cycle_id, label)


_CYCLE = Arg("cycle", ArgKind.WORD)


@commands.command("okr.reopen", args=[_CYCLE], permission=Permission.ADMIN)
def handle_reopen(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/重开周期 2026Q3 (admin): the grading window runs again from today."""
    cycle = cycles.by_key(ctx.session, team=ctx.team, key=args["cycle"])
    cycles.reopen(ctx.session, team=ctx.team, cycle=cycle, actor=ctx.member, now=ctx.now)
    return messages.cycle_reopened(cycle)


@commands.command("okr.close", args=[_CYCLE], permission=Permission.ADMIN)
def handle_close(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/关闭周期 2026Q3 (admin): no check-in or score afterwards."""
    cycle = cycles.by_key(ctx.session, team=ctx.team, key=args["cycle"])
    cycles.close(ctx.session, team=ctx.team, cycle=cycle, actor=ctx.member, now=ctx.now)
    return messages.cycle_closed(cycle)
