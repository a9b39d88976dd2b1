"""Look up and create people, teams and channels; resolve platform identities to members."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from teamassist.chat.quiet import quiet_until
from teamassist.chat.types import Person
from teamassist.enums import Platform, Role
from teamassist.exceptions import Conflict, DomainError, Invalid, NotFound, PermissionDenied
from teamassist.outbox import service as outbox_service
from teamassist.team.models import (
    ACTING_ORDER,
    Channel,
    Member,
    PlatformIdentity,
    PlatformTenant,
    Team,
    TeamMembership,
    Workspace,
)
from teamassist.team.names import (
    blank,
    clean_text,
    fold,
    invisible,
    one_line,
    platform_name,
    team_name_key,
)

# A person's private web inbox is the web address ``member:<id>`` (chat.notify.to_member).
INBOX_PREFIX = "member:"

# Platforms where the user key *is* the member handle (no separate identity row needed).
LOCAL_PLATFORMS = {Platform.WEB.value, Platform.CONSOLE.value}


def get_workspace_by_key(session: Session, *, key: str) -> Workspace | None:
    """Find a workspace by its key."""
    return session.scalar(select(Workspace).where(Workspace.key == key))


def resolve_workspace(session: Session, *, platform: str, tenant_key: str) -> Workspace | None:
    """Find the workspace a platform tenant is bound to (None: nobody has bound it yet).

    Web and console speak for the signed-in workspace (the tenant key is its key); a QQ guild or
    Feishu tenant is bound only by an admin (``team.binding``), never on first sight.
    """
    if platform in LOCAL_PLATFORMS:
        return get_workspace_by_key(session, key=tenant_key)
    binding = session.scalar(
        select(PlatformTenant).where(
            PlatformTenant.platform == platform, PlatformTenant.tenant_key == tenant_key
        )
    )
    return session.get(Workspace, binding.workspace_id) if binding is not None else None


def bind_tenant(
    session: Session, *, workspace: Workspace, platform: str, tenant_key: str, kind: str = ""
) -> None:
    """Bind a QQ guild / Feishu tenant to a workspace (no checks: see ``team.binding.bind``)."""
    session.add(
        PlatformTenant(
            workspace_id=workspace.id, platform=platform, tenant_key=tenant_key, kind=kind
        )
    )
    session.flush()


def create_workspace(
    session: Session, *, key: str, name: str, kind: str = "standalone"
) -> Workspace:
    """Create a workspace."""
    if get_workspace_by_key(session, key=key):
        raise Conflict("core.error.exists", what=key)
    workspace = Workspace(key=key, name=name, kind=kind)
    session.add(workspace)
    session.flush()
    return workspace


def create_team(
    session: Session, *, workspace: Workspace, key: str, name: str, timezone: str
) -> Team:
    """Create a team in a workspace. Its name is the workspace's once, as people read it
    (``names.team_name_key``: case, width and blanks aside): four teams called
    「第二团队」 and one each 「ＡＢＣ」 and 「abc」 made /切换团队 pick one silently and
    「你不在「第二团队」里」 name the wrong one (tester F-15, session 25). The workspace row is
    locked first, so two creations of one name queue and the second sees the first."""
    session.execute(select(Workspace.id).where(Workspace.id == workspace.id).with_for_update())
    wanted = team_name_key(name)
    for other in session.scalars(
        select(Team)
        .where(Team.workspace_id == workspace.id)
        .order_by(Team.id)
        .execution_options(populate_existing=True)
    ):
        if team_name_key(other.name) == wanted:
            raise Conflict(
                "core.error.team_name_taken", name=name[:40], other=other.name, id=other.id
            )
    team = Team(workspace_id=workspace.id, key=key, name=name, timezone=timezone, settings={})
    session.add(team)
    session.flush()
    return team


def get_teams(session: Session, *, workspace_id: int) -> list[Team]:
    """All teams of a workspace, oldest first."""
    return list(
        session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id))
    )


def get_team(session: Session, *, workspace_id: int, team_id: int) -> Team:
    """One team of a workspace, or NotFound."""
    team = session.get(Team, team_id)
    if team is None or team.workspace_id != workspace_id:
        raise NotFound("core.error.no_team", team=team_id)
    return team


def default_team(session: Session, *, workspace_id: int) -> Team:
    """The workspace's first team, where chats without a channel binding land."""
    team = session.scalar(
        select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id).limit(1)
    )
    if team is None:
        raise NotFound("core.error.no_team", team="-")
    return team


