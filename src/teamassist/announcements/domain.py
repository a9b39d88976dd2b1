"""Announcements (通知/群发) and the seed's director grammar, as one desk."""

from __future__ import annotations

from typing import Any

from teamassist.announcements.command_index import COMMANDS
from teamassist.chat.fallback import DirectText
from teamassist.domain import Domain, Wiring, assets_in, later
from teamassist.events import MemberDeactivated, Subscription, on, on_quietly


def _subscriptions(_wiring: Wiring) -> list[Subscription[Any]]:
    return [
        on(DirectText, later("teamassist.announcements.forms:answer")),
        on_quietly(
            MemberDeactivated, later("teamassist.announcements.service:drop_copies_of_leaver")
        ),
    ]


DOMAIN = Domain(
    key="announcements",
    models=("teamassist.announcements.models",),
    commands=COMMANDS,
    api=("teamassist.announcements.api:router",),
    assets=assets_in("teamassist.announcements"),
    subscriptions=_subscriptions,
)
