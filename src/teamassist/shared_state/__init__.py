"""State every process of one install must agree on: platform tokens, rate limits, short-lived
values (a parked job's progress, the first-run setup token).

One port, :class:`~teamassist.shared_state.port.SharedState`, two implementations chosen by the
composition root (``teamassist.bootstrap``):

- :class:`~teamassist.shared_state.local.LocalState` (``scale_out.redis_url`` empty): in this
  process's memory, as one process has always kept it. Needs nothing else.
- :class:`~teamassist.shared_state.redis_state.RedisState` (``scale_out.redis_url`` set): in
  Redis, so every web replica and worker sees one token, one limit, one value. Imported only
  then (redis-py is not loaded in the embedded mode).

What is *not* here, because the database already shares it across processes (see
docs/DEVELOPING.md "Shared state"): QQ's proactive-message counters (``qq_proactive_usage``,
exact), the duty desk's schedule revision (``duty_rotation.revision``, checked by the query
that lists the rotations anyway), dashboard sessions (``web_session`` rows) and webhook dedupe
(the inbox's unique keys).
"""

from teamassist.shared_state.local import LocalState
from teamassist.shared_state.port import (
    UNAVAILABLE_WAIT_SECONDS,
    SharedState,
    SharedStateUnavailable,
    TokenFetch,
)

__all__ = [
    "UNAVAILABLE_WAIT_SECONDS",
    "LocalState",
    "SharedState",
    "SharedStateUnavailable",
    "TokenFetch",
]
