"""The team domain: workspaces, teams, members, channels and their settings; people and the
organisation (chat commands, REST, dashboard pages); platform bindings and the platforms'
directory."""

from __future__ import annotations

from teamassist.domain import Domain, NavEntry, assets_in, later
from teamassist.events import StoredDoubles, on
from teamassist.team.command_index import COMMANDS

DOMAIN = Domain(
    key="team",
    models=(
        "teamassist.team.models",
        "teamassist.team.token_models",
        "teamassist.team.binding_models",
        "teamassist.team.setup_models",
    ),
    commands=COMMANDS,
    jobs=("teamassist.team.directory_jobs:jobs", "teamassist.team.departure_jobs:jobs"),
    api=(
        "teamassist.team.api:router",
        "teamassist.team.workspace_api:router",
        "teamassist.team.binding_api:router",
    ),
    pages=(
        "teamassist.team.pages:router",
        "teamassist.team.setup_pages:router",
        "teamassist.team.binding_pages:router",
    ),
    nav=(
        NavEntry("/team/members", "people.nav.members"),
        NavEntry("/team/org", "people.nav.org"),
        NavEntry("/workspace", "setup.page.manage_title", admin=True),
        NavEntry("/bindings", "binding.page.title", admin=True),
    ),
    assets=assets_in("teamassist.team"),
    # `teamassist doctor`: teams of one workspace whose names are one name.
    subscriptions=lambda _wiring: [on(StoredDoubles, later("teamassist.team.doubles:answer"))],
)
