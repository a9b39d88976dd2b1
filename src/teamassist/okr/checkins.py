"""Check-ins: a KR's new value, confidence 0–10 and comment; refused once the cycle is closed,
flagged late (补登) in the grading window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.bidi import unmarked
from teamassist.clock import ensure_utc
from teamassist.exceptions import Conflict, Invalid
from teamassist.i18n import t
from teamassist.okr import cycles
from teamassist.okr.formulas import LINEAR_KINDS, PROGRESS_BOUND, KrKind, num, progress_bounds
from teamassist.okr.models import CheckIn, Cycle, CycleState, KeyResult
from teamassist.okr.objectives import check_value
from teamassist.okr.rows import KrFacts
from teamassist.team.models import Member, Team
from teamassist.team.names import gist

MAX_COMMENT = 2000
REPEAT_WINDOW = timedelta(minutes=10)  # as actions.repeats' for /销项 and /通知


def check_confidence(confidence: int) -> int:
    """Confidence is a whole number 0–10."""
    if confidence < 0:
        raise Invalid("okr.error.negative", what=t("okr.word.confidence"), value=str(confidence))
    if confidence > 10:
        raise Invalid("okr.error.confidence_range", value=str(confidence))
    return confidence


def check_in(
    session: Session,
    *,
    team: Team,
    key_result: KeyResult,
    author: Member | None,
    value: float,
    confidence: int | None,
    comment: str,
    now: datetime,
    origin: str | None = None,
) -> CheckIn:
    """Record a check-in at ``now`` (validated first; nothing is written when it is refused).
    ``origin`` names the card it was pressed on: a KR takes one check-in per card, so a second
    press of an old card is refused (409 ``okr.error.card_used``) and records nothing."""
    cycle = session.get(Cycle, key_result.cycle_id)
    assert cycle is not None
    today = cycles.today_of(team, now)
    state = cycles.state(cycle, today)
    if state is CycleState.CLOSED:
        raise Conflict(
            "okr.error.cycle_closed",
            cycle=cycle.key,
            closed=cycles.month_day(cycles.closed_on(cycle, team.timezone)),
        )
    if state is CycleState.PLANNING:
        raise Conflict(
            "okr.error.cycle_not_started", cycle=cycle.key, start=cycles.month_day(cycle.start_date)
        )
    value = check_value(value, what=t("okr.word.value"))
    kind = KrKind(key_result.kind)
    if kind is KrKind.BINARY and value not in (0.0, 1.0):
        raise Invalid("okr.error.binary_value")
    limit = key_result.target_value
    if kind is KrKind.MILESTONE and (
        value < 0 or value != int(value) or (limit is not None and value > limit)
    ):
        raise Invalid("okr.error.milestone_value", count=num(key_result.target_value))
    start, target = key_result.start_value, key_result.target_value
    if kind in LINEAR_KINDS and start is not None and target is not None and start != target:
        low, high = progress_bounds(start=start, target=target)
        if not low <= value <= high:
            raise Invalid(
                "okr.error.checkin_range",
                kr=f"KR-{key_result.number}",
                value=num(value),
                low=num(low),
                high=num(high),
                unit=key_result.unit,
                bound=num(PROGRESS_BOUND * 100),
            )
    if confidence is not None:
        check_confidence(confidence)
    comment = unmarked(comment).strip()  # a stray RLM is no part of the note (tester s26 B-1)
    if len(comment) > MAX_COMMENT:
        raise Invalid("okr.error.comment_too_long", limit=MAX_COMMENT)
    # Two check-ins of one KR at the same instant: the KR's row lock makes the second wait for
    # the first to commit, and the locking reads below then see its check-in (a plain read
    # would keep MariaDB's older snapshot), so it gets the refusal, not a second row.
    session.execute(select(KeyResult.id).where(KeyResult.id == key_result.id).with_for_update())
    if origin is not None:
        origin = origin[:160]
        done = session.scalar(
            select(CheckIn)
            .where(CheckIn.key_result_id == key_result.id, CheckIn.origin == origin)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if done is not None:
            raise Conflict(
                "okr.error.card_used",
                kr=f"KR-{key_result.number}",
                value=f"{num(done.value)}{key_result.unit}",
            )
    _not_a_repeat(session, key_result, author, value, confidence, comment, now)
    row = CheckIn(
        key_result_id=key_result.id,
        author_id=author.id if author else None,
        value=value,
        confidence=confidence,
        comment=comment,
        at=now,
        local_date=today,
        late=state is CycleState.GRADING,
        origin=origin,
    )
    session.add(row)
    key_result.current_value = value
    if confidence is not None:
        key_result.confidence = confidence
    key_result.last_checkin_at = now
    session.flush()
    return row


def _not_a_repeat(
    session: Session,
    key_result: KeyResult,
    author: Member | None,
    value: float,
    confidence: int | None,
    comment: str,
    now: datetime,
) -> None:
    """Refuse (409 ``okr.error.checkin_repeat``) the same value, confidence and note by the
    same person as any check-in of the KR within :data:`REPEAT_WINDOW`, while the KR still
    stands at that value and confidence: a double tap or a platform's redelivery without an
    event id (tester s23 F11: 8 parallel `/进展 KR-1 99.6 信心 6 双击` stored 8 rows). Notes
    are compared by ``names.gist`` (blanks, width, case, closing marks aside), and with every
    check-in in the window, not only the last: 「推进中」, 「推进中。」 and 「３ 信心 ７ 推进中」
    made three check-ins of one progress (tester F-B13, session 25). A value moved away and
    back (3, 4 by mistake, 3 again) is a new check-in: the KR is not at 3 any more. The window
    is the one /销项 and /通知 keep for repeated words."""
    recent = session.scalars(
        select(CheckIn)
        .where(
            CheckIn.key_result_id == key_result.id,
            CheckIn.at > ensure_utc(now) - REPEAT_WINDOW,
        )
        .order_by(CheckIn.at.desc(), CheckIn.id.desc())
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if not recent or (recent[0].value, recent[0].confidence) != (value, confidence):
        return
    me = author.id if author else None
    said = gist(comment)
    if any(
        row.author_id == me
        and (row.value, row.confidence) == (value, confidence)
        and gist(row.comment) == said
        for row in recent
    ):
        raise Conflict(
            "okr.error.checkin_repeat",
            kr=f"KR-{key_result.number}",
            value=f"{num(value)}{key_result.unit}",
            minutes=int(REPEAT_WINDOW.total_seconds() // 60),
        )


def history(session: Session, *, key_result: KrFacts) -> Sequence[CheckIn]:
    """The KR's check-ins, oldest first."""
    return list(
        session.scalars(
            select(CheckIn)
            .where(CheckIn.key_result_id == key_result.id)
            .order_by(CheckIn.at, CheckIn.id)
        )
    )
