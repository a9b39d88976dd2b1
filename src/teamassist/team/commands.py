"""Chat commands for people and the organisation (admins change, everyone may look).

Each command calls the same ``team.people`` / ``team.org`` function as its REST endpoint.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from teamassist.chat import parser
from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup, Permission
from teamassist.chat.types import Reply, user_text
from teamassist.clock import local
from teamassist.enums import Role
from teamassist.i18n import lookup, t
from teamassist.team import org, people, reroute
from teamassist.team import service as team_service
from teamassist.team.models import Member
from teamassist.team.people import Invalid

commands = CommandGroup("people")

_REST = Arg("rest", ArgKind.TEXT, required=False, max_length=200)
# What may stand between a mention and the words after it: blanks and the marks that end a
# mention's name (chat.parser.MENTION), half-width ones too.
_AFTER_MENTION = " \t\n\u3000：；，、,;:"


def role_from_word(word: str) -> Role:
    """管理员 / 主管 / 成员 (or admin, lead, member) as a role; Invalid
    ``people.error.director_no_role`` for a word naming the director (负责人 is appointed with
    /任命负责人, it is no role), ``people.error.bad_role`` for any other word."""
    folded = word.strip().casefold()
    for role in Role:
        words = {str(w).casefold() for w in lookup(f"people.words.role.{role.value}") or []}
        if folded == role.value or folded in words:
            return role
    if folded in {str(w).casefold() for w in lookup("people.words.role.director") or []}:
        raise Invalid("people.error.director_no_role", value=word[:20])
    raise Invalid("people.error.bad_role", value=word[:20])


def _role_label(role: Role | None) -> str:
    return t(f"core.role.{role.value}") if role else t("core.role.none")


def _name(reply: Reply, ctx: CommandContext, member: Member) -> str:
    return reply.mention(member.id, ctx.person(member))


def _may_change(ctx: CommandContext, member: Member) -> None:
    """Refuse unless the speaker administers a team ``member`` is in (or the default team):
    REST's rule (``people.may_administer``). ``Permission.ADMIN`` alone only says the speaker
    administers the team they speak in, and the person may be in another (tester s18 F26)."""
    people.check_may_administer(
        ctx.session,
        actor=ctx.member,
        member=member,
        admin_of=frozenset({ctx.team.id}) if ctx.is_platform_admin else frozenset(),
    )


def _may_change_person(ctx: CommandContext, member: Member) -> None:
    """As :func:`_may_change`, for what every team of ``member`` sees (name, 称呼, manager):
    an admin of all of their teams (``people.check_may_change_person``)."""
    people.check_may_change_person(
        ctx.session,
        actor=ctx.member,
        member=member,
        admin_of=frozenset({ctx.team.id}) if ctx.is_platform_admin else frozenset(),
    )


# -- looking -------------------------------------------------------------------------------------


@commands.command("people.list")
def handle_list(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """The team's members: role, 称呼, core group, inactive."""
    if ctx.role is None and not ctx.is_platform_admin:
        # Someone outside the team (in its group chat, or in no team at all) does not read
        # who is in it: names and roles are the team's (tester s16 N2).
        return Reply(body=t("people.error.list_not_member", team=ctx.team.name), is_error=True)
    reply = Reply(title=t("people.list_title"))
    lines: list[str] = []
    for member, row in people.team_rows(ctx.session, team=ctx.team):
        extra = ""
        if member.address_as:
            extra += t("people.list_address", address=member.address_as)
        if row.core:
            extra += t("people.list_core")
        if ctx.team.director_id == member.id:
            extra += t("people.list_director")
        if not member.active:
            extra += t("people.list_inactive")
        elif people.leaving(member, now=ctx.now):
            extra += t("people.list_leaving", date=_leave_day(ctx, member))
        lines.append(
            "- "
            + t(
                "people.list_line",
                name=member.display_name,
                handle=member.handle,
                role=_role_label(Role(row.role)),
                extra=extra,
            )
        )
    reply.body = "\n".join(lines)
    return reply


