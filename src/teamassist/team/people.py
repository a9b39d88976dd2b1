"""People: add, rename, 称呼, roles, deactivation and merging, with the last-admin guard.

Chat commands (``team.commands``), REST (``team.api``) and the dashboard (``team.pages``) all
call these functions; they check every rule before changing anything and only ``flush()``: the
boundary owns the transaction. Refusals are catalogue messages (``people.error.*``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.clock import beyond_horizon, ensure_utc, local, plan_horizon
from teamassist.enums import Role
from teamassist.events import MemberDeactivated, MemberReactivated, ask, publish
from teamassist.exceptions import Conflict, DomainError, NotFound, PermissionDenied
from teamassist.i18n import lookup, t
from teamassist.team import reroute
from teamassist.team import service as team_service
from teamassist.team.models import (
    LocalAccount,
    Member,
    NameHold,
    PlatformIdentity,
    Team,
    TeamMembership,
    WebSession,
    Workspace,
)
from teamassist.team.names import invisible, name_key, strip_invisible

HANDLE_MAX = 64
NAME_MAX = 200
ADDRESS_MAX = 64
_HANDLE = re.compile(r"^[^\s@＠/<>]+$")
_CHINESE_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]{2,}$")
_RANK = {Role.MEMBER: 0, Role.LEAD: 1, Role.ADMIN: 2}
# How long a handle or name given up by a rename stays its person's (:class:`NameHold`): long
# enough for scripts, mentions and people's habits to move on to the new one.
NAME_HOLD = timedelta(days=30)


class Invalid(DomainError):
    """The input itself is wrong (REST answers 422); nothing was changed."""

    status_code = 422


# -- lookups -----------------------------------------------------------------------------------


def get_member(session: Session, *, workspace_id: int, member_id: int) -> Member:
    """One member of a workspace; another workspace's member is simply not found."""
    member = session.get(Member, member_id)
    if member is None or member.workspace_id != workspace_id:
        raise NotFound("people.error.no_member", id=member_id)
    return member


def memberships(session: Session, *, member: Member) -> list[TeamMembership]:
    """The member's team memberships, oldest team first."""
    return list(
        session.scalars(
            select(TeamMembership)
            .where(TeamMembership.member_id == member.id)
            .order_by(TeamMembership.team_id)
        )
    )


def team_rows(session: Session, *, team: Team) -> list[tuple[Member, TeamMembership]]:
    """The team's members with their membership rows (role, core), oldest member first."""
    rows = session.execute(
        select(Member, TeamMembership)
        .join(TeamMembership, TeamMembership.member_id == Member.id)
        .where(TeamMembership.team_id == team.id)
        .order_by(Member.id)
    ).all()
    return [(member, row) for member, row in rows]


def membership(session: Session, *, team: Team, member: Member) -> TeamMembership:
    """The member's membership of ``team``, or NotFound."""
    row = session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.member_id == member.id
        )
    )
    if row is None:
        raise NotFound("people.error.not_in_team", name=member.display_name, team=team.name)
    return row


# -- checks ------------------------------------------------------------------------------------


def may_administer(
    session: Session,
    *,
    actor: Member | None,
    member: Member,
    admin_of: frozenset[int] = frozenset(),
) -> bool:
    """Whether ``actor`` may change ``member`` (rename, 称呼, manager, deactivate, merge): the
    one rule REST and chat both ask. Yes for the workspace owner (no member: the root token), an
    admin of a team ``member`` is in, or an admin of the workspace's default team (who runs the
    workspace's people). ``admin_of``: teams the caller administers without a role row (a
    platform's group admin, in chat). Chat once asked only "admin of the speaker's own team"
    and then acted on anyone: another team's admin took over this team's director by
    /合并成员 (tester s18 F26)."""
    if actor is None:
        return True
    theirs = {row.team_id for row in memberships(session, member=member)}
    theirs.add(team_service.default_team(session, workspace_id=member.workspace_id).id)
    return bool(theirs & _administered(session, actor=actor, admin_of=admin_of))


def check_may_administer(
    session: Session,
    *,
    actor: Member | None,
    member: Member,
    admin_of: frozenset[int] = frozenset(),
) -> None:
    """PermissionDenied naming the teams whose admins may change ``member``, unless
    :func:`may_administer`; nothing is changed."""
    if may_administer(session, actor=actor, member=member, admin_of=admin_of):
        return
    teams = [team.name for team in _teams_of(session, member)]
    home = team_service.default_team(session, workspace_id=member.workspace_id).name
    teams += [home] if home not in teams else []
    raise PermissionDenied(
        "people.error.not_their_admin",
        name=member.display_name,
        teams="」「".join(teams),
    )


def _administered(
    session: Session, *, actor: Member, admin_of: frozenset[int] = frozenset()
) -> set[int]:
    """The teams ``actor`` administers: their admin roles plus ``admin_of``."""
    return set(admin_of) | set(
        session.scalars(
            select(TeamMembership.team_id).where(
                TeamMembership.member_id == actor.id, TeamMembership.role == Role.ADMIN.value
            )
        )
    )


def administers_whole(
    session: Session,
    *,
    actor: Member | None,
    member: Member,
    admin_of: frozenset[int] = frozenset(),
) -> bool:
    """Whether ``actor`` may act on the whole person ``member`` (deactivate them everywhere,
    merge their record): the workspace owner (no member: the root token), an admin of the
    default team, or an admin of *every* team ``member`` is in. An admin of one of their teams
    alone may change them only in that team: deactivating a person in teams A and B as A's
    admin took them out of B's rotation, duty and items too (testers s18-19)."""
    if actor is None:
        return True
    mine = _administered(session, actor=actor, admin_of=admin_of)
    if team_service.default_team(session, workspace_id=member.workspace_id).id in mine:
        return True
    return {row.team_id for row in memberships(session, member=member)} <= mine


