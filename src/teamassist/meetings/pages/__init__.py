"""Dashboard page of the meeting cycles: the team's upcoming occurrences, with move and cancel
for the people who may (the same functions as chat and REST)."""

from __future__ import annotations

from teamassist.meetings.pages.upcoming import router

__all__ = ["router"]