def team_for_chat(session: Session, *, workspace: Workspace, platform: str, chat_key: str) -> Team:
    """The team a chat belongs to (through its channel), else the default team."""
    channel = session.scalar(
        select(Channel).where(
            Channel.workspace_id == workspace.id,
            Channel.platform == platform,
            Channel.address == chat_key,
            Channel.team_id.is_not(None),
        )
    )
    if channel is not None and channel.team_id is not None:
        team = session.get(Team, channel.team_id)
        if team is not None:
            return team
    return default_team(session, workspace_id=workspace.id)


_HANDLE_UNSAFE = re.compile(r"[^0-9A-Za-z_.\-\u4e00-\u9fff]")


def home_team(session: Session, *, workspace_id: int, member: Member | None) -> Team:
    """The team a page or request means when it names none: the workspace's default team,
    unless ``member`` is not in it, then their first team (by id; the default team is the
    first of all, so a member of it gets it). A member of another team only was sent to the
    default team's pages and answered 403 (tester F3, session 20). The team they chose with
    /切换团队 comes first, as in their direct chats (``chat.placement``)."""
    if member is not None:
        found = session.scalar(
            select(Team)
            .join(TeamMembership, TeamMembership.team_id == Team.id)
            .where(Team.workspace_id == workspace_id, TeamMembership.member_id == member.id)
            .order_by(*ACTING_ORDER)
            .limit(1)
        )
        if found is not None:
            return found
    return default_team(session, workspace_id=workspace_id)


def create_member(
    session: Session,
    *,
    workspace: Workspace,
    handle: str,
    display_name: str,
    team: Team | None = None,
    role: Role = Role.MEMBER,
) -> Member:
    """Create a member (and their membership of ``team``)."""
    if get_member_by_handle(session, workspace_id=workspace.id, handle=handle):
        raise Conflict("core.error.exists", what=handle)
    member = Member(workspace_id=workspace.id, handle=handle, display_name=display_name)
    session.add(member)
    session.flush()
    if team is not None:
        set_role(session, team=team, member=member, role=role)
    return member


def set_role(session: Session, *, team: Team, member: Member, role: Role) -> None:
    """Give ``member`` the role ``role`` in ``team`` (joining it if needed)."""
    membership = session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.member_id == member.id
        )
    )
    if membership is None:
        session.add(TeamMembership(team_id=team.id, member_id=member.id, role=role.value))
    else:
        membership.role = role.value
    session.flush()


def has_left(member: Member | None) -> bool:
    """Whether someone has left: deactivated or merged into another member (None, nobody
    known, has not: the caller decides what an unknown id means)."""
    return member is not None and (not member.active or member.merged_into_id is not None)


def require_active(member: Member) -> None:
    """Refuse a deactivated or merged-away member as the object of a change (a rotation, a
    cover, a manager, a leader or director): they are no longer routed to."""
    if member.merged_into_id is not None:
        raise Conflict("people.error.merged", name=member.display_name)
    if not member.active:
        raise Conflict("people.error.inactive", name=member.display_name)


