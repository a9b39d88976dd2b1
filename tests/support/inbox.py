"""Platform webhooks acknowledge within a deadline and may finish the command afterwards (in a
worker thread). Tests that deliver right after posting must wait for that work, or they race the
handler under load; this makes ``runtime.deliver()`` wait until the inbox is settled first."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select

from teamassist.chat.models import InboundEvent
from teamassist.outbox.delivery import DeliveryStats
from teamassist.runtime import Runtime


def unhandled(runtime: Runtime) -> int:
    """Inbound events recorded but not yet handled."""
    with runtime.factory() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(InboundEvent)
                .where(InboundEvent.status == "received")
            )
            or 0
        )


def wait_until_handled(runtime: Runtime, timeout: float = 30.0) -> None:
    """Block until every recorded inbound event has been handled (or ``timeout`` passes)."""
    deadline = time.monotonic() + timeout
    while unhandled(runtime) and time.monotonic() < deadline:
        time.sleep(0.02)


def settle_before_delivery(runtime: Runtime) -> Runtime:
    """Make ``runtime.deliver()`` wait for in-flight inbound events first."""
    original: Callable[[], DeliveryStats] = runtime.deliver

    def deliver() -> DeliveryStats:
        wait_until_handled(runtime)
        return original()

    runtime.deliver = deliver  # type: ignore[method-assign]  # wraps delivery to wait for the inbox
    return runtime
