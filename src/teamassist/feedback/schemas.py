"""REST shapes of the feedback desk."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from teamassist.feedback.models import FeedbackKind
from teamassist.feedback.service import MAX_NOTE, MAX_TEXT
from teamassist.http.fields import Id, RequestBody


class FeedbackCreate(RequestBody):
    """Submit feedback as the signed-in member."""

    kind: FeedbackKind = FeedbackKind.BUG
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    team_id: Id | None = None


class FeedbackNote(RequestBody):
    """An optional note on a lifecycle step."""

    note: str | None = Field(default=None, max_length=MAX_NOTE)


class FeedbackDuplicate(FeedbackNote):
    """Mark as a duplicate of ``original_id``."""

    original_id: Id


class FeedbackAssign(FeedbackNote):
    """Assign to the member with ``owner`` as handle."""

    owner: str = Field(min_length=1, max_length=64)


class FeedbackItemRead(BaseModel):
    """One item, with its response times in seconds (wall clock and working time)."""

    id: int
    team_id: int
    kind: str
    status: str
    text: str
    reporter_id: int | None
    reporter_name: str
    owner_id: int | None
    owner_name: str | None
    origin_platform: str
    origin_chat: str
    duplicate_of_id: int | None
    plus_ones: int
    local_date: date
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolution_note: str | None
    waiting_for_sign_in: bool
    acknowledge_seconds: float | None
    acknowledge_work_seconds: float | None
    resolve_seconds: float | None
    resolve_work_seconds: float | None
    work_provisional: bool = Field(
        default=False,
        description="a working-time figure counts a year without official holiday data "
        "(Monday–Friday assumed)",
    )
    work_provisional_years: list[int] = Field(default_factory=list)


class FeedbackEventRead(BaseModel):
    """One step of an item's history."""

    action: str
    label: str
    actor_id: int | None
    actor_name: str | None
    note: str | None
    detail: dict[str, Any] | None
    at: datetime


class FeedbackItemDetail(FeedbackItemRead):
    """An item with its history (the dashboard's item page)."""

    history: list[FeedbackEventRead]
    # what the caller who just assigned it should know: the new owner is set to leave (the
    # chat reply's 「注意：…」 lines); empty on every other answer
    warnings: list[str] = Field(default_factory=list)


class FeedbackPage(BaseModel):
    """A page of search results."""

    # Counted up to offset + 1000 + 1 (queries.COUNT_LIMIT): more than offset + 1000 means
    # "at least that many"; counting further would read the whole workspace. False too when
    # ``window`` is set: the total is that of the newest items only.
    total: int
    total_exact: bool = True
    # queries.Found.window: set when only the newest items were searched and older matches
    # may be missing.
    window: int | None = Field(
        default=None,
        description=(
            "Null when the page and total are those of searching every item matching the "
            "other filters. Otherwise only the newest this many of them were searched "
            "(10000), more items match the other filters (a date range, team, status) than "
            "this, and the newest ones held no more matches than the total's bound, so "
            "older matches may be missing. window_reason says why. The CSV export "
            "(items.csv) searches them all."
        ),
    )
    window_reason: Literal["short", "common"] | None = Field(
        default=None,
        description=(
            "Why only a window was searched: 'short', a text of one character on PostgreSQL "
            "or MariaDB, or of two on PostgreSQL (more characters search everything); "
            "'common', a text of more than one part (two characters on MariaDB, three "
            "elsewhere) whose every part is in at least 2000 items, which the index could "
            "only rule out item by item (a rarer word or narrower filters search "
            "everything). Null when window is null."
        ),
    )
    limit: int
    offset: int
    items: list[FeedbackItemRead]


class LoadRead(BaseModel):
    """One person's share of the desk."""

    member_id: int | None
    name: str
    assigned: int
    resolved: int
    open: int


class FeedbackReportRead(BaseModel):
    """Aggregates for the report page: per day by kind, medians, load per person."""

    team_id: int
    date_from: date
    date_to: date
    total: int
    per_day: dict[str, dict[str, int]]
    by_status: dict[str, int]
    median_acknowledge_seconds: float | None
    median_acknowledge_work_seconds: float | None
    median_resolve_seconds: float | None
    median_resolve_work_seconds: float | None
    work_provisional: bool = Field(
        default=False,
        description="a working-time median counts a year without official holiday data "
        "(Monday–Friday assumed)",
    )
    work_provisional_years: list[int] = Field(default_factory=list)
    load: list[LoadRead]


class FeedbackSettingsRead(BaseModel):
    """A team's feedback desk settings (effective values, defaults filled in)."""

    team_id: int
    default_owner: str | None
    renotify_minutes: int
    escalate_minutes: int
    work_hours: list[str]
    escalate_in_quiet_hours: bool


class FeedbackSettingsUpdate(RequestBody):
    """Changes to the desk's settings; omitted keys stay, ``null`` restores the default, an
    unknown key is refused (422 naming it)."""

    default_owner: str | None = Field(default=None, max_length=64)
    renotify_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    escalate_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    work_hours: list[str] | None = Field(default=None, min_length=2, max_length=2)
    escalate_in_quiet_hours: bool | None = None
