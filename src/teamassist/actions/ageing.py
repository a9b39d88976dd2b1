"""The ageing of a team's action items, for the dashboard chart and ``GET /api/v1/actions/ageing``.

Two series, computed here (the page only draws them):

* **by age**: the items not yet closed (open, or done and awaiting the check), counted by how
  many calendar days ago they were opened, in :data:`BUCKETS`, split into overdue and not;
* **overdue over time**: for each of the last ``days`` team-local days, how many items were
  overdue at that day's end, replayed from the history rows (a done or closed item is not
  overdue; an extension moves the due time from the moment it was made; a reopen makes the item
  open again), so the line shows what the team saw each day, not today's state projected back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from teamassist.actions.models import ActionChange, ActionEvent, ActionItem, ActionState
from teamassist.actions.service import is_overdue
from teamassist.clock import ensure_utc, local
from teamassist.team.models import Team

# (label, first day, last day) of age: days since the item was opened, calendar days.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-3", 0, 3),
    ("4-7", 4, 7),
    ("8-14", 8, 14),
    ("15-30", 15, 30),
    ("31+", 31, None),
)
MAX_DAYS = 366


@dataclass(frozen=True)
class Ageing:
    """``buckets`` labels with ``on_time`` / ``overdue`` counts per bucket; ``days`` (ISO
    dates, team-local) with ``overdue_by_day`` counts at each day's end."""

    buckets: list[str]
    on_time: list[int]
    overdue: list[int]
    days: list[str]
    overdue_by_day: list[int]

    def chart(self) -> dict[str, object]:
        """The series as the page's charts take them (``labels`` + ``datasets``)."""
        return {
            "age": {
                "labels": self.buckets,
                "datasets": [
                    {"key": "on_time", "data": self.on_time},
                    {"key": "overdue", "data": self.overdue},
                ],
            },
            "overdue": {
                "labels": self.days,
                "datasets": [{"key": "overdue", "data": self.overdue_by_day}],
            },
        }


def _bucket(age: int) -> int:
    for index, (_label, first, last) in enumerate(BUCKETS):
        if age >= first and (last is None or age <= last):
            return index
    return 0  # a negative age (an item opened "in the future" by a moved clock) is new


def _overdue_at(item: ActionItem, events: list[ActionEvent], moment: datetime) -> bool:
    """Whether ``item`` was open and past its due time at ``moment``, from its history."""
    if ensure_utc(item.created_at) > moment:
        return False
    state = ActionState.OPEN
    due = None
    for event in events:
        if ensure_utc(event.at) > moment:
            break
        detail = event.detail or {}
        if event.kind == ActionChange.CREATED.value and "due" in detail:
            due = datetime.fromisoformat(detail["due"])
        elif event.kind == ActionChange.EXTENDED.value and "to" in detail:
            due = datetime.fromisoformat(detail["to"])
        elif event.kind == ActionChange.DONE.value:
            state = ActionState.DONE
        elif event.kind == ActionChange.CLOSED.value:
            state = ActionState.CLOSED
        elif event.kind == ActionChange.REOPENED.value:
            state = ActionState.OPEN
    if due is None:  # a row without its creation detail: the current due time
        due = ensure_utc(item.due_at)
    return state is ActionState.OPEN and ensure_utc(due) < moment


def of_team(session: Session, *, team: Team, now: datetime, days: int = 30) -> Ageing:
    """The team's ageing on ``now``, the line over the last ``days`` (1–366) local days
    including today (today's point is "now", the others each day's end)."""
    days = max(1, min(days, MAX_DAYS))
    zone = ZoneInfo(team.timezone)
    now = ensure_utc(now)
    today = local(now, team.timezone).date()
    first: date = today - timedelta(days=days - 1)
    window_start = datetime.combine(first, time(0), tzinfo=zone)
    # Every item that could be overdue in the window: not closed before it began.
    items = list(
        session.scalars(
            select(ActionItem).where(
                ActionItem.team_id == team.id,
                or_(ActionItem.closed_at.is_(None), ActionItem.closed_at >= window_start),
            )
        )
    )
    on_time = [0] * len(BUCKETS)
    overdue = [0] * len(BUCKETS)
    for item in items:
        if item.state == ActionState.CLOSED.value:
            continue
        age = (today - local(item.created_at, team.timezone).date()).days
        target = overdue if is_overdue(item, now) else on_time
        target[_bucket(age)] += 1
    history: dict[int, list[ActionEvent]] = {i.id: [] for i in items}
    if items:
        for event in session.scalars(
            select(ActionEvent)
            .where(ActionEvent.item_id.in_(list(history)))
            .order_by(ActionEvent.at, ActionEvent.id)
        ):
            history[event.item_id].append(event)
    labels: list[str] = []
    counts: list[int] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        moment = min(end.astimezone(ZoneInfo("UTC")), now)
        labels.append(day.isoformat())
        counts.append(sum(_overdue_at(i, history[i.id], moment) for i in items))
    return Ageing(
        buckets=[label for label, _first, _last in BUCKETS],
        on_time=on_time,
        overdue=overdue,
        days=labels,
        overdue_by_day=counts,
    )
