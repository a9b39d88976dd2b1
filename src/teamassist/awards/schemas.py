"""REST shapes of the expert selection. ``tally`` and ``winner`` are filled only once a round
has closed: before that no shape carries a count of votes, for any caller."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, StrictBool

from teamassist.awards import service
from teamassist.awards.models import AwardRound, Phase
from teamassist.http.fields import RequestBody


class TallyLine(BaseModel):
    """One nominee's result: votes and distinct nominators (the first tie-break)."""

    handle: str | None
    name: str
    votes: int
    nominators: int


class RoundRead(BaseModel):
    """A round: ``period`` ``2026-11``, ``phase`` nominating / voting / closed, the moments
    (UTC), and once closed the winner (None when nobody got a vote)."""

    period: str
    phase: str
    opened_at: datetime
    voting_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    winner: str | None = None


class NominationRead(BaseModel):
    """One nomination: who put the nominee forward, why, and the evidence."""

    by: str
    reason: str
    links: list[str]


class NomineeRead(BaseModel):
    """A nominee with every nomination of them."""

    handle: str
    name: str
    nominations: list[NominationRead]


class RoundDetail(RoundRead):
    """A round with its nominees, the caller's own vote (a handle) and, once closed, the
    tally best first."""

    nominees: list[NomineeRead]
    my_vote: str | None
    tally: list[TallyLine] | None


class NominationCreate(RequestBody):
    """``{"nominee": "zhangsan", "reason": "主导支付重构", "links": ["https://…"]}``."""

    nominee: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=service.MAX_REASON)
    links: list[str] = Field(default_factory=list, max_length=service.MAX_LINKS)


class VoteCast(RequestBody):
    """``{"nominee": "zhangsan"}``: the caller's one vote (a second PUT replaces it)."""

    nominee: str = Field(min_length=1, max_length=64)


class VoteRead(BaseModel):
    """The caller's vote: for whom, and whom it replaced (None on a first vote)."""

    period: str
    nominee: str
    replaced: str | None


class PhaseChange(RequestBody):
    """``{"phase": "voting"}`` or ``{"phase": "closed"}`` (the director or an admin)."""

    phase: Phase


class SettingsRead(BaseModel):
    """The team's knobs (see :mod:`teamassist.awards.settings` for meaning and defaults)."""

    auto: bool
    nominate_day: int
    open_time: str
    vote_days: int
    vote_time: str
    close_time: str
    self_nomination: bool
    repeat_cap: int


class SettingsUpdate(RequestBody):
    """Any subset of the knobs; the values are checked by the domain (422 on a bad one). The
    switches take JSON ``true``/``false`` only: pydantic's lax reading took ``"yes"``, ``"on"``,
    ``"1"`` and ``1`` as true (tester s26: ``"auto": "yes"`` switched the sweep on)."""

    auto: StrictBool | None = None
    nominate_day: int | None = None
    open_time: str | None = None
    vote_days: int | None = None
    vote_time: str | None = None
    close_time: str | None = None
    self_nomination: StrictBool | None = None
    repeat_cap: int | None = None


def round_read(row: AwardRound, names: dict[int, str]) -> RoundRead:
    """The list form of a round."""
    return RoundRead(
        period=row.period,
        phase=row.phase,
        opened_at=row.opened_at,
        voting_at=row.voting_at,
        closes_at=row.closes_at,
        closed_at=row.closed_at,
        winner=names.get(row.winner_id) if row.winner_id else None,
    )
