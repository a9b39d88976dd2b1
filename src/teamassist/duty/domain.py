"""The duty desk: rotations, sign-ins, swaps, reports and feeds. Provides the ``Roster`` port."""

from __future__ import annotations

from typing import Any

from teamassist.domain import Domain, NavEntry, Wiring, assets_in
from teamassist.duty import commands as duty_commands
from teamassist.duty import demo, departures, feed_commands, jobs, revision
from teamassist.duty.roster import DutyRoster
from teamassist.events import MemberDeactivated, MemberReactivated, Subscription, on
from teamassist.ports import Roster


def _install(wiring: Wiring) -> None:
    # Schedule writes bump the rotation revision in their own transaction (see duty.revision).
    revision.install(wiring.factory)


def _subscriptions(_wiring: Wiring) -> list[Subscription[Any]]:
    # A deactivated member leaves every rotation from the day it takes effect; a departure
    # called off withdraws the removals it planned.
    return [
        on(MemberDeactivated, departures.on_member_deactivated),
        on(MemberReactivated, departures.on_member_reactivated),
    ]


DOMAIN = Domain(
    key="duty",
    models=("teamassist.duty.models", "teamassist.duty.feed_models"),
    commands=(duty_commands.commands, feed_commands.commands),
    jobs=(jobs.jobs,),
    api=("teamassist.duty.api:router",),
    pages=("teamassist.duty.pages:router",),
    public=("teamassist.duty.api:public_router",),
    nav=(NavEntry("/duty", "duty_web.nav"),),
    assets=assets_in("teamassist.duty"),
    demo=demo.load,
    provides={Roster: lambda _wiring: DutyRoster()},
    install=_install,
    subscriptions=_subscriptions,
)
