"""Dashboard pages of the action-item desk: the team's list with filters and the ageing chart.

Read-only views through the services chat and REST use (changes stay in chat and REST); the
numbers come from :mod:`teamassist.actions.ageing`, never from the template.
"""

from __future__ import annotations

from teamassist.actions.pages.board import router

__all__ = ["router"]
