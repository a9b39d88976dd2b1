"""REST shapes of the duty desk, each read shape with the mapper from what the services return
(``ShiftRead.from_shift``, ``OverrideRead.from_row``...), so the routers only call and return."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, BaseModel, Field

from teamassist.clock import ensure_utc
from teamassist.duty import dates
from teamassist.duty.calendar import CalendarMode
from teamassist.duty.planning import short_turn_note
from teamassist.duty.service import override_end, version_spec
from teamassist.exceptions import DomainError
from teamassist.http.fields import Id, IsoDate, IsoDateTime, RequestBody


def _day_in_window(day: date) -> date:
    try:
        return dates.check(day)
    except DomainError as exc:
        raise ValueError(exc.message()) from None


def _moment_in_window(at: datetime) -> datetime:
    _day_in_window(at.date())
    return at


# Dates and moments a duty request may name: within duty.dates.MAX_YEARS of today (422 beyond).
DutyDate = Annotated[IsoDate, AfterValidator(_day_in_window)]
DutyMoment = Annotated[IsoDateTime, AfterValidator(_moment_in_window)]

if TYPE_CHECKING:
    from teamassist.duty.fairness import FairnessReport
    from teamassist.duty.feed_models import FeedToken
    from teamassist.duty.models import CalendarException, Override, RotationVersion, SignIn, Swap
    from teamassist.duty.rotation import Shift, VersionSpec
    from teamassist.duty.service import Preview
    from teamassist.team.models import Member


class MemberBrief(BaseModel):
    """A person as schedules show them."""

    id: int
    handle: str
    display_name: str

    @classmethod
    def from_member(cls, member: Member) -> MemberBrief:
        return cls(id=member.id, handle=member.handle, display_name=member.display_name)

    @classmethod
    def by_id(cls, people: Mapping[int, Member]) -> dict[int, MemberBrief]:
        return {i: cls.from_member(m) for i, m in people.items()}


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

    @classmethod
    def from_spec(cls, spec: VersionSpec) -> VersionRead:
        return cls(
            effective_at=spec.effective_at,
            member_ids=list(spec.member_ids),
            anchor_date=spec.anchor_date,
            anchor_index=spec.anchor_index,
            turn_days=spec.turn_days,
            people_per_turn=spec.people_per_turn,
            handoff_time=spec.handoff.strftime("%H:%M"),
            calendar=spec.calendar,
        )

    @classmethod
    def from_row(cls, row: RotationVersion) -> VersionRead:
        read = cls.from_spec(version_spec(row))
        read.id, read.change, read.cancelled_at = row.id, row.change, row.cancelled_at
        return read


class RotationRead(BaseModel):
    """A rotation with the version in force now."""

    id: int
    team_id: int
    key: str
    name: str
    kind: str
    current: VersionRead | None
    # What the caller should know of what was stored (a turn asking more people than the
    # rotation has); empty when nothing
    warnings: list[str] = Field(default_factory=list)


class RotationCreate(RequestBody):
    """A new rotation."""

    key: str = Field(min_length=1, max_length=64, pattern=r"^[^\s@/<>]+$")
    name: str = Field(min_length=1, max_length=100)
    kind: str = "custom"
    member_ids: list[Id] = Field(default_factory=list)
    start_date: DutyDate
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

    @classmethod
    def from_shift(cls, shift: Shift) -> ShiftRead:
        return cls(
            rotation_id=shift.rotation_id,
            duty_date=shift.duty_date,
            start=shift.start,
            end=shift.end,
            member_ids=list(shift.member_ids),
            primary_id=shift.primary,
            source=shift.source,
            provisional=shift.provisional,
            ref_id=shift.ref_id,
        )


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


class RosterChangeIn(RequestBody):
    """A roster edit: add / remove / swap / replan / params, effective from a date (or now)."""

    action: str = Field(pattern=r"^(add|remove|swap|replan|params)$")
    member_ids: list[Id] = Field(default_factory=list)
    effective_date: DutyDate | None = None
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
    # What the admin should know of the new version (a turn asking more people than the
    # rotation has), as chat's reply says it
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def from_preview(
        cls, preview: Preview, people: Mapping[int, Member], *, rotation: str
    ) -> PreviewRead:
        """``people``: at least the members whose shifts move; ``rotation``: its name."""
        short = short_turn_note(rotation, preview.new_version)
        return cls(
            effective_at=preview.effective_at,
            before=[ShiftRead.from_shift(s) for s in preview.before],
            after=[ShiftRead.from_shift(s) for s in preview.after],
            moved_member_ids=preview.moved_member_ids,
            moved=[
                MemberBrief.from_member(people[i]) for i in preview.moved_member_ids if i in people
            ],
            version=VersionRead.from_spec(preview.new_version),
            broken_swap_ids=[s.id for s in preview.broken_swaps],
            warnings=[] if short is None else [short],
        )


class OverrideCreate(RequestBody):
    """Someone (or nobody: ``member_id`` null) holds the rotation for [start, end)."""

    start: DutyMoment
    end: DutyMoment
    member_id: Id | None = None
    reason: str = Field(default="", max_length=500)


class OverrideRead(BaseModel):
    """A stored override: ``start``/``end`` as it was given. A cancelled one keeps them and
    says so (``cancelled``, ``cancelled_at``); it held the rotation from ``start`` until
    ``cancelled_at`` at most (nothing when cancelled before it began). One its person's
    departure ended part-way is ``cut``, not cancelled: it held the rotation until ``ends_at``,
    the departure (tester s23 F6: REST said ``cancelled: true`` of a cover whose first days
    still stood, as chat's 「截到停用之时为止」 does not). ``ends_at`` is when it stops (or
    stopped) holding the rotation: ``end``, or earlier when cut or cancelled."""

    id: int
    rotation_id: int
    start: datetime
    end: datetime
    member_id: int | None
    reason: str
    cancelled: bool
    cancelled_at: datetime | None
    cut: bool = False
    ends_at: datetime

    @classmethod
    def from_row(cls, row: Override) -> OverrideRead:
        # The stored end, not the served one (service.override_end): a cover cancelled before
        # it began read start == end, an empty interval that hid which cover it had been.
        cut = (
            row.cancelled_for_id is not None
            and row.cancelled_at is not None
            and ensure_utc(row.start_at) < ensure_utc(row.cancelled_at) < ensure_utc(row.end_at)
        )
        return cls(
            id=row.id,
            rotation_id=row.rotation_id,
            start=row.start_at,
            end=row.end_at,
            member_id=row.member_id,
            reason=row.reason,
            cancelled=row.cancelled_at is not None and not cut,
            cancelled_at=row.cancelled_at,
            cut=cut,
            ends_at=override_end(row),
        )


class SwapCreate(RequestBody):
    """A trades the shift of ``date_a`` for B's shift of ``date_b`` (no ``date_b``: B covers)."""

    member_a_id: Id
    date_a: DutyDate
    member_b_id: Id
    date_b: DutyDate | None = None
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

    @classmethod
    def from_row(cls, row: Swap) -> SwapRead:
        return cls(
            id=row.id,
            rotation_id=row.rotation_id,
            member_a_id=row.member_a_id,
            date_a=row.date_a,
            member_b_id=row.member_b_id,
            date_b=row.date_b,
            reason=row.reason,
            created_at=row.created_at,
            cancelled_at=row.cancelled_at,
        )


