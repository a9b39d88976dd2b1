"""``/职业规划``: the director starts plans (a team, or @people, with a deadline), reads one
person's, sees the status list; the person shows and writes their own plan, field by field.
Every branch calls :mod:`teamassist.careers.service` / :mod:`~teamassist.careers.flows`, as
the REST endpoints do.

    /职业规划                                  my plan (this team's newest)
    /职业规划 发起 <团队|@甲 @乙> 截止 <日期 [时间]> [说明]
    /职业规划 查看 @张三                         the director reads one person's
    /职业规划 进度 [年份]                        the director's status list
    /职业规划 方向|优势|补充 <内容>
    /职业规划 目标 <1-3> [YYYY-MM-DD] <标题>
    /职业规划 证据 <1-3> <内容>
    /职业规划 目标状态 <1-3> <计划中|进行中|已完成|已放弃>
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from teamassist.careers import flows, messages, service, words
from teamassist.careers.models import CareerPlan
from teamassist.chat import parser
from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import Reply, user_text
from teamassist.clock import local
from teamassist.enums import Role
from teamassist.exceptions import Invalid, NotFound, PermissionDenied
from teamassist.i18n import t
from teamassist.ports import Documents
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text, fold

commands = CommandGroup("careers")

_TEXT = Arg("text", ArgKind.TEXT, required=False, max_length=service.MAX_TEXT, overhead=200)


@commands.command("careers.plan", args=[_TEXT])
def handle_plan(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """/职业规划 [子命令 …] (see the module docstring)."""
    text = (args.get("text") or "").strip()
    head, rest = parser.split_token(text)
    key = words.subcommand(head) if head else "mine"
    if key is None:
        raise Invalid("careers.error.unknown_word", word=user_text(head[:20]))
    if key == "mine":
        return _show_mine(ctx)
    if key == "start":
        return _start(ctx, rest)
    if key == "view":
        return _view(ctx, rest)
    if key == "status":
        return _status(ctx, rest)
    return _edit(ctx, key, rest)


def _link(ctx: CommandContext, plan: CareerPlan) -> str:
    return flows.link(ctx.public_url, plan)


def _show_mine(ctx: CommandContext) -> Reply:
    plan = service.latest(ctx.session, member=ctx.member)
    if plan is None:
        return Reply(body=t("careers.show.none", team=ctx.team.name))
    return messages.plan(plan, ctx.team, url=_link(ctx, plan), editable=True)


def _mentions(ctx: CommandContext, text: str) -> tuple[list[Member], str]:
    people: list[Member] = []
    rest = text.strip()
    while found := parser.mention_at(rest, ctx.message.mentions, ctx.is_member_name):
        people.append(ctx.resolve(found[0]))
        rest = rest[found[1] :].strip()
    return people, rest


def _team_named(ctx: CommandContext, name: str) -> Team:
    wanted = fold(name)
    teams = ctx.session.scalars(
        select(Team).where(Team.workspace_id == ctx.workspace.id).order_by(Team.id)
    ).all()
    for team in teams:
        if wanted in (fold(team.name), team.folded_key):
            return team
    raise NotFound("careers.error.unknown_team", name=user_text(name[:60]))


def _start(ctx: CommandContext, text: str) -> Reply:
    people, rest = _mentions(ctx, text)
    team = ctx.team
    if not people:
        name, after = parser.split_token(rest)
        if not name or words.take_due(rest, team.timezone, ctx.today)[0] is not None:
            raise Invalid("careers.error.needs_target")
        team = _team_named(ctx, name)
        rest = after
        people = [m for m, _role in _active_members(ctx, team)]
    due_at, request = words.take_due(rest, team.timezone, local(ctx.now, team.timezone).date())
    if due_at is None:
        raise Invalid("careers.error.needs_due")
    started = flows.start(
        ctx.session,
        team=team,
        director=ctx.member,
        people=people,
        due_at=due_at,
        request=request,
        now=ctx.now,
        public_url=ctx.public_url,
        documents=ctx.ports.get(Documents),
    )
    return Reply(body=flows.summary(started, team))


def _active_members(ctx: CommandContext, team: Team) -> list[tuple[Member, Role]]:
    return [
        (m, role)
        for m, role in team_service.team_members(ctx.session, team=team)
        if not team_service.has_left(m)
    ]


def _view(ctx: CommandContext, text: str) -> Reply:
    people, _rest = _mentions(ctx, text)
    if len(people) != 1:
        raise Invalid("careers.error.view_one")
    service.check_director(ctx.session, team=ctx.team, member=ctx.member)
    person = people[0]
    # someone outside the team is said to be so, not "no plan" (tester s26 B-20)
    service.require_in_team(ctx.session, team=ctx.team, person=person)
    plan = service.latest(ctx.session, member=person)
    readable = plan is not None and service.may_read(ctx.session, plan=plan, viewer=ctx.member)
    if plan is not None and not readable:
        # one of this team's people (checked above): a start from here names the starting
        # team anyway, so say who reads it rather than "none" (tester s27 B-6: not every team
        # the person is in)
        starter = ctx.session.get(Team, plan.team_id)
        raise PermissionDenied(
            "careers.error.read_elsewhere",
            name=user_text(person.display_name),
            year=plan.year,
            team=user_text(starter.name if starter is not None else ""),
        )
    if plan is None or not readable:
        raise NotFound("careers.error.none_for", name=user_text(person.display_name))
    return messages.plan(plan, ctx.team, url=_link(ctx, plan), editable=False)


def _status(ctx: CommandContext, text: str) -> Reply:
    year = local(ctx.now, ctx.team.timezone).year
    if text.strip():
        if not text.strip().isdigit():
            raise Invalid("careers.error.bad_year", year=user_text(text.strip()[:8]))
        year = int(text.strip())
    rows = service.team_states(
        ctx.session, team=ctx.team, viewer=ctx.member, year=year, now=ctx.now
    )
    return messages.states(rows, ctx.team, year)


def _number(text: str) -> tuple[int, str]:
    head, rest = parser.split_token(text)
    if not head.isdigit() or not 1 <= int(head) <= 9:
        raise Invalid("careers.error.goal_number", limit=service.MAX_GOALS)
    return int(head), rest.strip()


def _edit(ctx: CommandContext, key: str, text: str) -> Reply:
    plan = service.latest(ctx.session, member=ctx.member)
    if plan is None:
        raise NotFound("careers.error.none_yet", team=ctx.team.name)
    if key in ("direction", "strengths", "notes"):
        if not clean_text(text):  # only spaces, format or control characters
            raise Invalid("careers.error.empty_field")
        fields = {"direction": None, "strengths": None, "notes": None, key: text}
        service.update(
            ctx.session,
            plan=plan,
            member=ctx.member,
            now=ctx.now,
            direction=fields["direction"],
            strengths=fields["strengths"],
            notes=fields["notes"],
        )
    else:
        number, rest = _number(text)
        goals = service.goals_in(plan)
        if number > service.MAX_GOALS:
            raise Invalid("careers.error.too_many_goals", limit=service.MAX_GOALS)
        if key == "goal":
            day, title = words.take_day(rest, ctx.today)
            if number > len(goals) + 1:
                raise Invalid("careers.error.goal_gap", number=len(goals) + 1)
            if number == len(goals) + 1:
                goals.append(service.GoalIn(title=title, target_date=day))
            else:
                old = goals[number - 1]
                goals[number - 1] = replace(
                    old, title=title or old.title, target_date=day or old.target_date
                )
        else:
            if number > len(goals):
                raise Invalid("careers.error.no_goal", number=number)
            if key == "evidence":
                goals[number - 1] = replace(goals[number - 1], evidence=rest)
            else:
                goals[number - 1] = replace(goals[number - 1], status=words.status(rest))
        service.update(ctx.session, plan=plan, member=ctx.member, now=ctx.now, goals=goals)
    return messages.plan(plan, ctx.team, url=_link(ctx, plan), editable=True)
