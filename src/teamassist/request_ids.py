"""A database id in a request: the one rule every route, form and gate reads ids by, kept
outside the HTTP kit (as :mod:`teamassist.request_body`) so the core's own request shapes
(team channels, bindings) share it. ``http.fields`` re-exports it for the domains.
"""

from __future__ import annotations

import re
from typing import Annotated

import annotated_types
from pydantic import BeforeValidator, TypeAdapter, ValidationError

from teamassist.database import MAX_STORED_ID
from teamassist.exceptions import Invalid

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def _whole_number(value: object) -> object:
    """Digits only: pydantic's lax mode reads "1.0" (and 1.0 in JSON) as 1, and a URL that
    names no integer is a malformed request, not another way to write the id."""
    if isinstance(value, bool | float) or (
        isinstance(value, str) and not _WHOLE_NUMBER.fullmatch(value.strip())
    ):
        raise ValueError("an id is a whole number, e.g. 42")
    return value


def storable_id(value: int) -> int:
    """A page form's id (``web.page_forms``, the team pages' pickers) by :data:`Id`'s bound:
    one above what the id columns hold is no id (Invalid ``core.error.not_an_id``, the words
    chat answers it with), not a row that was not found."""
    if value > MAX_STORED_ID:
        raise Invalid("core.error.not_an_id", value=str(value)[:40])
    return value


# A database id in a URL (path or query), a form or a body, for every router: ``rotation_id:
# Id``, ``team_id: Id | None = None``, ``member_ids: list[Id]``; the one rule, the same answer
# on every backend (tests/web/test_id_params.py walks every route for it; tester s26 B-3).
# Not a whole number ("1.0", "1e0") or outside 1 to 2^31-1, what the id columns hold (INTEGER,
# 32-bit on PostgreSQL and MariaDB): 422 naming the parameter and the bound, never a 500 from a
# driver that cannot bind it. 0 and 2^31 are refused alike, as chat refuses an id argument
# (``core.error.not_an_id``); a 64-bit id above the columns was a generic 404 「找不到
# 「#2147483648」」 where an unused id got the route's own words (fix27a's note).
Id = Annotated[
    int,
    BeforeValidator(_whole_number),
    annotated_types.Interval(ge=1, le=MAX_STORED_ID),
]


# Id's rule as a value to call: what the gates read, exactly as the routes' parameters read it.
_ID: TypeAdapter[int] = TypeAdapter(Id)


def gate_id(raw: object) -> int | None:
    """An id a gate reads from the path or query itself (before the route's parameters are
    validated), by :data:`Id`'s rule itself: the id the route will read (``+3``, `` 3``,
    ``03`` are 3, as pydantic reads them); None when absent or when the route will refuse it
    too (not a whole number, below 1, above what the columns hold: its 422). Reading it as a
    plain ``int`` let a gate ask PostgreSQL about 2147483648 (tester s26 B-3); reading digits
    only let ``+3`` and ``%203`` through every gate as "no id" while the route read 3: another
    team's rotation, its covers and its calendar, and its fairness report (tester s28 D-1)."""
    if raw is None:
        return None
    try:
        return _ID.validate_python(raw if isinstance(raw, str) else str(raw))
    except ValidationError:
        return None
