"""Small talk through an optional chat provider (``[chat_provider]`` in the settings)."""

from __future__ import annotations

from typing import Any

from teamassist.chat.fallback import SmallTalk
from teamassist.domain import Domain, Wiring
from teamassist.events import Subscription, on


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    if not wiring.settings.chat_provider.url:
        return []  # off: the dispatcher sends the help hint
    from teamassist.smalltalk.relay import Relay  # only when a provider is set

    return [on(SmallTalk, Relay(wiring.settings.chat_provider, wiring.factory, wiring.clock))]


DOMAIN = Domain(key="smalltalk", subscriptions=_subscriptions)
