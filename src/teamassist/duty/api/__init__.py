"""REST endpoints of the duty desk (mounted under /api/v1/duty), one module per resource; they
call the same services as the chat commands. ``public_router`` serves the secret iCal feed URLs
outside /api (no sign-in)."""

from __future__ import annotations

from teamassist.duty.api import (
    exception_days,
    fairness,
    feeds,
    overrides,
    rotations,
    schedule,
    sign_ins,
    swaps,
)
from teamassist.duty.api.public import public_router
from teamassist.http.routes import Routes

router = Routes()
for _resource in (rotations, schedule, overrides, swaps, exception_days, sign_ins, feeds, fairness):
    router.include_router(_resource.router)

__all__ = ["public_router", "router"]
