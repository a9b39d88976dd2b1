"""What a command handler gets: the session, who is asking, where, and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from teamassist.chat.parser import MentionToken
from teamassist.chat.types import InboundMessage, Person
from teamassist.clock import local
from teamassist.enums import Role
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, Workspace

if TYPE_CHECKING:
    from teamassist.chat.registry import Registry


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
    registry: Registry
    is_platform_admin: bool = False
    on_duty: bool = False
    # Where users reach the dashboard (links in replies, calendar feed URLs).
    public_url: str = ""
    _people_cache: dict[int, Person] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        """Admin of this team, or an admin on the platform (QQ 管理员/创建者)."""
        return self.role is Role.ADMIN or self.is_platform_admin

    @property
    def is_lead(self) -> bool:
        """Lead or admin."""
        return self.is_admin or self.role is Role.LEAD

    @property
    def today(self) -> date:
        """Today's date in the team's time zone."""
        return local(self.now, self.team.timezone).date()

    def resolve(self, token: MentionToken) -> Member:
        """Turn a mention into a member of this workspace (or raise NotFound)."""
        platform_key = token.user_key
        # A platform mention (QQ <@!id>) might also be listed in message.mentions with a name.
        return team_service.find_member(
            self.session,
            workspace=self.workspace,
            platform=self.message.platform.value,
            tenant_key=self.message.tenant_key,
            user_key=platform_key,
            name=token.name,
        )

    def person(self, member: Member) -> Person:
        """The reply-side view of ``member``."""
        if member.id not in self._people_cache:
            self._people_cache[member.id] = team_service.person(member)
        return self._people_cache[member.id]
