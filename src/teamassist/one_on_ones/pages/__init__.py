"""Dashboard pages of the 1on1s: ``/one-on-ones`` (the caller's pairs) and
``/one-on-ones/{id}`` (one pair: schedule, the caller's agenda, the prep pack)."""

from __future__ import annotations

from teamassist.one_on_ones.pages.pairs import router

__all__ = ["router"]
