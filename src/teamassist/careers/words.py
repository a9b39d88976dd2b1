"""Reading ``/职业规划``'s text: the sub-command word, a deadline, a target date, a status word.

Sub-command words and status words live in the catalogue (``careers.words.*``,
``careers.status_words.*``), Chinese first with English aliases.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from teamassist.careers.models import STATUSES
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
# ``截止 2026-12-31 18:00``, ``2026-12-31``, ``202612311800`` (the seed's stamp), at the start.
_DUE = re.compile(
    r"^\s*(?:截止|due)?\s*[:：]?\s*"
    r"(?P<value>\d{12}|\d{4}-\d{1,2}-\d{1,2}(?:[ T]+\d{1,2}:\d{2})?)(?=\s|$)",
    re.IGNORECASE,
)
_DAY = re.compile(r"^\s*(?P<value>\d{4}-\d{1,2}-\d{1,2})(?=\s|$)")
END_OF_DAY = "18:00"  # a deadline given as a day ends at 18:00 on the team's wall clock


def subcommand(word: str) -> str | None:
    """Which sub-command ``word`` names (``发起`` → ``start``), or None."""
    folded = word.casefold()
    for key in SUBCOMMANDS:
        words = lookup(f"careers.words.{key}") or []
        if folded in {str(w).casefold() for w in words}:
            return key
    return None


def take_due(text: str, timezone: str) -> tuple[datetime | None, str]:
    """A leading deadline (UTC) and the rest; (None, text) when there is none.

    Raises Invalid ``careers.error.bad_due`` for a date that does not exist (2026-02-30)."""
    match = _DUE.match(text)
    if match is None:
        return None, text
    value = match.group("value")
    digits = value.replace("T", " ")
    if len(digits) == 12 and digits.isdigit():  # yyyymmddhhmm
        parts = [digits[0:4], digits[4:6], digits[6:8], digits[8:10], digits[10:12]]
    else:
        day, _, clock = digits.partition(" ")
        parts = [*day.split("-"), *(clock.strip() or END_OF_DAY).split(":")]
    year, month, day_, hour, minute = (int(p) for p in parts)
    try:
        wall = datetime(year, month, day_, hour, minute, tzinfo=ZoneInfo(timezone))
    except ValueError as error:
        raise Invalid("careers.error.bad_due", value=value) from error
    at = wall.astimezone(ZoneInfo("UTC"))
    return at, text[match.end() :].strip()


def take_day(text: str) -> tuple[date | None, str]:
    """A leading ``YYYY-MM-DD`` and the rest; (None, text) when there is none.

    Raises Invalid ``careers.error.bad_date_text`` for a day that does not exist."""
    match = _DAY.match(text)
    if match is None:
        return None, text
    try:
        day = date.fromisoformat(_padded(match.group("value")))
    except ValueError as error:
        raise Invalid("careers.error.bad_date_text", value=match.group("value")) from error
    return day, text[match.end() :].strip()


def _padded(value: str) -> str:
    year, month, day = value.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


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
