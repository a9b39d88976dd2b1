"""What a platform send does when the shared state (Redis) cannot be reached: the notice waits.

A token or a rate-limit slot lives in Redis once an install scales out
(``teamassist.shared_state``). Without it a send cannot go out correctly (no token, or no way
to keep a robot under its limit), but nothing is wrong with the notice: it waits in the outbox
for :data:`~teamassist.shared_state.UNAVAILABLE_WAIT_SECONDS` like a rate-limited one, without
spending an attempt, so a Redis outage of any length turns no notice dead.
"""

from __future__ import annotations

from teamassist.outbox.senders import DeliveryError
from teamassist.shared_state import UNAVAILABLE_WAIT_SECONDS, SharedStateUnavailable

# The metrics label (``platform_errors_total{code=...}``) of such a wait.
CODE = "shared_state"


def waiting_for_shared_state(platform: str, exc: SharedStateUnavailable) -> DeliveryError:
    """The retry-later error a sender raises for ``exc`` (raise it ``from exc``)."""
    return DeliveryError(
        f"{platform}: shared state unreachable, waiting: {exc}",
        transient=True,
        retry_after=UNAVAILABLE_WAIT_SECONDS,
        code=CODE,
    )