def members_by_id(
    session: Session, ids: Iterable[int | None], *, identities: bool = False
) -> dict[int, Member]:
    """The members behind ``ids`` (None skipped), loaded in one query; unknown ids are absent.

    ``identities``: with their platform identities joined into the same statement, for a
    reply that mentions them (:func:`person`); one statement per member otherwise."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    query = _MEMBERS_WITH_IDENTITIES if identities else _MEMBERS
    return {m.id: m for m in session.scalars(query, {"ids": list(wanted)}).unique()}


# Built once (issue 9 profile: building a statement cost more than running it): ``ids``
# expands to as many parameters as given, and the compiled form is reused.
_MEMBERS = select(Member).where(Member.id.in_(bindparam("ids", expanding=True)))
_MEMBERS_WITH_IDENTITIES = _MEMBERS.options(joinedload(Member.identities))


def names_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """The display names behind ``ids``, in one query (for tables and charts)."""
    return {i: m.display_name for i, m in members_by_id(session, ids).items()}


def role_of(session: Session, *, team: Team, member: Member) -> Role | None:
    """The member's role in the team, or None when they are not in it."""
    value = session.scalar(
        select(TeamMembership.role).where(
            TeamMembership.team_id == team.id, TeamMembership.member_id == member.id
        )
    )
    return Role(value) if value else None


def require_in_team(session: Session, *, team: Team, member: Member | None, key: str) -> None:
    """PermissionDenied ``key`` unless ``member`` is one of ``team``'s people (None, the
    workspace owner, always is): the reader rule of a team's own pages and REST reads (its
    action items, its feedback desk's report and settings), each domain with its words; the
    message may name the team as ``{team}``."""
    if member is not None and role_of(session, team=team, member=member) is None:
        raise PermissionDenied(key, team=team.name)


def readable_team_ids(session: Session, *, member: Member) -> set[int]:
    """Ids of the teams whose own pages ``member`` may read, in one statement: the teams they
    are in and the teams they direct (a director may sit in a parent team), as
    ``http.deps.require_team_person`` allows one team at a time."""
    mine = select(TeamMembership.team_id).where(TeamMembership.member_id == member.id)
    return set(
        session.scalars(
            select(Team.id).where(
                Team.workspace_id == member.workspace_id,
                or_(Team.id.in_(mine), Team.director_id == member.id),
            )
        )
    )


def channel_team_id(channel: Channel, *, default: Team) -> int:
    """The id of the team ``channel`` belongs to: its own, or the workspace's default (first)
    team's for a channel of no team (REST may make one; migration team_0008 and
    :func:`_check_channel_name` count it there too)."""
    return channel.team_id if channel.team_id is not None else default.id


def readable_channels(
    session: Session, *, workspace_id: int, member: Member | None, team_id: int | None = None
) -> list[Channel]:
    """The enabled channels of the workspace ``member`` may read, by id: those of the teams
    they are in or direct (:func:`readable_team_ids`), a channel of no team counted as the
    default team's (:func:`channel_team_id`); every channel for ``member`` None (the workspace
    owner: a member-less account or the global API token). With ``team_id``, that team's only
    (the caller has checked the team is the person's: ``http.deps.require_team_person``).
    The one rule of the ``/feeds`` page and ``GET /api/v1/channels`` (testers s24 F1, F12)."""
    default = default_team(session, workspace_id=workspace_id)
    found = channels(session, workspace_id=workspace_id)
    if team_id is not None:
        return [c for c in found if channel_team_id(c, default=default) == team_id]
    if member is None:
        return found
    mine = readable_team_ids(session, member=member)
    return [c for c in found if channel_team_id(c, default=default) in mine]


def team_members(session: Session, *, team: Team) -> list[tuple[Member, Role]]:
    """The team's members with their roles, by display name."""
    rows = session.execute(
        select(Member, TeamMembership.role)
        .join(TeamMembership, TeamMembership.member_id == Member.id)
        .where(TeamMembership.team_id == team.id)
        .order_by(Member.id)
    ).all()
    return [(member, Role(role)) for member, role in rows]


def admins(session: Session, *, team: Team) -> list[Member]:
    """The team's admins."""
    return [m for m, role in team_members(session, team=team) if role is Role.ADMIN]


def director_or_stand_in(session: Session, *, team: Team) -> list[Member]:
    """Who reads what goes to the team's director (digests, escalations): the director, else
    the team leader, else the team's admins; people who have left are passed over."""
    for member_id in (team.director_id, team.leader_id):
        if member_id is not None:
            member = session.get(Member, member_id)
            if member is not None and member.active and member.merged_into_id is None:
                return [member]
    return [m for m in admins(session, team=team) if m.active and m.merged_into_id is None]


