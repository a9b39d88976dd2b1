"""360 reviews (360评估) with anonymity enforced in the data, not only on screen."""

from __future__ import annotations

from typing import Any

from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import (
    ExportWithheld,
    MemberDeactivated,
    MemberReactivated,
    Subscription,
    on,
    on_quietly,
)
from teamassist.ports import Workdays
from teamassist.reviews.command_index import COMMANDS


def _subscriptions(_wiring: Wiring) -> list[Subscription[Any]]:
    return [
        on(ExportWithheld, later("teamassist.reviews.export:withheld")),
        on_quietly(MemberDeactivated, later("teamassist.reviews.departures:on_member_deactivated")),
        on(MemberReactivated, later("teamassist.reviews.departures:on_member_reactivated")),
    ]


DOMAIN = Domain(
    key="reviews",
    models=("teamassist.reviews.models",),
    commands=COMMANDS,
    jobs=("teamassist.reviews.jobs:jobs",),
    api=("teamassist.reviews.api:router",),
    pages=("teamassist.reviews.pages:router",),
    nav=(NavEntry("/reviews/360", "reviews.web.nav"),),
    assets=assets_in("teamassist.reviews"),
    demo="teamassist.reviews.demo:load",
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
