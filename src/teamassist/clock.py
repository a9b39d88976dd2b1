"""The one place that reads the wall clock, so tests and jobs can pin 'now'."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """Return the current time as a tz-aware UTC datetime."""
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; naive values are rejected because their meaning is unknown."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: every time inside Team Assistant must be tz-aware")
    return value.astimezone(UTC)


def local(value: datetime, tz: str) -> datetime:
    """Return ``value`` converted to the wall clock of time zone ``tz``."""
    return ensure_utc(value).astimezone(ZoneInfo(tz))


class FrozenClock:
    """A settable clock for tests, benchmarks and `teamassist chat --at`."""

    def __init__(self, start: datetime) -> None:
        self.now = ensure_utc(start)

    def __call__(self) -> datetime:
        return self.now

    def set(self, value: datetime) -> None:
        self.now = ensure_utc(value)