def get_member_by_handle(session: Session, *, workspace_id: int, handle: str) -> Member | None:
    """Find a member by handle, compared through ``names.fold`` (case and width: ＮＥＷ finds
    new, Änne finds änne, on every backend)."""
    return session.scalar(
        select(Member).where(
            Member.workspace_id == workspace_id, Member.handle_key == fold(handle.strip())
        )
    )


def get_members(session: Session, *, workspace_id: int) -> list[Member]:
    """All members of a workspace."""
    return list(
        session.scalars(
            select(Member).where(Member.workspace_id == workspace_id).order_by(Member.id)
        )
    )


def members_of_teams(session: Session, *, team_ids: Iterable[int]) -> list[Member]:
    """The members of any of ``team_ids``, each once, by id: the people a team's own page
    offers in its pickers (a board's filters), not the workspace's."""
    ids = set(team_ids)
    if not ids:
        return []
    inside = select(TeamMembership.member_id).where(TeamMembership.team_id.in_(ids))
    return list(session.scalars(select(Member).where(Member.id.in_(inside)).order_by(Member.id)))


def add_identity(
    session: Session,
    *,
    member: Member,
    platform: str,
    user_key: str,
    tenant_key: str = "",
    display_name: str = "",
) -> PlatformIdentity:
    """Make ``member`` reachable on ``platform`` as ``user_key``."""
    identity = PlatformIdentity(
        member_id=member.id,
        platform=platform,
        tenant_key=tenant_key,
        user_key=user_key,
        display_name=display_name or member.display_name,
    )
    session.add(identity)
    session.flush()
    return identity


def get_member_by_identity(
    session: Session, *, workspace: Workspace, platform: str, tenant_key: str, user_key: str
) -> Member | None:
    """Find the member behind a platform user id."""
    if platform in LOCAL_PLATFORMS:
        return get_member_by_handle(session, workspace_id=workspace.id, handle=user_key)
    return session.scalar(
        select(Member)
        .join(PlatformIdentity, PlatformIdentity.member_id == Member.id)
        .where(
            Member.workspace_id == workspace.id,
            PlatformIdentity.platform == platform,
            PlatformIdentity.tenant_key == tenant_key,
            PlatformIdentity.user_key == user_key,
        )
    )


def enroll(
    session: Session,
    *,
    workspace: Workspace,
    team: Team,
    platform: str,
    tenant_key: str,
    user_key: str,
    display_name: str,
) -> Member:
    """Create a member for a platform user seen for the first time (community members).

    The platform's name is cleaned like a typed one (``names.platform_name``: a nickname with
    ``\u202e`` or ``\u200b`` loses them; one with nothing left is the user id)."""
    cleaned = platform_name(display_name, fallback="")
    display_name = cleaned or platform_name(None, fallback=user_key)
    # a person with no usable name gets a handle that says where they came from
    base = _HANDLE_UNSAFE.sub("", cleaned)[:40] or f"{platform}-{user_key[-8:]}"
    handle, n = base, 1
    while get_member_by_handle(session, workspace_id=workspace.id, handle=handle):
        n += 1
        handle = f"{base}{n}"
    member = create_member(
        session,
        workspace=workspace,
        handle=handle,
        display_name=display_name or handle,
        team=team,
    )
    add_identity(
        session,
        member=member,
        platform=platform,
        user_key=user_key,
        tenant_key=tenant_key,
        display_name=display_name,
    )
    return member


