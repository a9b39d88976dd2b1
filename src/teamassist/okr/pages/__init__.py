"""Dashboard pages of the OKR desk, one module per screen: my OKRs, the team's OKRs with the
cycle's score spread, one O with its charts, and the alignment tree.

Pages are read-only views through the services chat and REST use (changes stay in chat and
REST); the numbers come from ``rollup``, ``scoring`` and ``trends``, never from the template.
"""

from __future__ import annotations

from teamassist.http.routes import Routes
from teamassist.okr.pages import alignment, mine, objective, team

router = Routes(include_in_schema=False)
for _screen in (mine, team, objective, alignment):
    router.include_router(_screen.router)

__all__ = ["router"]