def wholly_administered(
    session: Session, *, actor: Member | None, workspace_id: int
) -> set[int] | None:
    """The ids of the workspace's members ``actor`` may act on as whole persons
    (:func:`administers_whole`), in three statements whatever the workspace's size; None for
    everyone (the owner, an admin of the default team). What the dashboard's merge form
    offers: it listed everyone, though most were refused on sending (tester F9, session 20)."""
    if actor is None:
        return None
    mine = _administered(session, actor=actor)
    if team_service.default_team(session, workspace_id=workspace_id).id in mine:
        return None
    elsewhere = select(TeamMembership.member_id).where(TeamMembership.team_id.not_in(mine))
    return set(
        session.scalars(
            select(Member.id).where(
                Member.workspace_id == workspace_id, Member.id.not_in(elsewhere)
            )
        )
    )


def check_administers_whole(
    session: Session,
    *,
    actor: Member | None,
    member: Member,
    admin_of: frozenset[int] = frozenset(),
    key: str = "people.error.not_all_their_admin",
) -> None:
    """PermissionDenied ``key`` naming the teams of ``member`` that ``actor`` does not
    administer, unless :func:`administers_whole`; nothing is changed."""
    if administers_whole(session, actor=actor, member=member, admin_of=admin_of):
        return
    assert actor is not None  # the root token administers everything
    mine = _administered(session, actor=actor, admin_of=admin_of)
    others = [team.name for team in _teams_of(session, member) if team.id not in mine]
    raise PermissionDenied(key, name=member.display_name, teams="」「".join(others))


def check_may_change_person(
    session: Session,
    *,
    actor: Member | None,
    member: Member,
    admin_of: frozenset[int] = frozenset(),
) -> None:
    """The check before a change every team of ``member`` sees (handle, display name, 称呼,
    manager): :func:`check_may_administer`, then an admin of every team they are in (or of the
    default team). Once an admin could add anyone of the workspace to their team
    (``add_person``), "an admin of one of their teams" let them rename the workspace's admin or
    make themselves someone's manager everywhere (tester F1, session 20). And a team's admin
    with a dashboard account is changed only by someone with one too
    (:func:`guard_account_admin`). PermissionDenied ``people.error.not_their_admin``,
    ``people.error.person_wide`` or ``people.error.account_person``; nothing is changed."""
    check_may_administer(session, actor=actor, member=member, admin_of=admin_of)
    check_administers_whole(
        session, actor=actor, member=member, admin_of=admin_of, key="people.error.person_wide"
    )
    # An admin without a dashboard account (a bound QQ group's admin) renamed the workspace's
    # owner and took his handle and name (tester s28 D-4): whoever then said @admin, "as":
    # "admin" or 「王管理」 reached him. The accounts that run the workspace are out of reach,
    # as for demoting them (PermissionDenied ``people.error.account_person``).
    # in whichever team they are an admin of: a group bound to a second team makes its admins
    # that team's (the first team they are an admin of names the refusal)
    admin_of_team = session.scalar(
        select(Team)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(TeamMembership.member_id == member.id, TeamMembership.role == Role.ADMIN.value)
        .order_by(Team.id)
        .limit(1)
    )
    if admin_of_team is not None:
        guard_account_admin(
            session,
            team=admin_of_team,
            member=member,
            by=actor,
            key="people.error.account_person",
        )


def check_handle(handle: str) -> str:
    """A handle: 1–64 characters, no spaces, no ``@ / < >``, nothing invisible; stored in NFKC
    form, so a full-width ＮＥＷ is the handle NEW. Uniqueness compares ``names.fold`` of it
    (``Member.handle_key``), so two accounts never differ only by case or width either."""
    hidden = next((c for c in handle if invisible(c)), None)
    if hidden is not None:
        raise Invalid("people.error.invisible_handle", code=f"U+{ord(hidden):04X}")
    value = unicodedata.normalize("NFKC", handle).strip()
    if not value or len(value) > HANDLE_MAX or not _HANDLE.match(value):
        raise Invalid("people.error.bad_handle", value=value[:40], limit=HANDLE_MAX)
    return value


def check_name(name: str, *, limit: int = NAME_MAX) -> str:
    """A display name or 称呼: not blank, at most ``limit`` characters; invisible characters
    (zero-width, bidi controls) are dropped."""
    value = strip_invisible(name)
    if not value:
        raise Invalid("people.error.empty_name")
    if len(value) > limit:
        raise Invalid("people.error.name_too_long", limit=limit)
    return value


def _handle_free(session: Session, *, workspace_id: int, handle: str, member_id: int = 0) -> None:
    found = team_service.get_member_by_handle(session, workspace_id=workspace_id, handle=handle)
    if found is not None and found.id != member_id:
        raise Conflict("people.error.handle_taken", handle=handle)
    # A handle that is someone else's name: every later @张三 finds the handle first, so the
    # real 张三 could no longer be named anywhere in the workspace, and tasks and departures
    # went to the namesake (tester s18 F23). A second person called 张三 is still possible,
    # deliberately, under another handle (the name alone is then ambiguous and @ asks which).
    # compared as names are (names.name_key): a handle `ad` beside a person called 「Ａ Ｄ」
    named = session.scalars(
        select(Member)
        .where(
            Member.workspace_id == workspace_id,
            Member.name_key == name_key(handle)[:255],
            Member.id != member_id,
            Member.merged_into_id.is_(None),
        )
        .order_by(Member.id)
        .limit(1)
    ).first()
    if named is not None:
        raise Conflict("people.error.handle_is_a_name", handle=handle, existing=named.handle)


