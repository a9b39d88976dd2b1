"""The team domain: workspaces, teams, members, channels and their settings; people and the
organisation (chat commands, REST, dashboard pages)."""

from __future__ import annotations

from teamassist.domain import Domain, NavEntry, assets_in
from teamassist.team.api import router
from teamassist.team.commands import commands
from teamassist.team.pages import router as pages_router
from teamassist.team.setup_pages import router as setup_pages
from teamassist.team.workspace_api import router as workspace_api

DOMAIN = Domain(
    key="team",
    models=("teamassist.team.models", "teamassist.team.token_models"),
    commands=(commands,),
    api=(router, workspace_api),
    pages=(pages_router, setup_pages),
    nav=(
        NavEntry("/team/members", "people.nav.members"),
        NavEntry("/team/org", "people.nav.org"),
        NavEntry("/workspace", "setup.page.manage_title"),
    ),
    assets=assets_in("teamassist.team"),
)
