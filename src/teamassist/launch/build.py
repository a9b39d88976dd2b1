"""The runtime a start serves or works with, built once its database has the schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from teamassist.launch.schema import require_schema
from teamassist.launch.settings import load

if TYPE_CHECKING:
    from teamassist.clock import Clock
    from teamassist.config import Settings
    from teamassist.runtime import Runtime


def build(settings: Settings | None = None, clock: Clock | None = None) -> Runtime:
    """The runtime of the settings (loaded when not given); a database without the schema is
    refused with "run db upgrade" before anything touches it. ``clock``: a pinned one."""
    from teamassist.bootstrap import build_runtime
    from teamassist.clock import clock_from_env, pin_process

    settings = settings or load()
    require_schema(settings)
    if clock is None and (clock := clock_from_env()) is not None:
        pin_process(clock)  # a multi-process test's shared clock (teamassist.clock.FileClock)
    return build_runtime(settings) if clock is None else build_runtime(settings, clock=clock)
