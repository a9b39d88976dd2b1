"""有事儿找组织: reach your team's director, named or anonymous, with relayed replies."""

from __future__ import annotations

from typing import Any

from teamassist.chat.fallback import DirectText
from teamassist.domain import Domain, Wiring, assets_in, later
from teamassist.events import ExportWithheld, Subscription, on
from teamassist.org_contact.command_index import COMMANDS


def _subscriptions(_wiring: Wiring) -> list[Subscription[Any]]:
    return [
        on(DirectText, later("teamassist.org_contact.forms:answer")),
        on(ExportWithheld, later("teamassist.org_contact.export:withheld")),
    ]


DOMAIN = Domain(
    key="org_contact",
    models=("teamassist.org_contact.models",),
    commands=COMMANDS,
    api=("teamassist.org_contact.api:router",),
    assets=assets_in("teamassist.org_contact"),
    subscriptions=_subscriptions,
)
