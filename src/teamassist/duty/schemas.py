"""REST shapes of the duty desk."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from teamassist.duty.calendar import CalendarMode


class MemberBrief(BaseModel):
    """A person as schedules show them."""

    id: int
    handle: str
    display_name: str


class VersionRead(BaseModel):
    """One version of a rotation's parameters (the rotation's history)."""

    id: int | None = None
    effective_at: datetime
    member_ids: list[int]
    anchor_date: date
    anchor_index: int
    turn_days: int
    people_per_turn: int
    handoff_time: str
    calendar: str
    change: str = ""
    cancelled_at: datetime | None = None


class RotationRead(BaseModel):
    """A rotation with the version in force now."""

    id: int
    team_id: int
    key: str
    name: str
    kind: str
    current: VersionRead | None


class RotationCreate(BaseModel):
    """A new rotation."""

    key: str = Field(min_length=1, max_length=64, pattern=r"^[^\s@/<>]+$")
    name: str = Field(min_length=1, max_length=100)
    kind: str = "custom"
    member_ids: list[int] = Field(default_factory=list)
    start_date: date
    turn_days: int = 1
    people_per_turn: int = 1
    handoff_time: str = "03:00"
    calendar: CalendarMode = CalendarMode.ALL


class ShiftRead(BaseModel):
    """A piece of the final schedule."""

    rotation_id: int
    duty_date: date
    start: datetime
    end: datetime
    member_ids: list[int]
    primary_id: int | None
    source: str
    provisional: bool
    ref_id: int | None = None


class RotationSchedule(BaseModel):
    """One rotation's final schedule in a window."""

    rotation_id: int
    rotation: str
    shifts: list[ShiftRead]


class ScheduleRead(BaseModel):
    """The team's final schedule in a window, with the people it names."""

    start: datetime
    end: datetime
    rotations: list[RotationSchedule]
    members: dict[int, MemberBrief]
    warnings: list[str] = Field(default_factory=list)


class OnDutyRead(BaseModel):
    """Who holds one rotation at an instant."""

    rotation_id: int
    rotation: str
    kind: str
    duty_date: date | None
    members: list[MemberBrief]


class RosterChangeIn(BaseModel):
    """A roster edit: add / remove / swap / replan / params, effective from a date (or now)."""

    action: str = Field(pattern=r"^(add|remove|swap|replan|params)$")
    member_ids: list[int] = Field(default_factory=list)
    effective_date: date | None = None
    turn_days: int | None = None
    people_per_turn: int | None = None
    handoff_time: str | None = None
    calendar: CalendarMode | None = None


class PreviewRead(BaseModel):
    """The next weeks before and after a change, and whose shifts move."""

    effective_at: datetime
    before: list[ShiftRead]
    after: list[ShiftRead]
    moved_member_ids: list[int]
    moved: list[MemberBrief]
    version: VersionRead
    broken_swap_ids: list[int] = Field(default_factory=list)


class OverrideCreate(BaseModel):
    """Someone (or nobody: ``member_id`` null) holds the rotation for [start, end)."""

    start: datetime
    end: datetime
    member_id: int | None = None
    reason: str = Field(default="", max_length=500)


class OverrideRead(BaseModel):
    """A stored override."""

    id: int
    rotation_id: int
    start: datetime
    end: datetime
    member_id: int | None
    reason: str
    cancelled_at: datetime | None


class SwapCreate(BaseModel):
    """A trades the shift of ``date_a`` for B's shift of ``date_b`` (no ``date_b``: B covers)."""

    member_a_id: int
    date_a: date
    member_b_id: int
    date_b: date | None = None
    reason: str = Field(default="", max_length=500)


class SwapRead(BaseModel):
    """A stored shift swap."""

    id: int
    rotation_id: int
    member_a_id: int
    date_a: date
    member_b_id: int
    date_b: date | None
    reason: str
    created_at: datetime
    cancelled_at: datetime | None


class ExceptionCreate(BaseModel):
    """One future date marked as a duty day or a day off."""

    day: date
    active: bool
    note: str = Field(default="", max_length=200)


class ExceptionRead(BaseModel):
    """A stored exception date."""

    day: date
    active: bool
    note: str


class SignOutIn(BaseModel):
    """The duty report (值班日报) given at sign-out."""

    report: str | None = Field(default=None, max_length=5000)


class SignInRead(BaseModel):
    """One sign-in row."""

    rotation_id: int
    member_id: int
    duty_date: date
    signed_in_at: datetime
    signed_out_at: datetime | None
    report: str | None
