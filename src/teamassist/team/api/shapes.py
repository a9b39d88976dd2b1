"""REST shapes for people and the organisation (the older team shapes are in ``team.schemas``)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from teamassist.enums import Role
from teamassist.http.deps import Id
from teamassist.http.fields import IsoDateTimeOrDay
from teamassist.request_body import RequestBody

HANDLE = r"^[^\s@＠/<>]+$"


class PersonRead(BaseModel):
    """A member of the workspace: names, 称呼, manager, state, teams and identities."""

    id: int
    handle: str
    display_name: str
    address_as: str | None
    addressed_as: str = Field(description="the stored 称呼, or the default (姓+总 for a director)")
    manager_id: int | None
    active: bool
    deactivated_at: datetime | None
    deactivates_on: date | None = Field(
        default=None,
        description="a planned departure: the day (team-local) from which the member is "
        "inactive; until then active stays true",
    )
    merged_into_id: int | None
    teams: dict[int, Role] = Field(default_factory=dict, description="team id → role")
    core_teams: list[int] = Field(default_factory=list)
    identities: dict[str, str] = Field(default_factory=dict)
    changes: list[str] = Field(
        default_factory=list,
        description="a departure's answer: what else it changed, one sentence per domain as "
        "chat's /停用成员 reply says it (the covers and swaps cancelled or cut, with their "
        "dates; the roster changes withdrawn); empty otherwise",
    )


class PersonUpdate(RequestBody):
    """Changes to a member; omitted fields stay. ``manager_id: null`` clears the manager,
    ``address_as: null`` restores the default 称呼, ``active`` deactivates / reactivates."""

    handle: str | None = Field(default=None, min_length=1, max_length=64, pattern=HANDLE)
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    address_as: str | None = Field(default=None, max_length=64)
    manager_id: Id | None = None
    active: bool | None = None
    deactivate_at: IsoDateTimeOrDay | None = Field(
        default=None,
        description="plan a departure: inactive from this instant (a date alone: its start in "
        "the team's zone; an earlier time of today: now; a day before today is refused, 422 "
        "people.error.deactivate_past; a year ahead at most); alone or with active=false; "
        "refused with active=true",
    )
    team_id: Id | None = Field(default=None, description="the team of role/core (default team)")
    role: Role | None = None
    core: bool | None = None


class MergeRequest(RequestBody):
    """Merge ``source_id`` into the member of the URL."""

    source_id: Id


class SubTeamCreate(RequestBody):
    """A new team, under ``parent_id`` (top level when null)."""

    key: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    parent_id: Id | None = None
    timezone: str | None = Field(default=None, max_length=64)


class TeamUpdate(RequestBody):
    """Organisation of a team; omitted fields stay, null clears."""

    parent_id: Id | None = None
    leader_id: Id | None = None
    director_id: Id | None = None


class OrgTeamRead(BaseModel):
    """A team of the org tree with its people and sub-teams."""

    id: int
    key: str
    name: str
    parent_id: int | None
    leader_id: int | None
    director_id: int | None
    members: list[OrgMemberRead]
    children: list[OrgTeamRead] = Field(default_factory=list)


class OrgMemberRead(BaseModel):
    """A member in one team of the tree."""

    id: int
    display_name: str
    role: Role
    core: bool
    active: bool


class OrgRead(BaseModel):
    """Teams nested, and who reports to whom (``{member_id: manager_id}``)."""

    teams: list[OrgTeamRead]
    managers: dict[int, int]


OrgTeamRead.model_rebuild()