def find_member(
    session: Session,
    *,
    workspace: Workspace,
    platform: str,
    tenant_key: str,
    user_key: str | None,
    name: str | None,
) -> Member:
    """Resolve an @mention (platform id, handle or unique display name) to a member."""
    if user_key:
        member = get_member_by_identity(
            session,
            workspace=workspace,
            platform=platform,
            tenant_key=tenant_key,
            user_key=user_key,
        )
        if member is None and platform not in LOCAL_PLATFORMS:
            # Mentions of people who never spoke to the bot: the identity is not known yet.
            raise NotFound("core.error.unknown_member", who=user_key)
        if member is not None:
            return member
    label = name or user_key or ""
    member = get_member_by_handle(session, workspace_id=workspace.id, handle=label)
    if member is not None:
        return member
    candidates = session.scalars(
        select(Member).where(Member.workspace_id == workspace.id, Member.display_name == label)
    ).all()
    if not candidates:
        candidates = _by_name_without_variation_selectors(session, workspace.id, label)
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        raise Conflict("core.error.ambiguous_member", who=label)
    joined = _joined_names(session, workspace.id, label)
    if joined:
        raise NotFound("core.error.joined_members", who=label, each=" ".join(joined))
    raise NotFound("core.error.unknown_member", who=label)


# 「@孙七和赵六」: one @ before two names joined by a word (tester s23 F2); split only to say so.
_JOINED = re.compile("以及|还有|和|与|及|跟|同|、|，|,")


def _joined_names(session: Session, workspace_id: int, label: str) -> list[str]:
    """``["@孙七", "@赵六"]`` when ``label`` is names of this workspace's members (handles or
    display names) joined by a list word, else ``[]``: the refusal then says to @ each one
    rather than that nobody is called 「孙七和赵六」."""
    parts = [p for p in _JOINED.split(label) if p]
    if len(parts) < 2:
        return []
    for part in parts:
        found = get_member_by_handle(session, workspace_id=workspace_id, handle=part) or (
            session.scalar(
                select(Member.id)
                .where(Member.workspace_id == workspace_id, Member.display_name == part)
                .limit(1)
            )
        )
        if found is None:
            return []
    return [f"@{p}" for p in parts]


def names_a_member(session: Session, *, workspace: Workspace, name: str) -> bool:
    """Whether ``name`` is a handle or display name somebody of ``workspace`` has (one person
    or several), as :func:`find_member` reads a typed ``@name``: where a glued half-width mark
    ends a mention (``chat.mention_names.glued_cut``)."""
    try:
        find_member(
            session, workspace=workspace, platform="web", tenant_key="", user_key=None, name=name
        )
    except NotFound:
        return False
    except Conflict:
        return True
    return True


# Emoji variation selectors (U+FE0E text style, U+FE0F emoji style): "❤️" and "❤" are the same
# name typed on two keyboards; one sends the selector, the other does not.
_VARIATION_SELECTORS = ("\ufe0e", "\ufe0f")


def _by_name_without_variation_selectors(
    session: Session, workspace_id: int, label: str
) -> Sequence[Member]:
    """Members whose display name equals ``label`` once both lose their variation selectors
    (REPLACE exists on SQLite, PostgreSQL and MariaDB alike); asked only when the exact name
    found nobody."""
    bare = label
    column: ColumnElement[str] = Member.display_name.expression
    for selector in _VARIATION_SELECTORS:
        bare = bare.replace(selector, "")
        column = func.replace(column, selector, "")
    return session.scalars(
        select(Member).where(Member.workspace_id == workspace_id, column == bare)
    ).all()


def person(member: Member) -> Person:
    """The reply-side view of a member, with every identity for native mentions."""
    return Person(
        name=member.display_name,
        identities={i.platform: i.user_key for i in member.identities},
    )


def channels(
    session: Session, *, workspace_id: int, team_id: int | None = None, purpose: str | None = None
) -> list[Channel]:
    """Enabled channels of a workspace (optionally of one team and/or purpose)."""
    query = _CHANNELS[team_id is not None, purpose is not None]
    params: dict[str, object] = {"workspace_id": workspace_id}
    if team_id is not None:
        params["team_id"] = team_id
    if purpose is not None:
        params["purpose"] = purpose
    return list(session.scalars(query, params))