def active_admins(session: Session, *, team: Team) -> list[Member]:
    """The team's admins who are still active."""
    return [m for m in team_service.admins(session, team=team) if m.active]


def guard_last_admin(session: Session, *, team: Team, member: Member) -> None:
    """Refuse a change that would leave ``team`` without an active admin.

    The team's admin memberships and their members are read with row locks (in member id
    order, so two guards never deadlock): two admins demoted or deactivated at the same moment
    are decided one after the other, and a locking read sees the other's committed change even
    under MariaDB's repeatable read. SQLite's writer lock serialises the units already.
    """
    admin_ids = session.scalars(
        select(TeamMembership.member_id)
        .where(TeamMembership.team_id == team.id, TeamMembership.role == Role.ADMIN.value)
        .order_by(TeamMembership.member_id)
        .with_for_update()
    ).all()
    if member.id not in admin_ids:
        return
    others = [i for i in admin_ids if i != member.id]
    active = (
        session.scalars(
            select(Member.id)
            .where(
                Member.id.in_(others),
                Member.active.is_(True),
                Member.deactivated_at.is_(None),  # one set to leave is not staying
            )
            .order_by(Member.id)
            .with_for_update()
        ).all()
        if others
        else []
    )
    if not active:
        raise Conflict("people.error.last_admin", name=member.display_name, team=team.name)


def guard_account_admin(
    session: Session,
    *,
    team: Team,
    member: Member,
    by: Member | None,
    key: str = "people.error.account_admin",
) -> None:
    """Refuse demoting, removing or deactivating an admin of ``team`` who has a dashboard
    account, unless ``by`` has one too (``None``: the operator, the root token or the CLI). A
    bound QQ group's admins act as admins of its team (the default team when the group names
    none), whoever QQ makes group admin later: one demoted the workspace's owner, and nobody
    without another admin could restore him (tester s27 A-7). The same holds in a team a group
    is bound to: its account admins are out of reach of the group's (before, only the default
    team's were). Ordinary commands keep the platform's admins. ``key``: the refusal's
    catalogue key (``name``, ``team``), for what was asked."""
    if by is None or by.id == member.id:
        return
    if team_service.role_of(session, team=team, member=member) is not Role.ADMIN:
        return
    accounts = set(
        session.scalars(
            select(LocalAccount.member_id).where(LocalAccount.member_id.in_([member.id, by.id]))
        )
    )
    if member.id in accounts and by.id not in accounts:
        raise PermissionDenied(key, name=member.display_name, team=team.name)


def _guard_account_merge(
    session: Session, *, into: Member, source: Member, by: Member | None
) -> None:
    """Refuse (``people.error.account_merge``) a merge touching a member with a dashboard
    account asked by someone without one; the operator (``by`` None) may."""
    if by is None:
        return
    ids = {into.id, source.id, by.id}
    accounts = set(
        session.scalars(select(LocalAccount.member_id).where(LocalAccount.member_id.in_(ids)))
    )
    if by.id in accounts:
        return
    held = next((m for m in (source, into) if m.id in accounts), None)
    if held is not None:
        raise PermissionDenied("people.error.account_merge", name=held.display_name)


# -- adding and naming -----------------------------------------------------------------------------


def add_member(
    session: Session,
    *,
    workspace: Workspace,
    team: Team,
    handle: str,
    display_name: str,
    role: Role = Role.MEMBER,
    address_as: str | None = None,
    now: datetime | None = None,
) -> Member:
    """Add a person to ``team`` with a role; the handle is unique in the workspace. With
    ``now``, a handle or name another person gave up lately is refused (:func:`_not_held`)."""
    handle = check_handle(handle)
    display_name = check_name(display_name)
    address = check_name(address_as, limit=ADDRESS_MAX) if address_as else None
    _handle_free(session, workspace_id=workspace.id, handle=handle)
    # as a rename is: a new person named like another (or like another's handle) would make
    # @张三 ambiguous, or reach someone else, in every team of the workspace (tester s25 F-9)
    _name_free(session, workspace_id=workspace.id, name=display_name, adding=True)
    if now is not None:
        for wanted in (handle, display_name):
            _not_held(session, workspace_id=workspace.id, name=wanted, member_id=0, now=now)
    member = team_service.create_member(
        session, workspace=workspace, handle=handle, display_name=display_name, team=team, role=role
    )
    member.address_as = address
    session.flush()
    return member


@dataclass(frozen=True)
class Added:
    """What :func:`add_person` did: ``member`` joined the team; ``existing`` when they were
    already a person of the workspace (a new membership, their account unchanged), and then
    ``told``: a notice to them is queued."""

    member: Member
    existing: bool
    told: bool = False

    def name_not_used(self, given: str | None) -> str | None:
        """The display name the admin typed (``given``, None when they typed none) when it
        was not used: the person existed and keeps the workspace's name, shown in every
        team. Chat, REST, the members page and the CLI each say so (tester F10, session
        21: only chat did)."""
        typed = (given or "").strip()
        if not self.existing or not typed or typed == self.member.display_name:
            return None
        return typed


