"""月度技术专家: the monthly expert selection (nominate, vote once, tally at close, history)."""

from __future__ import annotations

from teamassist.awards import api, commands, demo, jobs, pages
from teamassist.domain import Domain, NavEntry, assets_in
from teamassist.ports import Workdays

DOMAIN = Domain(
    key="awards",
    models=("teamassist.awards.models",),
    commands=(commands.commands,),
    jobs=(jobs.jobs,),
    api=(api.router,),
    pages=(pages.router,),
    nav=(NavEntry("/awards", "awards.web.nav"),),
    assets=assets_in("teamassist.awards"),
    demo=demo.load,
    requires=(Workdays,),
)
