"""任职资格: role qualification levels (framework, current levels, yearly assessments)."""

from __future__ import annotations

from teamassist.domain import Domain, NavEntry, assets_in
from teamassist.qualifications.command_index import COMMANDS

DOMAIN = Domain(
    key="qualifications",
    models=("teamassist.qualifications.models",),
    commands=COMMANDS,
    api=("teamassist.qualifications.api:router",),
    pages=("teamassist.qualifications.pages:router",),
    nav=(NavEntry("/qualifications", "qualifications.web.nav"),),
    assets=assets_in("teamassist.qualifications"),
    demo="teamassist.qualifications.demo:load",
)
