"""Request shapes every domain's REST bodies share: the base (:mod:`teamassist.request_body`), and
the date and time field types that read ISO 8601 text only.

Pydantic's lax reading takes a number, or digits in a string, as a Unix timestamp: a tester's
``"due_at": "20261209"`` was 1970-08-23 (refused as past) and ``"day": 1765238400`` a day in
2025. A request time is written as ISO 8601 text here, and anything else is a 422 whose
``details`` say, in Chinese, what to write. A Python caller may still pass a ``date`` or
``datetime`` object (nothing is guessed then).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from teamassist.clock import date_alone_at_end_of_day
from teamassist.i18n import t
from teamassist.request_body import RequestBody as RequestBody  # re-exported: the kit's name
from teamassist.request_ids import Id as Id  # re-exported: the kit's name
from teamassist.request_ids import gate_id as gate_id
from teamassist.request_ids import storable_id as storable_id

_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_CLOCK = r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
_OFFSET = r"(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?"
_ISO_DAY = re.compile(_DAY)
_ISO_MOMENT = re.compile(rf"{_DAY}[Tt ]{_CLOCK}{_OFFSET}")


def _refuse(value: object, key: str) -> PydanticCustomError:
    shown = str(value)[:40]
    return PydanticCustomError("iso_8601", t(key, value=shown))


def _real(text: str) -> str:
    """``text`` (an ISO day or moment by its form) when its day and time exist, else the
    catalogue's refusal: pydantic's own was English ("day value is outside expected range")
    for ``2026-02-30`` while a malformed date got Chinese (tester s29 G-2)."""
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        raise _refuse(text, "core.error.no_such_day") from None
    clock = text[11:19]
    if clock and (int(clock[0:2]) > 23 or int(clock[3:5]) > 59 or int(clock[6:8] or 0) > 59):
        raise _refuse(text, "core.error.no_such_time")
    return text


def iso_day(value: object) -> object:
    """A date field's value: ``2026-12-09`` (or a ``date``), else a friendly refusal."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        return _real(value.strip())
    raise _refuse(value, "core.error.iso_date")


def iso_moment(value: object) -> object:
    """A date-and-time field's value: ``2026-12-09T18:00:00+08:00`` (the offset optional, a
    space for the ``T`` allowed), or a ``datetime``; a date alone is refused (it says no time)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value.strip()):
        return _real(value.strip())
    raise _refuse(value, "core.error.iso_datetime")


def iso_moment_or_day(value: object) -> object:
    """As :func:`iso_moment`, a date alone allowed too (the field's description says what it
    means there)."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        return _real(value.strip())
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime) or (
        isinstance(value, str) and _ISO_MOMENT.fullmatch(value.strip())
    ):
        return iso_moment(value)  # its day and time said not to exist, not the form
    raise _refuse(value, "core.error.iso_date_or_datetime")


# A day: ISO 8601 ``2026-12-09`` only.
IsoDate = Annotated[date, BeforeValidator(iso_day)]
# A moment: ISO 8601 with a time; no offset means the wall clock the endpoint names.
IsoDateTime = Annotated[datetime, BeforeValidator(iso_moment)]
# A moment where a date alone is documented (it is then midnight, unless the field says other).
IsoDateTimeOrDay = Annotated[datetime, BeforeValidator(iso_moment_or_day)]

# A deadline as chat reads one: ISO 8601; without an offset the team's wall clock (the handler
# reads it with clock.read_in_zone); a date alone is 18:00 that day, not midnight.
DueAt = Annotated[
    datetime,
    BeforeValidator(date_alone_at_end_of_day),
    BeforeValidator(iso_moment_or_day),
    Field(
        description=(
            "ISO 8601 (2026-12-09T18:00:00+08:00); without an offset the team's wall clock; "
            "a date alone (2026-12-09) is due at 18:00 that day, as chat reads 截止 2026-12-09"
        )
    ),
]
