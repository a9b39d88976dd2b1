"""Reading ``/职业规划``'s text: the sub-command word, a deadline, a target date, a status word.

Sub-command words and status words live in the catalogue (``careers.words.*``,
``careers.status_words.*``), Chinese first with English aliases.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from teamassist.careers.models import STATUSES
from teamassist.chat import when
from teamassist.clock import PLAN_AHEAD
from teamassist.exceptions import Invalid
from teamassist.i18n import lookup

SUBCOMMANDS = (
    "start",
    "view",
    "status",
    "direction",
    "strengths",
    "notes",
    "goal",
    "evidence",
    "goal_status",
    "mine",
)
# ``截止`` / ``due`` (and a colon) before a deadline; the date itself is any of chat's forms.
_DUE_WORD = re.compile(r"^\s*(?:截止|due)?\s*[:：]?\s*", re.IGNORECASE)
_WORD = re.compile(r"\s*\S+")
END_OF_DAY = time(18, 0)  # a deadline given as a day ends at 18:00 on the team's wall clock


def subcommand(word: str) -> str | None:
    """Which sub-command ``word`` names (``发起`` → ``start``), or None."""
    folded = word.casefold()
    for key in SUBCOMMANDS:
        words = lookup(f"careers.words.{key}") or []
        if folded in {str(w).casefold() for w in words}:
            return key
    return None


def take_due(text: str, timezone: str, today: date) -> tuple[datetime | None, str]:
    """A leading deadline (UTC) and the rest of ``text`` as typed; (None, text) when there is
    none. The date and time are any of :mod:`teamassist.chat.when`'s forms (``2026-12-31 18:00``,
    ``2026年12月31日``, ``12月31日下午6点``, ``下周五``, the seed's ``202612311800``), read against
    the team-local ``today``; a day without a time ends at :data:`END_OF_DAY`.

    Raises Invalid ``careers.error.bad_due`` for a date or time that does not exist
    (2026-02-30, 25:00), ``careers.error.due_past`` before 2000 and ``careers.error.due_too_far``
    after 2100 (9999-12-31: refused before any time-zone arithmetic)."""
    head = _DUE_WORD.match(text)
    rest = text[head.end() :] if head else text
    words = rest.split()
    try:
        found = when.split_moment(words, today)
    except when.Unreadable as error:
        raise Invalid("careers.error.bad_due", value=error.word[:40]) from None
    if found is None:
        return None, text
    day, at, after = found
    if day.year < 2000:
        raise Invalid("careers.error.due_past", due=day.isoformat())
    if day.year > 2100:
        raise Invalid("careers.error.due_too_far", due=day.isoformat(), latest=today + PLAN_AHEAD)
    wall = datetime.combine(day, at or END_OF_DAY, tzinfo=ZoneInfo(timezone))
    end = 0
    for _ in range(len(words) - len(after)):  # cut the text as typed after the words read
        used = _WORD.match(rest, end)
        assert used is not None
        end = used.end()
    return wall.astimezone(UTC), rest[end:].strip()


def take_day(text: str, today: date) -> tuple[date | None, str]:
    """A leading date (any of :mod:`teamassist.chat.when`'s forms, no time) and the rest; (None,
    text) when there is none.

    Raises Invalid ``careers.error.bad_date_text`` for a day that does not exist."""
    first, _, rest = text.strip().partition(" ")
    try:
        day = when.date_of(first, today) if first else None
    except when.Unreadable:
        raise Invalid("careers.error.bad_date_text", value=first[:40]) from None
    if day is None:
        return None, text
    return day, rest.strip()


def status(word: str) -> str:
    """``进行中`` → ``in_progress`` (the catalogue's status words, or a status key itself).

    Raises Invalid ``careers.error.bad_status``."""
    folded = word.strip().casefold()
    for key in STATUSES:
        words = lookup(f"careers.status_words.{key}") or []
        if folded == key or folded in {str(w).casefold() for w in words}:
            return key
    statuses = "、".join(str((lookup(f"careers.status_words.{k}") or [k])[0]) for k in STATUSES)
    raise Invalid("careers.error.bad_status", status=word[:20], statuses=statuses)
