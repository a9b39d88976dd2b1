"""REST shapes for people, teams and channels."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from teamassist.clock import HHMM_PATTERN
from teamassist.enums import ChannelPurpose, Platform, Role
from teamassist.request_body import RequestBody
from teamassist.request_ids import Id


class TeamRead(BaseModel):
    """A team."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    name: str
    timezone: str
    parent_id: int | None = None
    leader_id: int | None = None
    director_id: int | None = None


class MemberRead(BaseModel):
    """A member and their role in the team asked about."""

    id: int
    handle: str
    display_name: str
    role: Role | None = None
    identities: dict[str, str] = Field(default_factory=dict)


class MemberAdded(MemberRead):
    """A member added to a team; ``told`` when the person existed and was sent a notice that
    they were added; ``name_not_used`` is the ``display_name`` asked for when the person
    existed and keeps their name (``notice`` says so, as chat does), else None."""

    told: bool = False
    name_not_used: str | None = None
    notice: str | None = None


class MemberCreate(RequestBody):
    """A new member of a team."""

    handle: str = Field(min_length=1, max_length=64, pattern=r"^[^\s@/<>]+$")
    display_name: str = Field(min_length=1, max_length=200)
    role: Role = Role.MEMBER


class ChannelRead(BaseModel):
    """A chat destination."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    team_id: int | None
    platform: str
    address: str
    purpose: str
    name: str
    quiet_start: str | None
    quiet_end: str | None
    enabled: bool


class ChannelCreate(RequestBody):
    """A new chat destination."""

    platform: Platform
    address: str = Field(min_length=1, max_length=200)
    purpose: ChannelPurpose
    # None: no name (no notice names the channel); a name given must show something
    name: str | None = Field(default=None, max_length=200)
    team_id: Id | None = None
    quiet_start: str | None = Field(default=None, pattern=HHMM_PATTERN)
    quiet_end: str | None = Field(default=None, pattern=HHMM_PATTERN)


class TeamSettingsRead(BaseModel):
    """A team's time zone and the effective local times of its daily jobs."""

    timezone: str
    schedule: dict[str, list[str]]


class TeamSettingsUpdate(RequestBody):
    """Changes: a time zone, and per job a list of "HH:MM" ([] = off, null = default)."""

    timezone: str | None = Field(default=None, max_length=64)
    schedule: dict[str, list[str] | None] | None = None


class ChannelUpdate(RequestBody):
    """Changes to a chat destination; omitted fields stay as they are."""

    name: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None
    quiet_start: str | None = Field(default=None, pattern=HHMM_PATTERN)
    quiet_end: str | None = Field(default=None, pattern=HHMM_PATTERN)
    clear_quiet: bool = Field(
        default=False,
        description="remove the quiet window (as does sending both hours as null); "
        "not together with new hours",
    )