def add_person(
    session: Session,
    *,
    workspace: Workspace,
    team: Team,
    handle: str,
    display_name: str,
    role: Role = Role.MEMBER,
    known: Member | None = None,
    by: Member | None,
    now: datetime,
) -> Added:
    """Add someone to ``team``: ``/添加成员``, REST ``POST /teams/{id}/members``, the
    members page and ``teamassist member add``. A person the workspace already has (``known``,
    e.g. by a platform mention; else ``handle`` as a handle, else as the one display name it
    is) joins ``team`` with ``role``: a second team's membership, their name and account as
    they are (adding them answered 「账号已存在」 and no command could put a person in a second
    team, testers s18-19), and is told (a direct notice, who added them, to which team, the
    way back): an admin of any team could put anyone of the workspace in it without a word
    (session 27's leftovers). Anyone else is created (:func:`add_member`); a person just
    created has no chat of their own yet to be told in.

    Conflict ``people.error.already_in_team``, ``ambiguous_person`` (a name several people
    have: say which by handle), ``people.error.inactive``/``merged`` (reactivate first); the
    refusals of :func:`add_member`. Nothing is changed when refused."""
    value = check_handle(handle)
    found = known or team_service.get_member_by_handle(
        session, workspace_id=workspace.id, handle=value
    )
    if found is None:
        named = session.scalars(
            select(Member)
            .where(
                Member.workspace_id == workspace.id,
                Member.display_name == value,
                Member.merged_into_id.is_(None),
            )
            .order_by(Member.id)
        ).all()
        if len(named) > 1:
            raise Conflict(
                "people.error.ambiguous_person",
                name=value,
                handles="、".join(f"@{m.handle}" for m in named),
                first=f"@{named[0].handle}",
            )
        found = named[0] if named else None
    if found is None:
        try:
            created = add_member(
                session,
                workspace=workspace,
                team=team,
                handle=value,
                display_name=display_name,
                role=role,
                now=now,
            )
        except Conflict:
            # The same person added at the same moment by someone else, committed between
            # this unit's reads (PostgreSQL reads each statement anew): the handle missed them,
            # the name check found them, and the loser heard that frank's name clashed with
            # frank (tester s25 F-B4, 2 of 20). Asked again, the handle finds them: answered
            # as when added one after the other. Nothing was written before the refusal.
            found = team_service.get_member_by_handle(
                session, workspace_id=workspace.id, handle=value
            )
            if found is None:
                raise
        else:
            return Added(member=created, existing=False)
    team_service.require_active(found)
    if team_service.role_of(session, team=team, member=found) is not None:
        raise Conflict(
            "people.error.already_in_team",
            name=found.display_name,
            handle=found.handle,
            team=team.name,
        )
    team_service.set_role(session, team=team, member=found, role=role)
    notify.to_member(
        session,
        member=found,
        reply=Reply(
            body=t(
                "people.told_joined",
                by=by.display_name if by is not None else t("people.an_admin"),
                team=team.name,
                role=t(f"core.role.{role.value}"),
            )
        ),
        key=f"people.joined:{team.id}:{ensure_utc(now).isoformat()}",
        now=now,
    )
    return Added(member=found, existing=True, told=True)


def rename_handle(session: Session, *, member: Member, handle: str, now: datetime) -> Member:
    """Change the handle (what ``@handle`` and sign-in use); unique in the workspace, not one
    another person gave up lately (:func:`_not_held`); the old one is held for ``member``
    (:func:`_hold`)."""
    handle = check_handle(handle)
    _handle_free(session, workspace_id=member.workspace_id, handle=handle, member_id=member.id)
    if handle != member.handle:
        _not_held(
            session, workspace_id=member.workspace_id, name=handle, member_id=member.id, now=now
        )
        _hold(session, member=member, given_up=member.handle, taken=handle, now=now)
    member.handle = handle
    session.flush()
    return member


def set_display_name(
    session: Session, *, member: Member, display_name: str, now: datetime
) -> Member:
    """Change the name shown in rosters, lists and mentions. ``Conflict`` when the new name is
    another active person's handle in the workspace (``people.error.name_is_a_handle``: every
    ``@name`` would reach them), the name of another active person of the workspace, compared
    by :func:`~teamassist.team.names.name_key` (``people.error.name_taken``: ``@name`` would
    no longer tell the two apart; tester s23 report 2 F9: 「/改名 @孙七 李四」 left the real 李四
    unreachable by name; s28 E-11: 「王　管理」 beside 「王管理」) or one another person gave up
    lately (:func:`_not_held`). The old name is held for ``member`` (:func:`_hold`)."""
    name = check_name(display_name)
    if name != member.display_name:
        _name_free(session, workspace_id=member.workspace_id, name=name, member_id=member.id)
        _not_held(
            session, workspace_id=member.workspace_id, name=name, member_id=member.id, now=now
        )
        _hold(session, member=member, given_up=member.display_name, taken=name, now=now)
    member.display_name = name
    session.flush()
    return member


def _not_held(
    session: Session, *, workspace_id: int, name: str, member_id: int, now: datetime
) -> None:
    """Conflict ``people.error.name_held`` when ``name`` (a handle or a display name, compared
    by :func:`~teamassist.team.names.name_key`) was given up by another person within
    :data:`NAME_HOLD`: the workspace's owner renamed himself from ``admin`` and a group admin
    took ``admin`` the next minute, and every "as": "admin", @admin and script reached him
    (tester s28 D-4). The person who gave it up may take it back."""
    hold = session.scalar(
        select(NameHold).where(
            NameHold.workspace_id == workspace_id,
            NameHold.name_key == name_key(name)[:255],
            NameHold.until > ensure_utc(now),
        )
    )
    if hold is None or hold.member_id == member_id:
        return
    holder = session.get(Member, hold.member_id)
    zone = team_service.default_team(session, workspace_id=workspace_id).timezone
    raise Conflict(
        "people.error.name_held",
        name=name[:60],
        given_up=hold.name[:60],
        holder=holder.display_name if holder is not None else "?",
        until=local(hold.until, zone).date().isoformat(),
        days=NAME_HOLD.days,
    )


