"""The one reader of date arguments for every duty command (chat, REST, dashboard).

A date the duty desk accepts lies within :data:`MAX_YEARS` years of today: nobody plans a
rotation for 9999, and the schedule arithmetic (the day after the last one) must not overflow.
A token that looks like a date but is not one (2026-02-30) is a bad date, never a rotation name.
"""

from __future__ import annotations

import re
from datetime import date

from teamassist.chat import parser
from teamassist.clock import utcnow
from teamassist.exceptions import DomainError

MAX_YEARS = 10
# Digits in a date's shape (2026-02-30, 2026/2/30, 2026.02.30, 20260230, +99999-01-01): a
# token like this that does not parse is a wrong date, not a word.
_DATE_LIKE = re.compile(r"[+-]?\d{4,}[-/.]\d{1,2}[-/.]\d{1,2}|\d{8}|\d{4,}-\d{1,2}")


def window(today: date) -> tuple[date, date]:
    """The first and last date a duty command accepts around ``today``."""
    return date(today.year - MAX_YEARS, 1, 1), date(today.year + MAX_YEARS, 12, 31)


def check(day: date, today: date | None = None) -> date:
    """``day`` if it lies in the window around ``today``, else refuse. Without ``today`` (REST's
    and the pages' validators, which see no runtime) the process's now (:func:`clock.utcnow`:
    a pinned clock's, as the CLI's ``--now`` and the tests' runtimes pin it), not the machine's:
    a runtime set in 2040 refused 2049 as out of the window while chat, with its today, took it."""
    first, last = window(today or utcnow().date())
    if not first <= day <= last:
        raise DomainError(
            "duty.error.date_out_of_range",
            value=day.isoformat(),
            first=first.isoformat(),
            last=last.isoformat(),
        )
    return day


def looks_like_date(token: str) -> bool:
    """Whether ``token`` has the shape of a date (valid or not)."""
    return _DATE_LIKE.fullmatch(token) is not None


def parse(token: str, today: date) -> date | None:
    """The date ``token`` names (2026-06-01, 今天, 明天 …), None when it is not a date at all.

    Raises :class:`DomainError` for a date-shaped token that is no real date, or a date out of
    the window.
    """
    try:
        day = parser.parse_date(token, today)
    except parser.ArgError:
        if looks_like_date(token):
            raise DomainError("duty.error.bad_date", value=token[:40]) from None
        return None
    return check(day, today)


def required(token: str | None, today: date) -> date:
    """A date argument that must be there and be a date."""
    day = parse(token, today) if token else None
    if day is None:
        raise DomainError("duty.error.bad_date", value=(token or "")[:40])
    return day
