"""What a command handler gets: the session, who is asking, where, and when.

This module sits below the parser and the registry: it names what a handler is and what a
handler may read of the command list (:class:`CommandIndex`), so neither imports back up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from teamassist.chat import mention_names
from teamassist.chat.types import InboundMessage, MentionToken, Person, Reply
from teamassist.clock import local
from teamassist.enums import Role
from teamassist.exceptions import NotFound
from teamassist.ports import Directory, Ports
from teamassist.team import directory
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, Workspace


class CommandInfo(Protocol):
    """What ``/帮助`` shows of one command."""

    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> list[str]: ...
    @property
    def usage(self) -> str: ...
    @property
    def help(self) -> str: ...
    @property
    def group(self) -> str: ...


class CommandIndex(Protocol):
    """The command list as handlers see it (``chat.registry.Registry`` is one)."""

    @property
    def specs(self) -> Sequence[CommandInfo]:
        """Every command, each domain's commands imported (what /帮助 lists)."""
        ...

    @property
    def listed(self) -> Sequence[CommandInfo]:
        """Every command's words and group, importing no domain (hints, suggestions)."""
        ...

    def get(self, word: str) -> CommandInfo | None:
        """A command by name or alias (case-insensitive)."""
        ...

    def memo(self, name: str, build: Callable[[], str]) -> str:
        """Text built from the commands alone, kept until the commands or catalogue change."""
        ...


@dataclass
class CommandContext:
    """The unit of work of one command; handlers never commit, the dispatcher does."""

    session: Session
    workspace: Workspace
    team: Team
    member: Member
    role: Role | None
    message: InboundMessage
    now: datetime
    registry: CommandIndex
    ports: Ports
    is_platform_admin: bool = False
    on_duty: bool = False
    # Where users reach the dashboard (links in replies, calendar feed URLs).
    public_url: str = ""
    # The configured name of the channel at the message's chat, when the speaker's lookup
    # read it already ('' when none); None: not read, ask (``feedback.flows.channel_name``).
    origin_name: str | None = None
    _people_cache: dict[int, Person] = field(default_factory=dict)
    _names_cache: dict[str, bool] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        """Admin of this team, or an admin on the platform (QQ 管理员/创建者)."""
        return self.role is Role.ADMIN or self.is_platform_admin

    def administers(self, team: Team) -> bool:
        """Admin of ``team`` (the team of what a command acts on, which need not be the one
        spoken in), or a platform admin speaking in that team's chat. ``is_admin`` answers for
        the speaker's own team only: commands that asked it and then acted on another team's
        group or item let that team be run from outside (tester s18 F20)."""
        if self.is_platform_admin and team.id == self.team.id:
            return True
        return team_service.role_of(self.session, team=team, member=self.member) is Role.ADMIN

    @property
    def is_lead(self) -> bool:
        """Lead or admin."""
        return self.is_admin or self.role is Role.LEAD

    @property
    def today(self) -> date:
        """Today's date in the team's time zone."""
        return local(self.now, self.team.timezone).date()

    def resolve(self, token: MentionToken) -> Member:
        """Turn a mention into a member of this workspace (or raise NotFound).

        Someone the platform knows who never spoke to the bot (``/值班人员增加 @新人``) is looked
        up in the platform's directory and enrolled under their real name.
        """
        platform_key = token.user_key
        platform = self.message.platform.value
        if platform_key and platform not in team_service.LOCAL_PLATFORMS:
            known = team_service.get_member_by_identity(
                self.session,
                workspace=self.workspace,
                platform=platform,
                tenant_key=self.message.tenant_key,
                user_key=platform_key,
            )
            if known is not None:
                return known
            found = (
                directory.enroll_known(
                    self.session,
                    self.ports.get(Directory),
                    workspace=self.workspace,
                    team=self.team,
                    platform=platform,
                    tenant_key=self.message.tenant_key,
                    user_key=platform_key,
                    chat_key=self.message.chat_key,
                    now=self.now,
                )
                if self.ports.has(Directory)
                else None
            )
            if found is not None:
                return found
            # Unknown to the platform too: name them as the message showed them, not by id.
            shown = next(
                (m.display for m in self.message.mentions if m.user_key == platform_key), ""
            )
            raise NotFound("core.error.unknown_member", who=shown or token.raw)
        # A platform mention (QQ <@!id>) might also be listed in message.mentions with a name.
        try:
            return team_service.find_member(
                self.session,
                workspace=self.workspace,
                platform=platform,
                tenant_key=self.message.tenant_key,
                user_key=platform_key,
                name=token.name,
            )
        except NotFound:
            # No member has the whole typed name: one whose name is the name without a
            # trailing mark or joining word is meant (「@王五: …」, 「@张三和@李四」).
            typed = token.name or ""
            shorter = None if platform_key else mention_names.name_without_tail(typed)
            if shorter is None:
                raise
            try:
                return team_service.find_member(
                    self.session,
                    workspace=self.workspace,
                    platform=platform,
                    tenant_key=self.message.tenant_key,
                    user_key=None,
                    name=shorter,
                )
            except NotFound:
                pass
            raise

    def is_member_name(self, name: str) -> bool:
        """Whether somebody of the workspace has ``name`` (a handle or display name): where a
        typed @name with a glued half-width ``:``/``;`` ends (``parser.mention_at``)."""
        if name not in self._names_cache:
            self._names_cache[name] = team_service.names_a_member(
                self.session, workspace=self.workspace, name=name
            )
        return self._names_cache[name]

    def person(self, member: Member) -> Person:
        """The reply-side view of ``member``."""
        if member.id not in self._people_cache:
            self._people_cache[member.id] = team_service.person(member)
        return self._people_cache[member.id]


Handler = Callable[[CommandContext, dict[str, Any]], Reply]
