"""The seed's director grammar in a DM with the bot, mapped onto the announcement service.

``###G###内容`` posts to G; with ``$$$yyyymmddhhmm$$$`` each target (the ``@@@姓名@@@`` ones, or
every member of G) also gets an action item; ``***群发助手***`` DMs each target instead of
posting; ``***制定个人职业发展规划***`` is handed to the career-plan flow through the
:class:`teamassist.events.CareerPlanWanted` query (answered "not available yet" while nobody
answers it); ``***我在做测试***`` does nothing, as in the seed. ``***我有事儿找组织***`` is the
org-contact desk's form, not ours. Errors name the unknown group or person and send nothing
(the seed raised KeyError).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.announcements import grammar, groups, messages, service
from teamassist.announcements.commands import source_key
from teamassist.announcements.models import AnnouncementKind
from teamassist.chat import confirm
from teamassist.chat.fallback import Answer, DirectText
from teamassist.chat.types import Reply, user_text
from teamassist.events import CareerPlanWanted, ask
from teamassist.exceptions import Invalid, PermissionDenied
from teamassist.i18n import t
from teamassist.team.names import clean_text


def answer(session: Session, query: DirectText) -> Answer | None:
    """Answer a DM written in the grammar (None for anything else)."""
    if not grammar.is_form(query.text):
        return None
    written, force = confirm.split_force(query.text)
    parsed = grammar.parse(written)
    if parsed.command == grammar.CONTACT:
        return None  # 有事儿找组织: the org-contact desk answers it
    if parsed.command == grammar.TESTING:
        return Answer(None)  # the seed's test hook: nothing at all
    ctx = query.ctx
    if parsed.command is not None and parsed.command not in grammar.COMMANDS:
        raise Invalid(
            "announcements.grammar.unknown_command",
            command=user_text(f"***{parsed.command[:40]}***"),
            commands=user_text(
                "、".join(f"***{c}***" for c in grammar.COMMANDS if c != grammar.CONTACT)
            ),
        )
    if parsed.group is None:
        raise Invalid(
            "announcements.grammar.no_group",
            marker=grammar.GROUP_MARKER,
            example=user_text("###产品核心群###明天上午十点开会"),
        )
    group = groups.resolve(
        ctx.session, workspace_id=ctx.workspace.id, name=parsed.group, acting=ctx.team
    )
    admin = ctx.administers(group.team)  # of the group's team, not the speaker's (s18 F20)
    if not service.may_announce(ctx.session, member=ctx.member, group=group, is_admin=admin):
        raise PermissionDenied("announcements.grammar.not_director", marker=grammar.GROUP_MARKER)
    if parsed.command != grammar.CAREER_PLAN and not clean_text(parsed.content):
        # Only markers: the deadline's ``12月4日18:00`` and the @names would be the whole
        # message (a tester's ``###群###***群发助手***$$$…$$$`` DMed 306 people and opened 306
        # items titled 「12月4日18:00」). Refused as an empty /群发 is, nothing sent.
        raise Invalid("announcements.error.empty")
    named = [groups.member_named(group, name) for name in parsed.names]
    tz = group.team.timezone
    due_at = grammar.deadline(parsed.stamp, tz) if parsed.stamp else None
    due_at = service.check_due(due_at, ctx.now, tz)
    reply, title = messages.from_grammar(
        parsed.parts, named, due=grammar.shown(due_at, tz) if due_at else ""
    )
    targets = list(dict.fromkeys(named))
    if parsed.command == grammar.CAREER_PLAN:
        if due_at is None:
            raise Invalid(
                "announcements.career_plan.needs_due",
                example=user_text(
                    "###群名###***制定个人职业发展规划***$$$202612311800$$$请完成规划"
                ),
            )
        people = targets or list(group.members)
        notes = ask(
            ctx.session,
            CareerPlanWanted(
                team=group.team,
                director_id=ctx.member.id,
                member_ids=tuple(m.id for m in people),
                due_at=due_at,
                text=title,
                now=ctx.now,
            ),
        )
        return Answer(
            Reply(body=notes[0] if notes else t("announcements.career_plan.not_available"))
        )
    kind = AnnouncementKind.BULK if parsed.command == grammar.BULK else AnnouncementKind.NOTICE
    outcome = service.announce(
        ctx.session,
        workspace=ctx.workspace,
        author=ctx.member,
        group=group,
        kind=kind,
        reply=reply,
        now=ctx.now,
        targets=targets,
        due_at=due_at,
        title=title,
        source_key=source_key(ctx),
        force=force,
    )
    reply = messages.queued(outcome, group.team)
    if force:  # the word was taken off the message: say so, as /群发 does
        reply.body += t("announcements.force_taken")
    return Answer(reply)
