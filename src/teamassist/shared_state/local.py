"""Shared state kept in this process's memory: the embedded single-process mode."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from teamassist.shared_state.port import MIN_WAIT_SECONDS, TokenFetch


class LocalState:
    """:class:`~teamassist.shared_state.port.SharedState` for one process (thread-safe).

    Token and value expiries run on ``monotonic`` (a wall-clock jump neither keeps a dead
    token nor drops a live one); limit windows on ``now`` (the runtime's clock, so tests that
    move the clock move the window). Both in seconds.
    """

    def __init__(
        self,
        now: Callable[[], float] = time.monotonic,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._now = now
        self._monotonic = monotonic
        self._values: dict[str, tuple[str, float]] = {}  # name -> (value, monotonic expiry)
        self._values_lock = threading.Lock()
        self._fetch_locks: dict[str, threading.Lock] = {}
        self._windows: dict[str, deque[float]] = {}
        self._windows_lock = threading.Lock()

    # -- tokens --------------------------------------------------------------------------------

    def token(self, name: str, fetch: TokenFetch, *, margin: float) -> str:
        """See :meth:`SharedState.token`; one fetch at a time per name in this process."""
        with self._values_lock:
            fetch_lock = self._fetch_locks.setdefault(name, threading.Lock())
        with fetch_lock:
            cached = self.get(name)
            if cached is not None:
                return cached
            value, lifetime = fetch()
            self.put(name, value, ttl=max(0.0, lifetime - margin))
            return value

    def drop_token(self, name: str, token: str) -> None:
        """See :meth:`SharedState.drop_token`."""
        with self._values_lock:
            entry = self._values.get(name)
            if entry is not None and entry[0] == token:
                del self._values[name]

    # -- limits --------------------------------------------------------------------------------

    def take(self, key: str, *, limit: int, window: float) -> float:
        """See :meth:`SharedState.take`: a sliding window of send times per key."""
        with self._windows_lock:
            now = self._now()
            sent = self._windows.setdefault(key, deque())
            while sent and sent[0] <= now - window:
                sent.popleft()
            if limit <= 0:
                return max(MIN_WAIT_SECONDS, window)
            if len(sent) >= limit:
                return max(MIN_WAIT_SECONDS, sent[0] + window - now)
            sent.append(now)
            return 0.0

    def free(self, key: str) -> None:
        """See :meth:`SharedState.free`."""
        with self._windows_lock:
            self._windows.pop(key, None)

    # -- values --------------------------------------------------------------------------------

    def get(self, name: str) -> str | None:
        """See :meth:`SharedState.get`."""
        with self._values_lock:
            entry = self._values.get(name)
            if entry is None:
                return None
            if self._monotonic() >= entry[1]:
                del self._values[name]
                return None
            return entry[0]

    def put(self, name: str, value: str, *, ttl: float, only_new: bool = False) -> bool:
        """See :meth:`SharedState.put`."""
        with self._values_lock:
            now = self._monotonic()
            entry = self._values.get(name)
            if only_new and entry is not None and now < entry[1]:
                return False
            self._values[name] = (value, now + ttl)
            return True

    def delete(self, name: str) -> None:
        """See :meth:`SharedState.delete`."""
        with self._values_lock:
            self._values.pop(name, None)

    def close(self) -> None:
        """Nothing to release."""
