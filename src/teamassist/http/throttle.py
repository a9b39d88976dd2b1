"""Password sign-in throttling: at most N password checks in a window for one username and
client address; a correct password frees the count, further attempts are refused with 429 until
the oldest one leaves the window.

Counted on the runtime's shared state (``teamassist.shared_state``): in this process's memory
in the embedded mode, in Redis once an install scales out, so N web replicas together still
allow N checks, not N per replica. Each attempt *takes a slot before* the password is checked
(one atomic Lua script in Redis, see ``RedisState.take``): two replicas racing on the last slot
cannot both check a password, which "read the count, check, then count the failure" allowed.
A refused attempt takes nothing.

When Redis cannot be reached the throttle falls back to a limiter in this process's memory
(logged as a warning) rather than refusing every sign-in: the dashboard stays usable during a
Redis outage (when admins most need it; sessions are database rows and keep working), and
guessing is still bounded, at N per replica per window, which is how every replica counted
before issue 16. Refusing sign-in instead would turn a cache outage into a lock-out of every
admin for the outage's length, for a gain only against an attacker who can also take Redis
down.

Not in the database: a brake on guessing, not an account lock, so losing the counts (a Redis
restart) is acceptable, and a failed attempt writes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from teamassist.shared_state import LocalState, SharedState, SharedStateUnavailable

log = logging.getLogger(__name__)


class LoginThrottle:
    """Password checks per (username, client address) inside a sliding window.

    ``shared``: the runtime's shared state; ``fallback``: this process's memory, used while
    ``shared`` raises :class:`SharedStateUnavailable` (module docstring). Give both the
    runtime's clock for windows a test can move.
    """

    def __init__(
        self,
        *,
        max_failures: int,
        window: timedelta,
        shared: SharedState,
        fallback: SharedState | None = None,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.shared = shared
        self.fallback: SharedState = fallback if fallback is not None else LocalState()

    @staticmethod
    def key(username: str, address: str) -> str:
        """The counter a sign-in attempt counts against: a digest, so no username typed at
        the form (up to any length, possibly a password typed in the wrong box) is stored."""
        typed = username.strip().casefold() + "\0" + address
        return "signin:" + hashlib.sha256(typed.encode()).hexdigest()[:32]

    def attempt(self, key: str) -> bool:
        """Take one password check for ``key``: True when it may go ahead, False when the
        window's checks are used up (nothing is taken then)."""
        window = self.window.total_seconds()
        try:
            wait = self.shared.take(key, limit=self.max_failures, window=window)
        except SharedStateUnavailable as exc:
            log.warning("sign-in throttle counts in this process only: %s", exc)
            wait = self.fallback.take(key, limit=self.max_failures, window=window)
        return wait == 0.0

    def succeeded(self, key: str) -> None:
        """A correct password frees the count."""
        self.fallback.free(key)
        try:
            self.shared.free(key)
        except SharedStateUnavailable as exc:
            log.warning("sign-in throttle count not cleared: %s", exc)
