"""Request field types several domains' REST shapes share."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator, Field

from teamassist.clock import date_alone_at_end_of_day

# A deadline as chat reads one: ISO 8601; without an offset the team's wall clock (the handler
# reads it with clock.read_in_zone); a date alone is 18:00 that day, not midnight.
DueAt = Annotated[
    datetime,
    BeforeValidator(date_alone_at_end_of_day),
    Field(
        description=(
            "ISO 8601 (2026-12-09T18:00:00+08:00); without an offset the team's wall clock; "
            "a date alone (2026-12-09) is due at 18:00 that day, as chat reads 截止 2026-12-09"
        )
    ),
]