class ExceptionCreate(RequestBody):
    """One future date marked as a duty day or a day off."""

    day: DutyDate
    active: bool
    note: str = Field(default="", max_length=200)


class ExceptionRead(BaseModel):
    """A stored exception date."""

    day: date
    active: bool
    note: str

    @classmethod
    def from_row(cls, row: CalendarException) -> ExceptionRead:
        return cls(day=row.day, active=row.active, note=row.note)


class SignOutIn(RequestBody):
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

    @classmethod
    def from_row(cls, row: SignIn) -> SignInRead:
        return cls(
            rotation_id=row.rotation_id,
            member_id=row.member_id,
            duty_date=row.duty_date,
            signed_in_at=row.signed_in_at,
            signed_out_at=row.signed_out_at,
            report=row.report,
        )


# -- calendar feeds (iCal subscriptions) ---------------------------------------------------------


class FeedCreate(RequestBody):
    """A new feed: one rotation, or one person (default: yourself)."""

    team_id: Id | None = None
    rotation_id: Id | None = None
    member_id: Id | None = None
    # Revoke the live feed of the same subscription and make a new one (a reset).
    replace: bool = False


class FeedRead(BaseModel):
    """A feed; ``url`` is only known in the answer to its creation."""

    id: int
    team_id: int
    scope: str
    rotation_id: int | None
    member_id: int | None
    label: str
    created_by_id: int | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    url: str | None = None
    replaced: list[int] = []  # the feeds a reset revoked (only in the answer to a creation)

    @classmethod
    def from_feed(
        cls, feed: FeedToken, url: str | None = None, replaced: list[int] | None = None
    ) -> FeedRead:
        return cls(
            id=feed.id,
            team_id=feed.team_id,
            scope=feed.scope,
            rotation_id=feed.rotation_id,
            member_id=feed.member_id,
            label=feed.label,
            created_by_id=feed.created_by_id,
            created_at=feed.created_at,
            revoked_at=feed.revoked_at,
            last_used_at=feed.last_used_at,
            url=url,
            replaced=replaced or [],
        )


# -- fairness ------------------------------------------------------------------------------------


class PersonFairnessRead(BaseModel):
    """One person's line of the fairness report."""

    member_id: int
    display_name: str
    duty_days: int
    workdays: int
    weekend_days: int
    holiday_days: int
    hours: float
    due_days: int
    signed_days: int
    sign_in_rate: float | None
    late_sign_ins: int
    average_sign_in: str | None


class FairnessRead(BaseModel):
    """The fairness report over [first, last]."""

    team_id: int
    rotation_id: int | None
    first: date
    last: date
    late_after: str
    balance: float | None
    people: list[PersonFairnessRead] = Field(default_factory=list)
    provisional: bool = Field(
        default=False,
        description="a day counted falls in a year without official holiday data "
        "(workday/weekend by Monday–Friday; holidays unknown)",
    )
    provisional_years: list[int] = Field(default_factory=list)

    @classmethod
    def from_report(
        cls,
        result: FairnessReport,
        members: Mapping[int, Member],
        *,
        team_id: int,
        rotation_id: int | None,
    ) -> FairnessRead:
        return cls(
            team_id=team_id,
            rotation_id=rotation_id,
            first=result.first,
            last=result.last,
            late_after=result.late_after.strftime("%H:%M"),
            balance=result.balance,
            people=[
                PersonFairnessRead(
                    member_id=p.member_id,
                    display_name=members[p.member_id].display_name
                    if p.member_id in members
                    else str(p.member_id),
                    duty_days=p.duty_days,
                    workdays=p.workdays,
                    weekend_days=p.weekend_days,
                    holiday_days=p.holiday_days,
                    hours=round(p.hours, 2),
                    due_days=p.due_days,
                    signed_days=p.signed_days,
                    sign_in_rate=p.sign_in_rate,
                    late_sign_ins=p.late_sign_ins,
                    average_sign_in=p.average_sign_in,
                )
                for p in result.people
            ],
            provisional=bool(result.provisional_years),
            provisional_years=result.provisional_years,
        )
