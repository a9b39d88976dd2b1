"""Password sign-in throttling: after N failures in a window for one username and client
address, further attempts are refused with 429 until the oldest failure leaves the window.

Kept in this process's memory, not the database: it is a brake on guessing, not an account
lock, so a restart forgetting it is acceptable, and a failed attempt writes nothing. With
several server processes each counts its own failures (N per process).
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

Key = tuple[str, str]


class LoginThrottle:
    """Failures per (username, client address) inside a sliding window."""

    def __init__(self, *, max_failures: int, window: timedelta) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[Key, deque[datetime]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, address: str) -> Key:
        """The counter a sign-in attempt counts against."""
        return (username.strip().casefold(), address)

    def _recent(self, key: Key, now: datetime) -> deque[datetime]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def blocked(self, key: Key, now: datetime) -> bool:
        """Whether ``key`` has used up its failures in the window."""
        with self._lock:
            return len(self._recent(key, now)) >= self.max_failures

    def failed(self, key: Key, now: datetime) -> None:
        """Count one failure."""
        with self._lock:
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times

    def succeeded(self, key: Key) -> None:
        """A correct password clears the count."""
        with self._lock:
            self._failures.pop(key, None)
