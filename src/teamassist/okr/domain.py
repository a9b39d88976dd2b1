"""The OKR desk: cycles, objectives and key results, alignment, check-ins and scores."""

from __future__ import annotations

from teamassist.domain import Domain, NavEntry, assets_in
from teamassist.okr import api, commands, demo, jobs, pages, retro_commands
from teamassist.ports import Workdays

DOMAIN = Domain(
    key="okr",
    models=("teamassist.okr.models", "teamassist.okr.rhythm_models"),
    commands=(commands.commands, retro_commands.commands),
    jobs=(jobs.jobs,),
    api=(api.router,),
    pages=(pages.router,),
    nav=(NavEntry("/okr", "okr_web.nav"),),
    assets=assets_in("teamassist.okr"),
    demo=demo.load,
    requires=(Workdays,),
)
