"""In-process domain events, so one domain can react to another without importing it.

Handlers run synchronously inside the publisher's transaction (same session), so whatever they
write or queue commits or rolls back with the change that caused it. Subscriptions are wired
once, explicitly, in ``domains.wire_events``.

Known events (publishers document their keyword arguments):
- ``duty.signed_in``: session, team, member, now — someone on duty signed in.
- ``duty.handoff_digest``: session, team, now — return a markdown section (str) or None to
  include in the duty hand-off digest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event: str, handler: Handler) -> None:
    """Call ``handler(**kwargs)`` whenever ``event`` is published (once per handler)."""
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def publish(event: str, **kwargs: Any) -> list[Any]:
    """Run every handler of ``event`` in order; return their results (None results dropped)."""
    results = [handler(**kwargs) for handler in list(_handlers.get(event, []))]
    return [r for r in results if r is not None]


def clear() -> None:
    """Forget every subscription (tests)."""
    _handlers.clear()
