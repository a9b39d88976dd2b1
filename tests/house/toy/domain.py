"""The toy domain: everything a domain can bring, to prove that adding one is one line."""

from __future__ import annotations

from teamassist.domain import Domain, NavEntry, assets_in
from teamassist.ports import Roster
from tests.house.toy.command_index import COMMANDS

DOMAIN = Domain(
    key="toy",
    models=("tests.house.toy.models",),
    commands=COMMANDS,
    jobs=("tests.house.toy.jobs:jobs",),
    api=("tests.house.toy.api:router",),
    pages=("tests.house.toy.pages:router",),
    nav=(NavEntry("/toy", "toy.nav"),),
    assets=assets_in("tests.house.toy"),
    requires=(Roster,),
)
