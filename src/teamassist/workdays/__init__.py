"""The working calendar every domain shares: China's working days.

Statutory holidays are off and 调休 weekend days are working days, from ``chinese_calendar``.
The library only knows the years the State Council has announced; any other year is
*provisional*: :meth:`ChinaWorkdays.is_workday` answers Monday–Friday less the statutory
holidays the law fixes (lunar ones included; no 调休 weekends) and
:meth:`ChinaWorkdays.is_official` is False, so every consumer can say that a figure rests on a
guess (issue #10 D). Duty builds its rotation calendars on :func:`official_days`; feedback and
the domains to come reach it through the ``Workdays`` port.
"""

from __future__ import annotations

from teamassist.workdays.china import (
    ChinaWorkdays,
    holiday_name,
    is_official,
    official_days,
    provisional_years,
)

__all__ = ["ChinaWorkdays", "holiday_name", "is_official", "official_days", "provisional_years"]
