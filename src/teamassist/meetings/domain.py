"""Meeting cycles: the weekly core meeting and the period meetings, on the working calendar."""

from __future__ import annotations

from teamassist.domain import Domain, NavEntry, assets_in
from teamassist.meetings import api, commands, demo, jobs, pages
from teamassist.ports import Workdays

DOMAIN = Domain(
    key="meetings",
    models=("teamassist.meetings.models",),
    commands=(commands.commands,),
    jobs=(jobs.jobs,),
    api=(api.router,),
    pages=(pages.router,),
    nav=(NavEntry("/meetings", "meetings.web.nav"),),
    assets=assets_in("teamassist.meetings"),
    demo=demo.load,
    requires=(Workdays,),
)
