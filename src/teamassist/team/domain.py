"""The team domain: workspaces, teams, members, channels and their settings."""

from __future__ import annotations

from teamassist.domain import Domain, assets_in
from teamassist.team.api import router

DOMAIN = Domain(
    key="team",
    models=("teamassist.team.models", "teamassist.team.token_models"),
    api=(router,),
    assets=assets_in("teamassist.team"),
)