def _hold(session: Session, *, member: Member, given_up: str, taken: str, now: datetime) -> None:
    """Keep ``given_up`` (``member``'s handle or name before a rename) from everyone else for
    :data:`NAME_HOLD`; what ``member`` takes now is no longer held for them (it is theirs),
    and holds that ran out are dropped."""
    at = ensure_utc(now)
    old, new = name_key(given_up)[:255], name_key(taken)[:255]
    session.execute(
        delete(NameHold).where(
            NameHold.workspace_id == member.workspace_id,
            (NameHold.until <= at) | NameHold.name_key.in_([old, new]),
        )
    )
    if old != new:
        session.add(
            NameHold(
                workspace_id=member.workspace_id,
                name_key=old,
                name=given_up[:200],
                member_id=member.id,
                until=at + NAME_HOLD,
            )
        )
    session.flush()


def _name_free(
    session: Session, *, workspace_id: int, name: str, member_id: int = 0, adding: bool = False
) -> None:
    """Refuse ``name`` for member ``member_id`` (0: a person being added, ``adding``: the
    refusals say 「没有添加」, not 「没有改名」) when it is another active person's handle or name
    in the workspace."""
    # Mentions find a person by name across the workspace, so a name is checked there, not in
    # the member's teams only: 孙七 renamed 鲍勃 in 开发者社区 made 「@鲍勃」 ambiguous in 运维组,
    # whose admin could neither mention nor rename his own 鲍勃 (tester s24 F5).
    # Two renames to one name at once both found no namesake on PostgreSQL and MariaDB (read
    # committed, no lock): tester s24 F15 left 李四 and 赵六 both 「并发同名」. A rename first
    # locks its workspace's row, so a second waits here and its check below, a fresh read after
    # the lock, sees the first's committed name (renames are rare; SQLite serialises writers).
    session.flush()
    session.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())
    # without its blanks, as a handle has none: 「ad min」 is @admin's look-alike
    owner = team_service.get_member_by_handle(
        session, workspace_id=workspace_id, handle=name_key(name)
    )
    if owner is not None and owner.id != member_id and owner.merged_into_id is None:
        raise Conflict(
            "people.error.new_name_is_a_handle" if adding else "people.error.name_is_a_handle",
            name=name,
            other=owner.display_name,
            handle=owner.handle,
        )
    namesake = session.scalars(
        select(Member)
        .where(
            Member.workspace_id == workspace_id,
            Member.name_key == name_key(name)[:255],
            Member.id != member_id,
            Member.active.is_(True),
            Member.merged_into_id.is_(None),
        )
        .order_by(Member.id)
        .limit(1)
    ).first()
    if namesake is not None:
        same = namesake.display_name == name
        keys = (
            ("people.error.new_name_taken", "people.error.new_name_alike")
            if adding
            else ("people.error.name_taken", "people.error.name_alike")
        )
        raise Conflict(
            keys[0] if same else keys[1],
            name=name,
            handle=namesake.handle,
            other=namesake.display_name,
        )


def set_address_as(session: Session, *, member: Member, address_as: str | None) -> Member:
    """Set how the assistant addresses the member (称呼); blank or None restores the default."""
    value = (address_as or "").strip()
    member.address_as = check_name(value, limit=ADDRESS_MAX) if value else None
    session.flush()
    return member


def surname(display_name: str) -> str | None:
    """The surname of a Chinese name (two characters for 欧阳, 司马...), else None."""
    name = display_name.strip()
    if not _CHINESE_NAME.match(name):
        return None
    compound = {str(s) for s in lookup("people.words.compound_surnames") or []}
    if len(name) > 2 and name[:2] in compound:
        return name[:2]
    return name[0]


def default_address(display_name: str, *, director: bool) -> str:
    """The 称呼 when none is stored: 姓+总 for a director with a Chinese name, else the name."""
    family = surname(display_name) if director else None
    if family is None:
        return display_name
    return str(lookup("people.address.director") or "{surname}").format(surname=family)


def addressed_as(member: Member, team: Team | None = None) -> str:
    """How the assistant addresses ``member`` (in ``team``): the stored 称呼 or the default."""
    if member.address_as:
        return member.address_as
    director = team is not None and team.director_id == member.id
    return default_address(member.display_name, director=director)


# -- roles -----------------------------------------------------------------------------------------


def change_role(
    session: Session, *, team: Team, member: Member, role: Role, by: Member | None = None
) -> TeamMembership:
    """Give the member ``role`` in ``team`` (they must be in it); never demote the last admin,
    nor, unless ``by`` may (:func:`guard_account_admin`), a team's admin with an account.
    Someone who has left may be made a plain member (tidying up), not an admin or a lead:
    Conflict ``people.error.inactive``/``merged`` (a tester made a deactivated member admin)."""
    if role is not Role.MEMBER:
        team_service.require_active(member)
    row = membership(session, team=team, member=member)
    if role is not Role.ADMIN:
        guard_account_admin(session, team=team, member=member, by=by)
        guard_last_admin(session, team=team, member=member)
    row.role = role.value
    session.flush()
    return row


