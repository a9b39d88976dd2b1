"""Request and response shapes of ``/api/v1/meetings``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field

from teamassist.clock import date_alone
from teamassist.http.fields import RequestBody, iso_moment_or_day
from teamassist.meetings.models import MeetingOccurrence


class OccurrenceRead(BaseModel):
    """One occurrence; instants are UTC ISO 8601."""

    id: int
    key: str
    kind: str
    title: str
    report_title: str
    period_start: date
    period_end: date
    notice_at: datetime
    due_at: datetime
    start_at: datetime
    end_at: datetime
    place: str
    video_url: str
    status: str
    moved: bool
    provisional: bool
    sequence: int
    note: str | None

    @classmethod
    def of(cls, occ: MeetingOccurrence) -> OccurrenceRead:
        """The read shape of a row."""
        return cls.model_validate(occ, from_attributes=True)


class MovedRead(OccurrenceRead):
    """The moved occurrence and what the mover should know: ``warnings`` are user texts
    (one when the new start is on a weekend or a statutory holiday, one when it is at or after
    the series' next meeting)."""

    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def of_move(cls, occ: MeetingOccurrence, warnings: list[str]) -> MovedRead:
        """The read shape of a moved row with its warnings."""
        return cls.model_validate({**OccurrenceRead.of(occ).model_dump(), "warnings": warnings})


class MoveBody(RequestBody):
    """The new start: an ISO 8601 time, without an offset the team's local time; a date alone
    keeps the meeting's local time of day, as ``/改期 … 2026-12-09`` does in chat."""

    start: Annotated[
        datetime | date,
        BeforeValidator(date_alone),
        BeforeValidator(iso_moment_or_day),
        Field(
            description=(
                "ISO 8601 (2026-12-09T15:00:00+08:00); without an offset the team's wall clock; "
                "a date alone (2026-12-09) keeps the meeting's time of day"
            )
        ),
    ]
    note: str | None = Field(default=None, max_length=500)


class CancelBody(RequestBody):
    """Why (optional)."""

    note: str | None = Field(default=None, max_length=500)
