"""The shared-state port: what a platform client or the web shell asks of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

# Fetches a new token from the platform: (token, lifetime in seconds as the platform says).
# Raises whatever the platform client raises; nothing is stored then.
TokenFetch = Callable[[], tuple[str, float]]

# A rate-limited caller waits at least this long before asking again (seconds).
MIN_WAIT_SECONDS = 0.5

# A platform send that could not reach the shared state waits this long (seconds) before the
# outbox tries it again: a Redis restart or failover takes seconds to a minute.
UNAVAILABLE_WAIT_SECONDS = 30.0


class SharedStateUnavailable(RuntimeError):
    """The shared state could not be read or written (Redis refused the connection, timed out,
    or answered with an error). Nothing was taken or stored by the failed call. The message
    names the kind of failure only (never the URL, which may carry a password)."""


class SharedState(Protocol):
    """Tokens, sliding-window limits and small values with an expiry, shared by every process
    of the install (or only this one, for :class:`~teamassist.shared_state.local.LocalState`).

    Names are plain strings chosen by the caller (``qq:token:<app id>``); implementations may
    prefix them. Values are never logged by an implementation. Every method but ``close``
    raises :class:`SharedStateUnavailable` when the store cannot be reached (a
    :class:`~teamassist.shared_state.local.LocalState` never does).
    """

    def token(self, name: str, fetch: TokenFetch, *, margin: float) -> str:
        """The cached token ``name``, else ``fetch()``'s, kept for its lifetime less ``margin``
        seconds. One fetch at a time per name (across processes for Redis); a caller that
        waited for another's fetch gets that token. Errors of ``fetch`` pass through."""
        ...

    def drop_token(self, name: str, token: str) -> None:
        """Forget ``token`` (the platform refused it) unless ``name`` already holds another:
        a late 401 from one process must not throw away the token another just fetched."""
        ...

    def take(self, key: str, *, limit: int, window: float) -> float:
        """Take one of ``limit`` slots in any ``window`` seconds under ``key``: 0.0 when taken,
        else the seconds until one frees (at least ``MIN_WAIT_SECONDS``), nothing taken."""
        ...

    def free(self, key: str) -> None:
        """Free every slot taken under ``key`` (a correct password clears its failures)."""
        ...

    def get(self, name: str) -> str | None:
        """The value stored under ``name``, None when absent or expired."""
        ...

    def put(self, name: str, value: str, *, ttl: float, only_new: bool = False) -> bool:
        """Store ``value`` for ``ttl`` seconds; with ``only_new`` only when ``name`` holds
        nothing. True when stored."""
        ...

    def delete(self, name: str) -> None:
        """Forget ``name``."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