def remove_from_team(session: Session, *, team: Team, member: Member) -> None:
    """Take the member out of ``team`` (history stays); never the last admin."""
    row = membership(session, team=team, member=member)
    guard_last_admin(session, team=team, member=member)
    session.delete(row)
    for other in session.scalars(select(Team).where(Team.workspace_id == team.workspace_id)):
        if other.id == team.id and other.leader_id == member.id:
            other.leader_id = None
        if other.id == team.id and other.director_id == member.id:
            other.director_id = other.director_welcomed_at = None
    session.flush()


# -- deactivation ----------------------------------------------------------------------------------


def deactivate(
    session: Session,
    *,
    member: Member,
    now: datetime,
    at: datetime | None = None,
    by: Member | None = None,
) -> tuple[str, ...]:
    """Deactivate from ``at`` (now when None or earlier today; a day before today is refused, a
    year ahead the latest). Someone leaving on date D is active until D and inactive from D:
    they keep their duty shifts, notices and commands until then, and only the plans past D
    change at once (the duty roster and 1on1s hear :class:`MemberDeactivated` with ``at``
    ahead). When it takes effect (now, or the sweep :func:`take_effect` at D) ``active`` turns
    false: history kept, no longer routed to, their pending direct notices re-routed to the
    duty channel or the admins. Returns the domains' sentences saying what else they changed
    (see :class:`MemberDeactivated`: duty's cancelled covers and swaps).

    Conflict ``people.error.merged``, ``already_inactive``, ``already_leaving`` (a date is set:
    reactivate first to change it), ``last_admin`` (no admin would stay); Invalid
    ``people.error.deactivate_past`` / ``deactivate_far``."""
    if member.merged_into_id is not None:
        raise Conflict("people.error.merged", name=member.display_name)
    if not member.active:
        raise Conflict("people.error.already_inactive", name=member.display_name)
    if member.deactivated_at is not None:
        raise Conflict("people.error.already_leaving", name=member.display_name)
    now = ensure_utc(now)
    found = _teams_of(session, member)
    if at is not None and at.tzinfo is None:
        # A REST date or time without an offset ("2026-12-20") is the team's wall clock, as
        # chat reads it; it answered 500 (a naive datetime reached the UTC arithmetic).
        at = at.replace(tzinfo=ZoneInfo(found[0].timezone if found else "UTC"))
    if at is not None:
        check_deactivation_date(at, now=now, zone=_zone_of(at, found))
    for team in found:
        guard_account_admin(session, team=team, member=member, by=by)
        guard_last_admin(session, team=team, member=member)
    when = max(ensure_utc(at), now) if at is not None else now
    member.deactivated_at = when
    member.active = when > now  # leaving on a later day: still here until then
    session.flush()
    said = ask(
        session,
        MemberDeactivated(
            member_id=member.id,
            team_ids=tuple(t.id for t in found),
            at=when,
            now=now,
            by_id=by.id if by else None,
        ),
    )
    if not member.active:
        reroute.pending_direct_notices(session, member=member, teams=found, now=now)
    return tuple(said)


@dataclass(frozen=True)
class Departure:
    """What :func:`depart` did: ``left`` the teams the person was taken out of while staying
    active in ``stays`` (an admin of only some of their teams), or, with ``left`` empty, the
    whole person deactivated; ``said``: the domains' sentences (see :class:`MemberDeactivated`)."""

    left: tuple[Team, ...]
    stays: tuple[Team, ...]
    said: tuple[str, ...]
    kept_admin: tuple[Team, ...] = ()  # of ``stays``: those whose last admin the person is

    @property
    def whole(self) -> bool:
        """Whether the person was deactivated (or set to leave) as a whole."""
        return not self.left


def depart(
    session: Session,
    *,
    member: Member,
    now: datetime,
    at: datetime | None = None,
    by: Member | None = None,
    admin_of: frozenset[int] = frozenset(),
) -> Departure:
    """The one use case behind ``/停用成员``, REST (``DELETE``, ``PATCH active: false``) and
    the members page, by ``by`` (None: the root token). Whoever administers every team of
    ``member`` (or the default team) deactivates the person (:func:`deactivate`); an admin of
    only some of them takes the person out of those teams, now (:func:`leave_teams`), and the
    person stays active in the others. ``admin_of``: teams ``by`` administers as a platform's
    group admin (chat). The last admin of one of their teams, removed now by someone who could
    deactivate the whole person, is taken out of the other teams and stays admin there
    (``kept_admin``; tester s24 F13: they could not be removed from any team).

    PermissionDenied ``people.error.not_their_admin`` (not an admin of any of their teams);
    Invalid ``people.error.leave_team_dated`` (a date ahead when only some teams are left: a
    dated departure is the whole person's); the refusals of :func:`deactivate` and
    :func:`leave_teams`. Nothing is changed when refused."""
    check_may_administer(session, actor=by, member=member, admin_of=admin_of)
    if administers_whole(session, actor=by, member=member, admin_of=admin_of):
        found = _teams_of(session, member)
        kept = _last_admin_of(session, member=member, teams=found)
        left = tuple(team for team in found if team not in kept)
        if not kept or not left or _ahead(at, now=now, teams=found):
            said = deactivate(session, member=member, now=now, at=at, by=by)
            return Departure(left=(), stays=(), said=said)
        # The last admin of another team: the default team's admin (or the root token) could
        # not take a plain member of theirs out at all, and that team had no way to appoint
        # another admin there (tester s24 F13). Out of the teams the rule is not at stake in;
        # they stay in, and admin of, the others.
        said = leave_teams(session, member=member, teams=left, now=now, by=by)
        return Departure(left=left, stays=kept, said=said, kept_admin=kept)
    assert by is not None  # the root token administers the whole person
    mine = _administered(session, actor=by, admin_of=admin_of)
    found = _teams_of(session, member)
    left = tuple(team for team in found if team.id in mine)
    stays = tuple(team for team in found if team.id not in mine)
    if at is not None:
        zone = at.tzinfo.key if isinstance(at.tzinfo, ZoneInfo) else left[0].timezone
        aware = at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(left[0].timezone))
        check_deactivation_date(aware, now=ensure_utc(now), zone=zone)
        if ensure_utc(aware) > ensure_utc(now):
            raise Invalid(
                "people.error.leave_team_dated",
                name=member.display_name,
                teams="」「".join(t.name for t in stays),
            )
    said = leave_teams(session, member=member, teams=left, now=now, by=by)
    return Departure(left=left, stays=stays, said=said)


