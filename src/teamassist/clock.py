"""The one place that reads the wall clock, so tests and jobs can pin 'now'."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]

# Two ASCII digits each: "9:00", "24:00", "12:60" and full-width digits are all refused.
# The same text serves request schemas (``Field(pattern=HHMM_PATTERN)``).
HHMM_PATTERN = r"^([01][0-9]|2[0-3]):([0-5][0-9])$"
_HHMM = re.compile(HHMM_PATTERN)


def parse_hhmm(value: str) -> time:
    """Read a 24-hour local time "HH:MM" (00:00–23:59); anything else raises ``ValueError``."""
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a time of day HH:MM: {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def is_hhmm(value: object) -> bool:
    """Whether ``value`` is a valid "HH:MM" string."""
    return isinstance(value, str) and _HHMM.fullmatch(value) is not None


# A clock pinned for the whole process (`teamassist chat --at`, `scheduler tick --at`): column
# defaults and helpers that call ``utcnow`` without a clock see the pinned instant too.
_pinned: Clock | None = None


# How far ahead people may date what they arrange by hand (a meeting or 1on1 moved, a 360 round's
# or career plans' deadline): a year and a day. Later is a typo (``9999-12-31`` was accepted: a
# round due then stayed open and blocked every new one).
PLAN_AHEAD = timedelta(days=366)


def same_day_next_year(day: date) -> date:
    """``day`` one year on: the same month and day (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def plan_horizon(now: datetime, zone: str) -> date:
    """The last team-local day (in time zone ``zone``) that may be arranged by hand at ``now``:
    today + :data:`PLAN_AHEAD`. Any time on that day is still accepted, so a refusal can name
    the day itself ("最晚 2027-12-03") and mean it."""
    return local(now, zone).date() + PLAN_AHEAD


def read_in_zone(value: datetime, zone: str) -> datetime:
    """``value`` as UTC; a naive value (an ISO time without an offset, as a REST body may hold)
    is read as the wall clock of time zone ``zone``, the way chat reads a typed time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


# A deadline written as a date alone is due at the end of that working day on the team's wall
# clock, in chat ("截止 2026-12-09") and REST (``"due_at": "2026-12-09"``) alike.
END_OF_DAY = time(18, 0)
_DATE_ALONE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def date_alone_at_end_of_day(value: object) -> object:
    """A REST due field's value before it is read as a datetime: an ISO date alone
    (``"2026-12-09"``) becomes ``"2026-12-09T18:00:00"`` (naive, so the handler reads it on the
    team's wall clock, :func:`read_in_zone`); anything else is left as it is. Pydantic alone
    would read the date as midnight."""
    if isinstance(value, str) and _DATE_ALONE.fullmatch(value.strip()):
        return f"{value.strip()}T{END_OF_DAY:%H:%M:%S}"
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, END_OF_DAY)
    return value


def date_alone(value: object) -> object:
    """A REST time field's value before it is read: an ISO date alone (``"2026-12-09"``) becomes
    that :class:`date`, so a ``datetime | date`` field keeps it a day rather than midnight (a
    moved meeting keeps its time of day); anything else is left as it is."""
    if isinstance(value, str) and _DATE_ALONE.fullmatch(value.strip()):
        return date.fromisoformat(value.strip())
    return value


def beyond_horizon(at: datetime, now: datetime, zone: str) -> bool:
    """Whether ``at`` (UTC) falls on a team-local day after :func:`plan_horizon`."""
    return local(at, zone).date() > plan_horizon(now, zone)


def utcnow() -> datetime:
    """Return the current time as a tz-aware UTC datetime (the pinned one while pinned)."""
    if _pinned is not None:
        return _pinned()
    return datetime.now(UTC)


@contextmanager
def pinned(clock: Clock) -> Iterator[Clock]:
    """Make ``clock`` the process's "now" inside the block (restored afterwards)."""
    global _pinned
    before = _pinned
    _pinned = clock
    try:
        yield clock
    finally:
        _pinned = before


def pin_process(clock: Clock) -> None:
    """Make ``clock`` the process's "now" for good (a test's :class:`FileClock`)."""
    global _pinned
    _pinned = clock


def parse_instant(text: str, zone_of_naive: Callable[[], str | None]) -> datetime:
    """Read an ISO 8601 instant (``2026-10-09T16:00+08:00``, ``…Z``, ``2026-10-09 16:00``).

    A time without an offset is read in the zone ``zone_of_naive`` names (asked only then);
    when it names none the time is refused. Raises ``ValueError`` with a short reason.
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("format") from None
    if value.tzinfo is None:
        zone = zone_of_naive()
        if zone is None:
            raise ValueError("naive")
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; naive values are rejected because their meaning is unknown."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: every time inside Team Assistant must be tz-aware")
    return value.astimezone(UTC)


def local(value: datetime, tz: str) -> datetime:
    """Return ``value`` converted to the wall clock of time zone ``tz``."""
    return ensure_utc(value).astimezone(ZoneInfo(tz))


# A meeting or 1on1 moved to start outside these wall-clock hours is warned (night), not
# refused: likely a wrong offset, a UTC time taken for local, or a 12-hour clock.
DAY_STARTS = time(7, 0)
NIGHT_STARTS = time(22, 0)


def at_night(value: datetime, tz: str) -> bool:
    """Whether ``value`` falls at night on the wall clock of ``tz`` (before
    :data:`DAY_STARTS` or from :data:`NIGHT_STARTS`): the one rule of the night warnings of
    /改期 and /改期一对一 (tester s25 F-22, s27 B-8)."""
    start = local(value, tz).time()
    return not DAY_STARTS <= start < NIGHT_STARTS


class FrozenClock:
    """A settable clock for tests, benchmarks and `teamassist chat --at`."""

    def __init__(self, start: datetime) -> None:
        self.now = ensure_utc(start)

    def __call__(self) -> datetime:
        return self.now

    def set(self, value: datetime) -> None:
        self.now = ensure_utc(value)


# A multi-process test's shared clock: every process started with this variable reads "now"
# from the file it names (see FileClock). Never set in production.
TEST_CLOCK_ENV = "TEAMASSIST_TEST_CLOCK_FILE"


class FileClock:
    """A clock read from a file holding one ISO 8601 instant with an offset, for tests that run
    the product as several processes (``TEAMASSIST_TEST_CLOCK_FILE``): the test moves time by
    rewriting the file, every process sees the new instant. Read again only when the file
    changes (its inode, size or mtime), so a call costs one ``stat``. Raises ``ValueError`` for
    a naive or malformed instant, ``OSError`` when the file is missing."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._key: tuple[int, int, int] | None = None
        self._now = datetime.now(UTC)

    def __call__(self) -> datetime:
        stat = os.stat(self.path)
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if key != self._key:
            self._now = ensure_utc(datetime.fromisoformat(self.path.read_text().strip()))
            self._key = key
        return self._now


def clock_from_env() -> FileClock | None:
    """The shared clock of a multi-process test, when ``TEAMASSIST_TEST_CLOCK_FILE`` is set."""
    path = os.environ.get(TEST_CLOCK_ENV)
    return FileClock(path) if path else None