def _channels_query(*, of_team: bool, of_purpose: bool) -> Select[Channel]:
    query = select(Channel).where(
        Channel.workspace_id == bindparam("workspace_id"), Channel.enabled.is_(True)
    )
    if of_team:
        query = query.where((Channel.team_id == bindparam("team_id")) | Channel.team_id.is_(None))
    if of_purpose:
        query = query.where(Channel.purpose == bindparam("purpose"))
    return query.order_by(Channel.id)


# Each shape built once (every notice a command queues reads its channels).
_CHANNELS = {
    (of_team, of_purpose): _channels_query(of_team=of_team, of_purpose=of_purpose)
    for of_team in (False, True)
    for of_purpose in (False, True)
}


def create_channel(
    session: Session,
    *,
    workspace: Workspace,
    platform: str,
    address: str,
    purpose: str,
    name: str | None = None,
    team: Team | None = None,
    quiet_start: str | None = None,
    quiet_end: str | None = None,
) -> Channel:
    """Add a chat destination; refused as :func:`update_channel` refuses: a ``name`` given
    that shows nothing (None: a channel without a name, which no notice names), one another
    channel of the team has (:func:`_check_channel_name`), a quiet window that starts when it
    ends (``core.error.quiet_empty``)."""
    scope: int | None = None
    if name is not None:
        name, scope = _check_channel_name(
            session, workspace_id=workspace.id, team_id=team.id if team else None, name=name
        )
    if quiet_start is not None and quiet_end is not None:
        _check_quiet((quiet_start, quiet_end))
    web = platform == Platform.WEB.value
    # No address starts or ends with a blank: MariaDB's collations ignore trailing spaces (PAD
    # SPACE), so `t28b-room ` was "already exists" there and a second channel on PostgreSQL
    # and SQLite (tester s28 E-8). Trimmed, it is one address on every backend.
    address = address.strip()
    if not address:
        # `" "` was stored as an empty address, and every blank one after it was 「「」已经存在」
        # (tester s29c F-7)
        raise Invalid("core.error.address_empty")
    if any(invisible(c) or (blank(c) and not c.isspace()) for c in address):
        # `core-room\u200b` read as 开发者社区's `core-room` on every list, yet was a room of its
        # own (tester s29 G-3). No platform's chat id holds one; a gap between words may stay.
        raise Invalid("core.error.address_invisible")
    if web:
        # A web channel's address is ours, a key an admin types: one key whatever its case or
        # width, stored folded. A platform's chat id (QQ, Feishu) or a robot's configured name
        # is the platform's, compared byte for byte, on MariaDB too (team_0011). `core-duty`
        # then `CORE-DUTY` were two channels on SQLite and PostgreSQL and 409 on MariaDB, its
        # collation's doing (tester s26 A-10). Stored before 2cb60ae, a key may still be in
        # its typed case until team_0013 folds it.
        address = fold(address).strip()[:200]
    if web and address.startswith(INBOX_PREFIX):
        # ``member:<id>`` is a person's private web inbox (sign-in links, direct notices): as a
        # channel, its feed would be shown to everyone in the workspace.
        raise Invalid("core.error.reserved_address", address=address[:40])
    # One address, one team (:func:`_address_taken`) is a read, then an insert, and no unique
    # key covers it: twenty creates at once by two teams' admins left both teams at one
    # address on PostgreSQL and MariaDB (tester s29 G-8). The workspace row's lock queues
    # them, as :func:`create_team` queues two teams of one name: the later one reads the
    # earlier one's committed channel (READ COMMITTED) and is refused. SQLite's writers
    # queue already.
    session.execute(select(Workspace.id).where(Workspace.id == workspace.id).with_for_update())
    same = select(Channel).where(Channel.workspace_id == workspace.id, Channel.platform == platform)
    if not web:  # a platform's id compares byte for byte: the database picks the rows
        same = same.where(Channel.address == address)
    taken = _address_taken(
        session, same, workspace=workspace, team=team, address=address, purpose=purpose
    )
    if taken is not None:
        _refuse_taken_address(session, taken, workspace=workspace, team=team, address=address)
    channel = Channel(
        workspace_id=workspace.id,
        team_id=team.id if team else None,
        platform=platform,
        address=address,
        purpose=purpose,
        name=name or "",
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        enabled=True,
    )
    channel.name_team_id, channel.name_key = _name_key(name or "", scope)
    try:  # a create at the same instant passed the checks above too: the unique keys decide
        with session.begin_nested():
            session.add(channel)
    except IntegrityError as exc:
        raise _taken(
            session, exc, workspace_id=workspace.id, address=address, name=name or "", scope=scope
        ) from exc
    return channel


