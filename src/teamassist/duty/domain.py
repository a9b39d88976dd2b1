"""The duty desk: rotations, sign-ins, swaps, reports and feeds. Provides the ``Roster`` port."""

from __future__ import annotations

import sys
from typing import Any

from sqlalchemy.orm import Session

from teamassist.database import listen_once
from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.duty.command_index import COMMANDS
from teamassist.duty.roster import DutyRoster
from teamassist.events import (
    MemberDeactivated,
    MemberReactivated,
    StoredDoubles,
    Subscription,
    on,
)
from teamassist.ports import Roster

_MODELS = "teamassist.duty.models"
_bump = later("teamassist.duty.revision:after_flush")


def _after_flush(session: Session, context: Any) -> None:
    # No duty row can be flushed before the duty models are imported: until then a flush has
    # nothing to bump, and the hook imports nothing (issue 9: the desk loads on first use).
    if _MODELS in sys.modules:
        _bump(session, context)


def _install(wiring: Wiring) -> None:
    # Schedule writes bump the rotation revision in their own transaction (see duty.revision):
    # the hook is on every session of the runtime from the start, whatever loads the desk.
    listen_once(wiring.factory, "after_flush", _after_flush)


def _subscriptions(_wiring: Wiring) -> list[Subscription[Any]]:
    # A deactivated member leaves every rotation from the day it takes effect; a departure
    # called off withdraws the removals it planned.
    return [
        on(MemberDeactivated, later("teamassist.duty.departures:on_member_deactivated")),
        on(MemberReactivated, later("teamassist.duty.departures:on_member_reactivated")),
        # `teamassist doctor`: swaps and covers stored twice before the rotation lock.
        on(StoredDoubles, later("teamassist.duty.doubles:answer")),
    ]


DOMAIN = Domain(
    key="duty",
    models=("teamassist.duty.models", "teamassist.duty.feed_models"),
    commands=COMMANDS,
    jobs=("teamassist.duty.jobs:jobs",),
    api=("teamassist.duty.api:router",),
    pages=("teamassist.duty.pages:router",),
    public=("teamassist.duty.api:public_router",),
    nav=(NavEntry("/duty", "duty_web.nav"),),
    assets=assets_in("teamassist.duty"),
    demo="teamassist.duty.demo:load",
    provides={Roster: lambda _wiring: DutyRoster()},
    install=_install,
    subscriptions=_subscriptions,
)
