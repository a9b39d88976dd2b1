"""Announcements (通知/群发) and the seed's director grammar, as one desk."""

from __future__ import annotations

from typing import Any

from teamassist.announcements import commands, forms, service
from teamassist.chat.fallback import DirectText
from teamassist.domain import Domain, Wiring, assets_in
from teamassist.events import MemberDeactivated, Subscription, on, on_quietly


def _subscriptions(_wiring: Wiring) -> list[Subscription[Any]]:
    return [
        on(DirectText, forms.answer),
        on_quietly(MemberDeactivated, service.drop_copies_of_leaver),
    ]


DOMAIN = Domain(
    key="announcements",
    models=("teamassist.announcements.models",),
    commands=(commands.commands,),
    api=("teamassist.announcements.api:router",),
    assets=assets_in("teamassist.announcements"),
    subscriptions=_subscriptions,
)
