"""Request and response shapes of ``/api/v1/one-on-ones``. An agenda in a response is always
the caller's view (:func:`teamassist.one_on_ones.agenda.visible`): the other person's private
notes are not in it, nor counted."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from teamassist.chat.render import plain_isolated
from teamassist.http.deps import Id
from teamassist.http.fields import IsoDate, RequestBody, iso_moment_or_day
from teamassist.one_on_ones import agenda
from teamassist.one_on_ones.flows import View
from teamassist.one_on_ones.models import AgendaItem, OneOnOne, OneOnOneMeeting
from teamassist.one_on_ones.prep import Prep

Cadence = Literal["monthly", "weekly", "biweekly"]
Holiday = Literal["later", "earlier", "keep"]


class MeetingRead(BaseModel):
    """One occurrence; instants UTC ISO 8601; ``key`` the rule's (``2026-10``)."""

    id: int
    key: str
    start_at: datetime
    end_at: datetime
    status: str
    moved: bool
    provisional: bool
    sequence: int
    note: str | None

    @classmethod
    def of(cls, row: OneOnOneMeeting) -> MeetingRead:
        """The read shape of a row."""
        return cls.model_validate(row, from_attributes=True)


class MovedRead(MeetingRead):
    """The moved occurrence and what the mover should know: ``warnings`` are user texts
    (a day off, a night, past the next 1on1, a second talk in a week); ``changed`` false when
    it already had that time and note (nothing moved, no warnings)."""

    warnings: list[str] = Field(default_factory=list)
    changed: bool = True

    @classmethod
    def of_move(
        cls, row: OneOnOneMeeting, warnings: list[str], *, changed: bool = True
    ) -> MovedRead:
        """The read shape of a moved row with its warnings."""
        return cls.model_validate(
            {**MeetingRead.of(row).model_dump(), "warnings": warnings, "changed": changed}
        )


class ItemRead(BaseModel):
    """One agenda item the caller may read (``private`` ones are the caller's own)."""

    id: int
    text: str
    author_id: int
    private: bool
    done: bool
    carried: bool
    meeting_id: int | None
    action_note: str | None
    # what the caller who just turned it into an action item should know: its owner is set
    # to leave by the due day (the chat reply's 「注意：…」 line)
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, item: AgendaItem, held_at: datetime | None) -> ItemRead:
        """The read shape of a row, ``carried`` past the occurrence held at ``held_at``."""
        return cls(
            id=item.id,
            text=item.text,
            author_id=item.author_id,
            private=item.private,
            done=item.done_at is not None,
            carried=agenda.carried(item, held_at),
            meeting_id=item.meeting_id,
            action_note=plain_isolated(item.action_note) if item.action_note else None,
        )


class ObjectivePrep(BaseModel):
    """An objective of the other person: progress 0–1 now and at the last 1on1."""

    label: str
    title: str
    progress: float
    progress_before: float | None
    key_results: list[dict[str, object]]


class PrepRead(BaseModel):
    """The prep pack on the other person."""

    person_id: int
    since: date | None
    objectives: list[ObjectivePrep]
    overdue_action_ids: list[int]
    goals: list[dict[str, object]]

    @classmethod
    def of(cls, prep: Prep) -> PrepRead:
        """The read shape of a pack."""
        return cls(
            person_id=prep.person_id,
            since=prep.since,
            objectives=[
                ObjectivePrep(
                    label=m.fact.label,
                    title=m.fact.title,
                    progress=m.fact.progress,
                    progress_before=m.before,
                    key_results=[
                        {
                            "label": k.label,
                            "title": k.title,
                            "progress": k.progress,
                            "confidence": k.confidence,
                        }
                        for k in m.fact.key_results
                    ],
                )
                for m in prep.objectives
            ],
            overdue_action_ids=[f.id for f in prep.overdue],
            goals=[
                {
                    "number": g.number,
                    "title": g.title,
                    "status": g.status,
                    "target_date": g.target_date,
                    "overdue": g.overdue,
                }
                for g in prep.goals
            ],
        )


class PairRead(BaseModel):
    """A pair and its slot (``cadence`` None: no slot yet)."""

    id: int
    manager_id: int
    report_id: int
    cadence: str | None
    nth: int | None
    weekday: int | None
    at: str | None
    holiday: str
    place: str
    video_url: str
    duration_minutes: int

    @classmethod
    def of(cls, pair: OneOnOne) -> PairRead:
        """The read shape of a row."""
        return cls.model_validate(pair, from_attributes=True)


class PairDetail(PairRead):
    """A pair as the caller sees it: ``agenda`` and ``prep`` None for a non-party (admin)."""

    meetings: list[MeetingRead]
    agenda: list[ItemRead] | None
    prep: PrepRead | None

    @classmethod
    def of_view(cls, seen: View) -> PairDetail:
        """The caller's view."""
        return cls(
            **PairRead.of(seen.pair).model_dump(),
            meetings=[MeetingRead.of(m) for m in seen.upcoming],
            agenda=None
            if seen.items is None
            else [ItemRead.of(i, seen.held_at) for i in seen.items],
            prep=None if seen.prep is None else PrepRead.of(seen.prep),
        )


class SlotChanged(PairDetail):
    """A pair after its slot changed: of the occurrences moved by hand that had not started,
    ``kept`` where they were moved and ``dropped`` because the new slot has one at that time
    (back on the slot, ``status`` scheduled, or cancelled); ``warnings`` says each in words,
    as the chat receipt does."""

    kept: list[MeetingRead] = Field(default_factory=list)
    dropped: list[MeetingRead] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class SlotBody(RequestBody):
    """A slot: ``nth`` 1–5 for monthly (第一个…第五个; a month without it takes its last)."""

    cadence: Cadence
    weekday: int = Field(ge=1, le=7)
    at: str = Field(pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")
    nth: int | None = Field(default=None, ge=1, le=5)
    holiday: Holiday = "later"


class PairCreate(RequestBody):
    """A new pair; ``manager_id`` defaults to the team's director."""

    report_id: Id
    manager_id: Id | None = None
    slot: SlotBody | None = None
    place: str = Field(default="", max_length=200)
    video_url: str = Field(default="", max_length=500)


class PairPatch(RequestBody):
    """What changes; absent fields stay."""

    slot: SlotBody | None = None
    place: str | None = Field(default=None, max_length=200)
    video_url: str | None = Field(default=None, max_length=500)
    duration_minutes: int | None = Field(default=None, ge=10, le=480)


class ItemCreate(RequestBody):
    """An agenda item; ``private``: only its author ever reads it."""

    text: str = Field(min_length=1, max_length=agenda.MAX_TEXT)
    private: bool = False


class ActionCreate(RequestBody):
    """Turn an item into an action item: ``owner_id`` (default the other person), ``due``."""

    due: IsoDate
    owner_id: Id | None = None


class MoveBody(RequestBody):
    """The new start: ISO 8601; without an offset it is the team's local time; a date alone
    (``2026-12-11``) keeps the occurrence's time of day."""

    start: Annotated[datetime | date, BeforeValidator(iso_moment_or_day)]

    @field_validator("start", mode="before")
    @classmethod
    def _date_alone(cls, value: object) -> object:
        # pydantic reads "2026-12-11" as midnight for a datetime: a date alone is a day.
        if isinstance(value, str) and len(value.strip()) == len("2026-12-11"):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                return value
        return value

    note: str | None = Field(default=None, max_length=200)


class CancelBody(RequestBody):
    """Why (optional)."""

    note: str | None = Field(default=None, max_length=200)
