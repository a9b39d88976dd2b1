"""REST endpoints of the meeting cycles, under ``/api/v1/meetings``; they call the same
functions as the chat commands (:mod:`teamassist.meetings.changes`)."""

from __future__ import annotations

from teamassist.meetings.api.occurrences import router

__all__ = ["router"]
