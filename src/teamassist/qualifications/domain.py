"""任职资格: role qualification levels (framework, current levels, yearly assessments)."""

from __future__ import annotations

from teamassist.domain import Domain, NavEntry, assets_in
from teamassist.qualifications import commands, demo

DOMAIN = Domain(
    key="qualifications",
    models=("teamassist.qualifications.models",),
    commands=(commands.commands,),
    api=("teamassist.qualifications.api:router",),
    pages=("teamassist.qualifications.pages:router",),
    nav=(NavEntry("/qualifications", "qualifications.web.nav"),),
    assets=assets_in("teamassist.qualifications"),
    demo=demo.load,
)