def _address_taken(
    session: Session,
    same: Select[Channel],
    *,
    workspace: Workspace,
    team: Team | None,
    address: str,
    purpose: str,
) -> Channel | None:
    """The channel a new one at ``address`` (of ``same``'s platform) collides with: one of
    the same purpose, or one of another team whatever its purpose. A web channel's notices
    are stored and read by address, so one address is one room: another team's channel at it
    with another purpose read (and wrote into) that team's room; and a QQ group's id under a
    second team posted that team's notices into the first team's group (tester s29 F-2). One
    team may keep one chat for several purposes: its people read them all anyway. A web
    address is compared folded (one stored before its address was folded, until team_0013
    ran); ``same`` already holds only the rows of a platform's exact id."""
    default = default_team(session, workspace_id=workspace.id)
    mine = team.id if team is not None else default.id
    return next(
        (
            c
            for c in session.scalars(same)
            if (c.platform != Platform.WEB.value or fold(c.address).strip() == address)
            and (c.purpose == purpose or channel_team_id(c, default=default) != mine)
        ),
        None,
    )


def _refuse_taken_address(
    session: Session, taken: Channel, *, workspace: Workspace, team: Team | None, address: str
) -> None:
    """Conflict for an address another channel of the workspace has: ``core.error.exists``
    when that channel is the same team's; when it is another team's, that an address is the
    whole workspace's once (a web channel's feed is its address's), with one to use instead,
    and without naming that team (tester s25 F-3: 第二团队's admin read only 「public」已经存在)."""
    default = default_team(session, workspace_id=workspace.id)
    mine = team.id if team is not None else default.id
    if channel_team_id(taken, default=default) == mine:
        raise Conflict("core.error.exists", what=address[:40])
    key = team.key if team is not None else default.key
    raise Conflict(
        "core.error.address_elsewhere", address=address[:40], suggest=f"{key}-{address}"[:40]
    )


def _name_key(name: str, scope: int | None) -> tuple[int | None, str | None]:
    """``(name_team_id, name_key)`` of a channel called ``name`` in team ``scope``: both NULL
    for a nameless channel (no notice names it; any number may be nameless). The key is cut to
    the column's 255 characters (a 200-character name folds longer only in odd scripts)."""
    if not name:
        return None, None
    return scope, fold(name)[:255]


def _taken(
    session: Session,
    exc: IntegrityError,
    *,
    workspace_id: int,
    address: str,
    name: str,
    scope: int | None,
) -> Conflict:
    """The refusal for a unique key another writer took first (its row was committed after
    this one's checks): the name's (``core.error.channel_name_taken``, naming that channel) or
    the address's (``core.error.exists``). Which key, from the driver's message: each backend
    names the column (SQLite) or the constraint (PostgreSQL, MariaDB) holding ``name_key``."""
    if "name_key" not in str(exc.orig):
        return Conflict("core.error.exists", what=address[:40])
    _, key = _name_key(name, scope)
    # A locking read sees the row committed after this transaction's snapshot (MariaDB's
    # repeatable read would not show it to a plain SELECT).
    other = session.scalar(
        select(Channel.id)
        .where(
            Channel.workspace_id == workspace_id,
            Channel.name_team_id == scope,
            Channel.name_key == key,
        )
        .with_for_update()
    )
    return Conflict("core.error.channel_name_taken", name=name[:60], id=other or "?")


