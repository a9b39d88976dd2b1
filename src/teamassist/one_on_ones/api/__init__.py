"""REST endpoints of the 1on1s, under ``/api/v1/one-on-ones``; they call the same functions
as the chat commands."""

from __future__ import annotations

from teamassist.one_on_ones.api.pairs import router

__all__ = ["router"]
