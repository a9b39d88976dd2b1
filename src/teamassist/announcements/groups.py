"""A group, as a director names it: one of the workspace's chats (``产品核心群``) or a team.

The seed matched a group by its chat's display name among the director's configured core and
team groups; here a group is, in order of preference:

1. an enabled channel of the workspace whose name is the given one (a ``core`` channel's
   people are the team's core members; any other channel's are the whole team; a channel
   without a team is the first team's, as its name's uniqueness counts it): the acting team's
   own when it has one of that name, else the one team that has; when several other teams
   have one (names are unique per team only: every team may have its 全员群), the name is
   ambiguous and refused naming the teams (tester s23b F8: the first team's was taken);
2. a team whose name or key is the given one (its ``team`` channels, else its public ones).

Names compare with :func:`teamassist.team.names.fold` (case and width).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.enums import ChannelPurpose
from teamassist.exceptions import Invalid, NotFound
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Member, Team, TeamMembership
from teamassist.team.names import fold, team_name_key

# Channel purposes a group post may go to (never a notify-only webhook robot's duty room).
POSTABLE = (ChannelPurpose.CORE, ChannelPurpose.TEAM, ChannelPurpose.PUBLIC)


@dataclass(frozen=True)
class Group:
    """Where a group post goes and who is in the group (active members, by id)."""

    name: str
    team: Team
    channels: tuple[Channel, ...]
    members: tuple[Member, ...]


def _members(session: Session, team: Team, *, core_only: bool) -> tuple[Member, ...]:
    query = (
        select(Member)
        .join(TeamMembership, TeamMembership.member_id == Member.id)
        .where(
            TeamMembership.team_id == team.id,
            Member.active.is_(True),
            Member.merged_into_id.is_(None),
        )
        .order_by(Member.id)
    )
    if core_only:
        query = query.where(TeamMembership.core.is_(True))
    return tuple(session.scalars(query))


def resolve(session: Session, *, workspace_id: int, name: str, acting: Team | None) -> Group:
    """The group called ``name`` in the workspace, looked up in ``acting`` (the team the
    speaker acts for: the chat's, their chosen or home team) first; NotFound naming it when
    there is none, Invalid ``announcements.error.ambiguous_group`` naming the teams when
    several other teams have a chat of that name."""
    wanted = fold(name.strip())
    if not wanted:
        raise Invalid("announcements.error.no_group")
    channels = session.scalars(
        select(Channel)
        .where(
            Channel.workspace_id == workspace_id,
            Channel.enabled.is_(True),
            Channel.purpose.in_([p.value for p in POSTABLE]),
        )
        .order_by(Channel.id)
    ).all()
    teams = session.scalars(
        select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id)
    ).all()
    named = [c for c in channels if c.name and fold(c.name) == wanted]
    if named and teams:
        # A channel without a team (REST may make one) is the first team's, as its name's
        # uniqueness counts it (team.service._check_channel_name): /通知 reached no such
        # channel though the name was refused for the first team's others (tester F6, s22).
        team_of = {t.id: t for t in teams}
        held = {c.id: team_service.channel_team_id(c, default=teams[0]) for c in named}
        holders = list(dict.fromkeys(held.values()))
        if acting is not None and acting.id in holders:
            holder = acting.id
        elif len(holders) == 1:
            holder = holders[0]
        else:
            raise Invalid(
                "announcements.error.ambiguous_group",
                group=name.strip()[:60],
                teams="、".join(team_of[i].name for i in holders if i in team_of),
            )
        team = team_of.get(holder, teams[0])
        same = tuple(c for c in named if held[c.id] == holder)
        core = all(c.purpose == ChannelPurpose.CORE.value for c in same)
        return Group(name.strip(), team, same, _members(session, team, core_only=core))
    for team in teams:
        if team_name_key(team.name) == team_name_key(name) or team.folded_key == wanted:
            own = [c for c in channels if c.team_id == team.id]
            posts = [c for c in own if c.purpose == ChannelPurpose.TEAM.value] or [
                c for c in own if c.purpose == ChannelPurpose.PUBLIC.value
            ]
            return Group(team.name, team, tuple(posts), _members(session, team, core_only=False))
    if teams:
        _refuse_unpostable(session, wanted=wanted, name=name, acting=acting, first=teams[0])
    raise NotFound("announcements.error.unknown_group", group=name.strip()[:60])


def _refuse_unpostable(
    session: Session, *, wanted: str, name: str, acting: Team | None, first: Team
) -> None:
    """Invalid ``announcements.error.not_postable`` when ``name`` is a channel (of the acting
    team, when there is one) that takes no notice, a duty/internal channel or a webhook robot,
    saying which purposes do: "找不到群组" sent an admin to the channel page where it was
    listed (tester s25 F-8)."""
    other = session.scalars(
        select(Channel)
        .where(
            Channel.workspace_id == first.workspace_id,
            Channel.enabled.is_(True),
            Channel.purpose.not_in([p.value for p in POSTABLE]),
        )
        .order_by(Channel.id)
    ).all()
    found = next(
        (
            c
            for c in other
            if c.name
            and fold(c.name) == wanted
            and (acting is None or team_service.channel_team_id(c, default=first) == acting.id)
        ),
        None,
    )
    if found is not None:
        raise Invalid(
            "announcements.error.not_postable",
            group=name.strip()[:60],
            purpose=t(f"web.purpose_label.{found.purpose}"),
            postable="、".join(t(f"web.purpose_label.{p.value}") for p in POSTABLE),
        )


def member_named(group: Group, name: str) -> Member:
    """The member of ``group`` whose display name (or handle) is ``name``; Invalid naming the
    name when nobody or more than one person has it (the seed raised KeyError here)."""
    wanted = fold(name.strip())
    found = [m for m in group.members if fold(m.display_name) == wanted]
    if not found:
        found = [m for m in group.members if m.handle_key == wanted]
    if not found:
        raise NotFound("announcements.error.unknown_name", name=name.strip()[:60], group=group.name)
    if len(found) > 1:
        raise Invalid("announcements.error.ambiguous_name", name=name.strip()[:60])
    return found[0]
