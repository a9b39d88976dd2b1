"""REST for the team domain, one module per resource: teams (and settings), members,
channels, and the organisation tree."""

from __future__ import annotations

from teamassist.http.routes import Routes
from teamassist.team.api import channels, members, org, teams

router = Routes()
for _resource in (teams, members, channels, org):
    router.include_router(_resource.router)

__all__ = ["router"]