def _check_channel_name(
    session: Session, *, workspace_id: int, team_id: int | None, name: str, not_id: int = 0
) -> tuple[str, int]:
    """``(name stripped, the team it is unique in)``, or refused: DomainError
    ``core.error.channel_name_empty`` when it shows nothing, Conflict
    ``core.error.channel_name_taken`` when another channel of the same team (a channel without
    a team counting as the default team's) has it, compared as notices name groups
    (:func:`~teamassist.team.names.fold`: case and width): a notice to that name went to both
    (tester F11, session 21). Two writers at one instant are kept apart by the unique key
    ``(workspace_id, name_team_id, name_key)``, not here."""
    name = one_line(name)  # one line: a name prints in lists (tester s27 A-9)
    if not clean_text(name):
        raise DomainError("core.error.channel_name_empty")
    wanted = fold(name)
    # A channel without a team is the default team's (where its chats land).
    default = default_team(session, workspace_id=workspace_id).id
    same_team: ColumnElement[bool] = Channel.team_id == team_id
    if team_id is None or team_id == default:
        same_team = or_(Channel.team_id.is_(None), Channel.team_id == default)
    for other_id, other in session.execute(
        select(Channel.id, Channel.name).where(
            Channel.workspace_id == workspace_id, same_team, Channel.id != not_id
        )
    ).all():
        if other and fold(other) == wanted:
            raise Conflict("core.error.channel_name_taken", name=name[:60], id=other_id)
    return name, team_id if team_id is not None else default


def _check_quiet(quiet: tuple[str, str] | None) -> None:
    """DomainError ``core.error.quiet_empty`` for a window whose start is its end."""
    if quiet is not None and quiet[0] == quiet[1]:
        raise DomainError("core.error.quiet_empty", at=quiet[0])


def get_channel(session: Session, *, workspace_id: int, channel_id: int) -> Channel:
    """One channel of a workspace, or NotFound."""
    channel = session.get(Channel, channel_id)
    if channel is None or channel.workspace_id != workspace_id:
        raise NotFound("core.error.not_found", what=f"#{channel_id}")
    return channel


def update_channel(
    session: Session,
    *,
    channel: Channel,
    name: str | None = None,
    enabled: bool | None = None,
    quiet: tuple[str, str] | None = None,
    clear_quiet: bool = False,
    timezone: str = "UTC",
    now: datetime | None = None,
) -> Channel:
    """Rename, switch on/off, or set / clear the night quiet window of a channel.

    A changed window re-times the untried notices waiting for the channel (its hours read in
    ``timezone``, the channel's team's): clearing it releases what it held, a new one holds
    what now falls inside it (:func:`teamassist.outbox.service.retime_quiet`).

    Refused, nothing changed (tester F10, session 20: both were stored): a name that shows
    nothing or another channel of its team has (:func:`_check_channel_name`), a window that
    starts when it ends (``core.error.quiet_empty``: ``chat.quiet`` reads it as no window,
    so it held nothing)."""
    scope: int | None = None
    if name is not None:
        name, scope = _check_channel_name(
            session,
            workspace_id=channel.workspace_id,
            team_id=channel.team_id,
            name=name,
            not_id=channel.id,
        )
    _check_quiet(quiet)
    before = (channel.quiet_start, channel.quiet_end)
    try:  # a rename at the same instant passed the check too: the unique key decides
        with session.begin_nested():
            if name is not None:
                channel.name = name
                channel.name_team_id, channel.name_key = _name_key(name, scope)
            if enabled is not None:
                channel.enabled = enabled
            if clear_quiet:
                channel.quiet_start = channel.quiet_end = None
            elif quiet is not None:
                channel.quiet_start, channel.quiet_end = quiet
    except IntegrityError as exc:
        raise _taken(
            session,
            exc,
            workspace_id=channel.workspace_id,
            address=channel.address,
            name=name or "",
            scope=scope,
        ) from exc
    start, end = channel.quiet_start, channel.quiet_end
    if now is not None and (start, end) != before:
        outbox_service.retime_quiet(
            session,
            workspace_id=channel.workspace_id,
            platform=channel.platform,
            address=channel.address,
            hold=lambda at: quiet_until(at, timezone, start, end),
            now=now,
        )
    return channel