@commands.command("people.org")
def handle_org(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Teams nested, with director, leader, members, core group and managers."""
    found = org.tree(ctx.session, workspace_id=ctx.workspace.id)
    lines: list[str] = []

    def walk(node: org.TeamNode, depth: int) -> None:
        indent = "　" * depth
        lines.append(
            t(
                "people.org.team_line",
                indent=indent,
                team=node.team.name,
                director=node.director.display_name if node.director else t("people.nobody"),
                leader=node.leader.display_name if node.leader else t("people.nobody"),
                count=len(node.people),
            )
        )
        for person in node.people:
            extra = t("people.list_core") if person.core else ""
            manager_id = found.managers.get(person.member.id)
            if manager_id is not None and manager_id in found.members:
                extra += t("people.org.reports_to", manager=found.members[manager_id].display_name)
            if not person.member.active:
                extra += t("people.list_inactive")
            lines.append(
                t(
                    "people.org.member_line",
                    indent=indent,
                    name=person.member.display_name,
                    role=_role_label(person.role),
                    extra=extra,
                )
            )
        for child in node.children:
            walk(child, depth + 1)

    for root in found.roots:
        walk(root, 0)
    return Reply(title=t("people.org.title"), body="\n".join(lines) or t("people.org.empty"))


# -- changing (admins) ---------------------------------------------------------------------------


def _bare_handle(token: str, rest: list[str]) -> bool:
    """Whether ``token``, typed without @, is a handle: it starts with a letter or 汉字, holds
    only letters, digits, ``_ . -`` (as a sign-in name), and no @mention follows it."""
    if token.startswith(("@", "＠")):
        return True
    word = unicodedata.normalize("NFKC", token)
    return (
        bool(word)
        and unicodedata.category(word[0]).startswith("L")
        and re.fullmatch(r"[\w.\-]+", word) is not None
        and not any(w.startswith(("@", "＠")) for w in rest)
    )


@commands.command(
    "people.add",
    args=[Arg("who", ArgKind.WORD), _REST],
    permission=Permission.ADMIN,
)
def handle_add(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Add a person by handle (``@bob``) or platform mention, with an optional role and name;
    someone the workspace already has joins this team (``people.add_person``)."""
    token = str(args["who"])
    words = (args.get("rest") or "").split()
    role = Role.MEMBER
    if words:
        try:
            role = role_from_word(words[0])
            words = words[1:]
        except Invalid as refused:
            if refused.key != "people.error.bad_role":
                raise  # 负责人: a role meant, and not one (the director is appointed)
            # not a role word: the display name starts here
    mentioned = parser.mention_at(token, ctx.message.mentions)
    if mentioned is None and not _bare_handle(token, words):
        # /帮助 says /添加成员 @账号; a bare word is taken only when it reads as a handle: it
        # made accounts named 0, -1, #1, 1e9 or 9999-99-99 (tester s27 A-5), which ids, numbers
        # and dates read elsewhere collide with, and 「技术 @bob」 an account 技术 named "@bob"
        raise Invalid("people.error.add_needs_at", word=token[:40])
    user_key = mentioned[0].user_key if mentioned else None
    name = mentioned[0].name if mentioned else None
    handle = name or token.lstrip("@＠")
    if user_key and not name:
        handle = f"{ctx.message.platform.value}-{user_key[-8:]}"
    display = " ".join(words) or name or handle
    known = (
        team_service.get_member_by_identity(
            ctx.session,
            workspace=ctx.workspace,
            platform=ctx.message.platform.value,
            tenant_key=ctx.message.tenant_key,
            user_key=user_key,
        )
        if user_key
        else None
    )
    added = people.add_person(
        ctx.session,
        workspace=ctx.workspace,
        team=ctx.team,
        handle=handle,
        display_name=display,
        role=role,
        known=known,
        by=ctx.member,
        now=ctx.now,
    )
    member = added.member
    if added.existing:  # a person of the workspace already: a new membership, nothing else
        body = t(
            "people.joined",
            name=member.display_name,
            handle=member.handle,
            team=ctx.team.name,
            role=_role_label(role),
        )
        if added.told:
            body += t("people.joined_told")
        given = added.name_not_used(" ".join(words))
        if given is not None:
            # Their name stays (it is the workspace's, shown in every team); the admin who
            # typed another is told rather than left to think it was used (tester F8, s20).
            body += t("people.joined_name_kept", given=user_text(given), name=member.display_name)
        return Reply(body=body)
    if user_key:
        team_service.add_identity(
            ctx.session,
            member=member,
            platform=ctx.message.platform.value,
            tenant_key=ctx.message.tenant_key,
            user_key=user_key,
            display_name=display,
        )
    return Reply(
        body=t(
            "people.added",
            name=member.display_name,
            handle=member.handle,
            team=ctx.team.name,
            role=_role_label(role),
        )
    )


@commands.command(
    "people.set_role",
    args=[Arg("member", ArgKind.MEMBER), Arg("role", ArgKind.WORD)],
    permission=Permission.ADMIN,
)
def handle_set_role(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Change a member's role in this team (the last admin stays admin)."""
    member: Member = args["member"]
    role = role_from_word(str(args["role"]))
    before = team_service.role_of(ctx.session, team=ctx.team, member=member)
    people.change_role(ctx.session, team=ctx.team, member=member, role=role, by=ctx.member)
    reply = Reply()
    name = _name(reply, ctx, member)
    # the same role again (a plain member who has left, say) changes nothing: say so
    key = "people.role_unchanged" if before is role else "people.role_set"
    reply.body = t(key, name=name, team=ctx.team.name, role=_role_label(role))
    return reply


@commands.command(
    "people.set_address",
    args=[Arg("member", ArgKind.MEMBER), _REST],
    permission=Permission.ADMIN,
)
def handle_set_address(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Set (or, without a value, clear) how the assistant addresses someone."""
    member: Member = args["member"]
    _may_change_person(ctx, member)
    # The mark that ends the mention is no part of the 称呼: 「/设置称呼 @李四：四哥」 stored
    # 「：四哥」, shown to everyone (tester F7, session 21).
    address = (args.get("rest") or "").lstrip(_AFTER_MENTION)
    people.set_address_as(ctx.session, member=member, address_as=address)
    reply = Reply()
    key = "people.address_set" if member.address_as else "people.address_cleared"
    reply.body = t(
        key, name=_name(reply, ctx, member), address=people.addressed_as(member, ctx.team)
    )
    return reply


@commands.command(
    "people.rename",
    args=[Arg("member", ArgKind.MEMBER), Arg("name", ArgKind.TEXT, max_length=200)],
    permission=Permission.ADMIN,
)
def handle_rename(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Change someone's display name."""
    member: Member = args["member"]
    _may_change_person(ctx, member)
    old = member.display_name
    people.set_display_name(ctx.session, member=member, display_name=str(args["name"]), now=ctx.now)
    return Reply(body=t("people.renamed", old=old, name=member.display_name))


@commands.command(
    "people.deactivate",
    args=[Arg("member", ArgKind.MEMBER), Arg("date", ArgKind.DATE, required=False)],
    permission=Permission.ADMIN,
)
def handle_deactivate(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Deactivate someone now or from a date (the start of that day in the team's time zone);
    an admin of only some of their teams takes them out of those, now (``people.depart``)."""
    member: Member = args["member"]
    at = _day_start(ctx, args["date"]) if args.get("date") else None
    pending = [row.id for row in reroute.pending_direct(ctx.session, member=member)]
    gone = people.depart(
        ctx.session,
        member=member,
        now=ctx.now,
        at=at,
        by=ctx.member,
        admin_of=frozenset({ctx.team.id}) if ctx.is_platform_admin else frozenset(),
    )
    # each domain says what else it changed (duty: the covers and swaps it cancelled)
    said = "".join(gone.said)
    if gone.kept_admin:  # the last admin of another team: out of the rest, admin there
        body = t(
            "people.left_team_kept_admin",
            name=member.display_name,
            teams="」「".join(team.name for team in gone.left),
            stays="」「".join(team.name for team in gone.stays),
        )
        return Reply(body=body + said)
    if not gone.whole:  # an admin of some of their teams: out of those, active elsewhere
        body = t(
            "people.left_team",
            name=member.display_name,
            teams="」「".join(team.name for team in gone.left),
            stays="」「".join(team.name for team in gone.stays),
        )
        return Reply(body=body + said)
    # what went to the duty channel: a domain may have dropped some on the way (the member's
    # copy of a broadcast not sent yet, announcements.service.drop_copies_of_leaver)
    waiting = reroute.still_queued(ctx.session, pending) if pending else 0
    if people.leaving(member, now=ctx.now):
        day = _leave_day(ctx, member)
        return Reply(body=t("people.leaving", name=member.display_name, date=day) + said)
    rerouted = t("people.rerouted", count=waiting) if waiting else ""
    body = t(
        "people.deactivated", name=member.display_name, when=t("people.when_now"), rerouted=rerouted
    )
    return Reply(body=body + said)


def _leave_day(ctx: CommandContext, member: Member) -> str:
    at = member.deactivated_at
    return local(at, ctx.team.timezone).strftime("%Y-%m-%d") if at is not None else ""


def _day_start(ctx: CommandContext, day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(ctx.team.timezone))


@commands.command(
    "people.activate", args=[Arg("member", ArgKind.MEMBER)], permission=Permission.ADMIN
)
def handle_activate(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Make a deactivated member active again, or call off a departure set for a date."""
    member: Member = args["member"]
    _may_change(ctx, member)
    was_leaving = people.leaving(member, now=ctx.now)
    taken_back = people.reactivate(ctx.session, member=member, now=ctx.now)
    key = "people.stays" if was_leaving else "people.activated"
    # each domain said what it took back or what is left, so the reply claims only that
    said = "".join(taken_back) or t("people.nothing_taken_back")
    return Reply(body=t(key, name=member.display_name) + said)


@commands.command(
    "people.merge",
    args=[Arg("into", ArgKind.MEMBER), Arg("source", ArgKind.MEMBER)],
    permission=Permission.ADMIN,
)
def handle_merge(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Merge the second person's record into the first (one person, two platforms)."""
    into: Member = args["into"]
    source: Member = args["source"]
    _may_change(ctx, into)
    _may_change(ctx, source)
    # both records whole: a merge moves the dropped one's memberships, identities and
    # accounts in every team, so an admin of only some of them may not (s18-19)
    for person in (into, source):
        people.check_administers_whole(
            ctx.session,
            actor=ctx.member,
            member=person,
            admin_of=frozenset({ctx.team.id}) if ctx.is_platform_admin else frozenset(),
        )
    people.merge(ctx.session, into=into, source=source, now=ctx.now, by=ctx.member)
    return Reply(body=t("people.merged", into=into.display_name, source=source.display_name))


@commands.command(
    "people.set_manager",
    args=[Arg("member", ArgKind.MEMBER), Arg("manager", ArgKind.MEMBER)],
    permission=Permission.ADMIN,
)
def handle_set_manager(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Say whom someone reports to."""
    member: Member = args["member"]
    manager: Member = args["manager"]
    _may_change_person(ctx, member)
    org.check_manager(
        ctx.session,
        actor=ctx.member,
        member=member,
        manager=manager,
        admin_of=frozenset({ctx.team.id}) if ctx.is_platform_admin else frozenset(),
    )
    org.set_manager(ctx.session, member=member, manager=manager)
    return Reply(
        body=t("people.manager_set", name=member.display_name, manager=manager.display_name)
    )


@commands.command(
    "people.grant_director", args=[Arg("member", ArgKind.MEMBER)], permission=Permission.ADMIN
)
def handle_grant_director(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Make a lead or admin this team's director (负责人)."""
    member: Member = args["member"]
    before = ctx.team.director_welcomed_at
    org.grant_director(ctx.session, team=ctx.team, member=member, by=ctx.member, now=ctx.now)
    body = t("people.director_granted", name=member.display_name, team=ctx.team.name)
    if ctx.team.director_welcomed_at is not None and ctx.team.director_welcomed_at != before:
        body += t("people.director_welcome_sent")
    return Reply(body=body)


@commands.command("people.revoke_director", permission=Permission.ADMIN)
def handle_revoke_director(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """This team has no director any more."""
    org.revoke_director(ctx.session, team=ctx.team)
    return Reply(body=t("people.director_revoked", team=ctx.team.name))
