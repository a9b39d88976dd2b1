"""REST endpoints of the action-item desk, mounted under /api/v1/actions; they call
:mod:`teamassist.actions.flows`, as the chat commands do."""

from __future__ import annotations

from teamassist.actions.api.items import router

__all__ = ["router"]