def _last_admin_of(session: Session, *, member: Member, teams: list[Team]) -> tuple[Team, ...]:
    """Of ``teams``, those :func:`guard_last_admin` keeps ``member`` in (locked as it locks)."""
    kept = []
    for team in teams:
        try:
            guard_last_admin(session, team=team, member=member)
        except Conflict:
            kept.append(team)
    return tuple(kept)


def _ahead(at: datetime | None, *, now: datetime, teams: list[Team]) -> bool:
    """Whether a departure ``at`` (naive: the first team's wall clock) is set for later than
    ``now``: the whole person's, never a team's alone."""
    if at is None or at.year < 2000:  # deactivate refuses it as past, before zone arithmetic
        return False
    if at.year > 2100:  # and this as too far (near 9999-12-31 the arithmetic overflows)
        return True
    aware = at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(_zone_of(at, teams)))
    return ensure_utc(aware) > ensure_utc(now)


def leave_teams(
    session: Session,
    *,
    member: Member,
    teams: tuple[Team, ...],
    now: datetime,
    by: Member | None = None,
) -> tuple[str, ...]:
    """Take ``member`` out of ``teams`` now while they stay active in their other teams: their
    memberships there end (history stays; a leader or director seat of those teams is
    cleared) and the domains hear :class:`MemberDeactivated` with ``whole=False`` and only
    these ``team_ids``, so each does for these teams what it does for a leaver (duty's
    rotations and covers, 1on1 pairs, open action items, 360 requests) and nothing
    elsewhere. Returns the domains' sentences.

    Conflict ``people.error.merged``, ``already_inactive``, ``last_admin``."""
    if member.merged_into_id is not None:
        raise Conflict("people.error.merged", name=member.display_name)
    if not member.active:
        raise Conflict("people.error.already_inactive", name=member.display_name)
    for team in teams:
        guard_account_admin(session, team=team, member=member, by=by)
        guard_last_admin(session, team=team, member=member)
    for team in teams:
        remove_from_team(session, team=team, member=member)
    now = ensure_utc(now)
    return tuple(
        ask(
            session,
            MemberDeactivated(
                member_id=member.id,
                team_ids=tuple(t.id for t in teams),
                at=now,
                now=now,
                by_id=by.id if by else None,
                whole=False,
            ),
        )
    )


def leaving(member: Member, *, now: datetime) -> bool:
    """Whether ``member`` is still here but set to leave on a later date."""
    at = member.deactivated_at
    return member.active and at is not None and ensure_utc(at) > ensure_utc(now)


def leaves_by(member: Member, due: datetime | None = None) -> datetime | None:
    """When ``member`` is set to leave, if that is not after ``due`` (any set departure when
    ``due`` is None: work with no due time); else None. The one rule of the warning on work
    given to a person set to leave (/销项, /转交销项, /指派反馈, /通知 and /群发 with 截止,
    /议题销项, /职业规划 发起, and their REST endpoints): the work is handed on at the
    departure, and whoever gave it should know now (tester s23 F10, s25 F-6, s26 B-23)."""
    at = member.deactivated_at
    if at is None or (due is not None and ensure_utc(due) < ensure_utc(at)):
        return None
    return ensure_utc(at)


def take_effect(session: Session, *, member: Member, now: datetime) -> bool:
    """A planned departure whose moment has come: the member becomes inactive, the domains
    hear :class:`MemberDeactivated` again (``at <= now``: hand over, withdraw) and their pending
    direct notices are re-routed. The row is locked and re-read first, so of two sweeps the
    second finds nothing to do; returns whether this call made the change."""
    lock_members(session, [member.id])
    at = member.deactivated_at
    if not member.active or member.merged_into_id is not None or at is None:
        return False
    now = ensure_utc(now)
    if ensure_utc(at) > now:
        return False
    member.active = False
    session.flush()
    found = _teams_of(session, member)
    publish(
        session,
        MemberDeactivated(
            member_id=member.id, team_ids=tuple(t.id for t in found), at=ensure_utc(at), now=now
        ),
    )
    reroute.pending_direct_notices(session, member=member, teams=found, now=now)
    return True


def _teams_of(session: Session, member: Member) -> list[Team]:
    teams = [session.get(Team, row.team_id) for row in memberships(session, member=member)]
    return [team for team in teams if team is not None]


def _zone_of(at: datetime, teams: list[Team]) -> str:
    """The zone a deactivation date was written in: ``at``'s own zone (chat and the page give
    the team's), else the member's first team's."""
    if isinstance(at.tzinfo, ZoneInfo):
        return at.tzinfo.key
    return teams[0].timezone if teams else "UTC"


def check_deactivation_date(at: datetime, *, now: datetime, zone: str) -> None:
    """A deactivation is planned at most a year ahead, on the day rule every "too far" reply
    uses (:func:`~teamassist.clock.plan_horizon` in ``zone``): any time on the latest day is
    still accepted, and the refusal names that day. 9999-12-31 is a typo, not a plan. A day
    before today is refused too: a tester's mistyped year (2025 for 2026) deactivated at once
    what was meant for a year later; an earlier time of today still means now. Raises Invalid
    ``people.error.deactivate_far`` or ``deactivate_past``."""
    latest = plan_horizon(now, zone).isoformat()
    if at.year > 2100:  # before any zone arithmetic, which overflows near 9999-12-31
        raise Invalid("people.error.deactivate_far", date=at.date().isoformat(), latest=latest)
    today = local(now, zone).date()
    # before any zone arithmetic too: 0001-01-01 at +08:00 overflows as UTC
    day = at.date() if at.year < 2000 else local(at, zone).date()
    if day < today:
        raise Invalid("people.error.deactivate_past", date=day.isoformat(), today=today.isoformat())
    if beyond_horizon(at, now, zone):
        raise Invalid("people.error.deactivate_far", date=day.isoformat(), latest=latest)


def reactivate(session: Session, *, member: Member, now: datetime) -> tuple[str, ...]:
    """Make a deactivated member active again, or call off a departure set for a later date.
    What the departure planned and has not happened yet is taken back
    (:class:`MemberReactivated`): 1on1s cancelled for it are planned again, the roster's
    pending ``leave`` removals withdrawn; rotations left when it took effect are not restored
    (add them again). Returns the domains' sentences saying what was taken back or is left to
    do (see :class:`MemberReactivated`). Conflict ``people.error.merged`` or ``already_active``
    (active and not set to leave)."""
    if member.merged_into_id is not None:
        raise Conflict("people.error.merged", name=member.display_name)
    if member.active and member.deactivated_at is None:
        raise Conflict("people.error.already_active", name=member.display_name)
    member.active = True
    member.deactivated_at = None
    session.flush()
    found = _teams_of(session, member)
    return tuple(
        ask(
            session,
            MemberReactivated(
                member_id=member.id, team_ids=tuple(t.id for t in found), now=ensure_utc(now)
            ),
        )
    )


# -- merging ---------------------------------------------------------------------------------------


def lock_members(session: Session, ids: list[int]) -> None:
    """Lock the members' rows (``SELECT … FOR UPDATE``, lowest id first, so two callers never
    wait on each other in a circle) and re-read them: what a concurrent change committed
    meanwhile is what the checks then see. On SQLite the writer lock already serialises
    (SQLAlchemy leaves ``FOR UPDATE`` out there); the re-read still applies."""
    session.flush()
    session.scalars(
        select(Member)
        .where(Member.id.in_(sorted(set(ids))))
        .order_by(Member.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def merge(
    session: Session, *, into: Member, source: Member, now: datetime, by: Member | None
) -> Member:
    """One person with two records: move ``source``'s identities, memberships, accounts and
    org links to ``into``; ``source`` stays (history) as inactive, ``merged_into`` ``into``.

    ``by`` is who asks (None: the operator). A merge with a dashboard account on either side
    moves that account, or platform identities onto its member, so it is the rule of
    :func:`guard_account_admin` again: only someone with an account too (tester s27 C-3: an
    admin without one merged the owner into himself and signed in to the owner's account).

    Both rows are locked before the checks: merging A←B and B←A at the same time makes one
    wait for the other and then refuse (B is merged already), never a ring of merged records."""
    if into.id == source.id:
        raise Invalid("people.error.merge_self", name=into.display_name)
    if into.workspace_id != source.workspace_id:
        raise Invalid("people.error.merge_workspace")
    lock_members(session, [into.id, source.id])
    _guard_account_merge(session, into=into, source=source, by=by)
    for member in (into, source):
        if member.merged_into_id is not None:
            raise Conflict("people.error.merged", name=member.display_name)
    if not into.active:
        raise Conflict("people.error.inactive", name=into.display_name)
    session.execute(
        update(PlatformIdentity)
        .where(PlatformIdentity.member_id == source.id)
        .values(member_id=into.id)
        .execution_options(synchronize_session=False)
    )
    kept = {row.team_id: row for row in memberships(session, member=into)}
    for row in memberships(session, member=source):
        mine = kept.get(row.team_id)
        if mine is None:
            row.member_id = into.id
            continue
        if _RANK[Role(row.role)] > _RANK[Role(mine.role)]:
            mine.role = row.role
        mine.core = mine.core or row.core
        session.delete(row)
    for model in (LocalAccount, WebSession):
        session.execute(
            update(model)
            .where(model.member_id == source.id)
            .values(member_id=into.id)
            .execution_options(synchronize_session=False)
        )
    _repoint_org(session, into=into, source=source)
    source.merged_into_id = into.id
    source.active = False
    source.deactivated_at = ensure_utc(now)
    session.flush()
    session.expire(into, ["identities"])
    session.expire(source, ["identities"])
    return into


def _repoint_org(session: Session, *, into: Member, source: Member) -> None:
    """Leaders, directors and managers named as ``source`` become ``into``."""
    teams = session.scalars(select(Team).where(Team.workspace_id == into.workspace_id))
    for team in teams:
        if team.leader_id == source.id:
            team.leader_id = into.id
        if team.director_id == source.id:
            team.director_id = into.id
    for report in session.scalars(select(Member).where(Member.manager_id == source.id)):
        report.manager_id = None if report.id == into.id else into.id
    if source.manager_id is not None and into.manager_id is None and source.manager_id != into.id:
        into.manager_id = source.manager_id
    source.manager_id = None
