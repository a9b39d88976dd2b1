"""Shared state in Redis: every web replica and worker of an install sees the same tokens,
limits and values (``scale_out.redis_url``).

Why these designs (``../shared/research/celery-pitfalls.md`` §18–§21):

- **Tokens**: one refresh at a time per name, under a redis-py :class:`~redis.lock.Lock`
  (``SET NX PX`` with a random token; release and extension compare it in Lua, so a holder
  whose lock expired never frees another's). The lock can still be lost (a pause longer than
  its expiry, a failover): then two processes fetch, which both platforms tolerate — QQ and
  Feishu hand out a new token while the old one stays valid for its last minutes — so a spare
  refresh costs one HTTP call, never a failed send. A token is stored with ``PX`` = the
  platform's ``expires_in`` less the caller's margin, so Redis' own clock expires it (no host
  clock skew between replicas). Dropping a refused token is compare-and-delete. A token read
  is kept in the process for ``TOKEN_MEMO_SECONDS`` (at most half the caller's margin, so it
  is never used past its stored lifetime): every Feishu send asked Redis for the tenant token,
  a quarter of a delivery thread's time at 10,000 notices. A token refused in one process is
  forgotten there at once; another process may use it until its memo runs out, and that send
  fails as a transient error and is retried (nothing lost).
- **Limits**: one Lua script per attempt (prune, count, add, expire) on a sorted set, with the
  time taken from Redis ``TIME``: atomic, so two processes never both take the last slot, and
  no key is ever left without an expiry (``INCR`` then ``EXPIRE`` as two calls can be). It is
  exact while Redis keeps the set; a failover that loses the last writes may let a few more
  through, which the platform then refuses with its own rate-limit answer and the outbox
  retries later (nothing lost, nothing doubled). Counts that must be exact over a month live
  in the database instead (QQ's proactive counters, ``adapters/qq/sender.py``).
- **Outages**: every Redis error (refused connection, timeout, an error answer) is raised as
  :class:`~teamassist.shared_state.port.SharedStateUnavailable`, which callers map to what
  they can do: a platform send waits in the outbox without spending an attempt, the sign-in
  throttle falls back to this process's memory (``http.throttle``). A token fetched while
  Redis cannot store it is still used (it is valid); the next call fetches again.
- **A hung Redis** (it accepts and never answers): each call waits at most ``timeout`` seconds
  (connect and answer, ``scale_out.redis_timeout_seconds``), with redis-py's own retries off
  (its default of three retries with back-off made one call take 15 s for a 5 s timeout). After
  a connection error or timeout the state is *down* for ``backoff`` seconds
  (``scale_out.redis_backoff_seconds``): calls raise at once without asking Redis, so every
  request does not pay the timeout again; the first call after the window asks once more.
  An error answer (a script error, a wrong type) does not start the window: Redis is up.
- **Clients**: one :class:`~redis.ConnectionPool` per process, built at start; redis-py's sync
  pool resets itself in a forked child (pid check), so a pre-fork build is safe.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from teamassist.shared_state.port import MIN_WAIT_SECONDS, SharedStateUnavailable, TokenFetch

log = logging.getLogger(__name__)

PREFIX = "teamassist:"
# A token fetch holds the lock at most this long (seconds): well above a platform's HTTP
# timeout, so a live fetch keeps it; a dead holder's lock frees itself.
LOCK_SECONDS = 30.0
# Defaults of ``scale_out.redis_timeout_seconds`` / ``redis_backoff_seconds`` (module docstring):
# Redis answers a healthy call in well under a millisecond, so a second means it is not
# answering; ten seconds of not asking spare the requests of that stretch the wait.
TIMEOUT_SECONDS = 1.0
BACKOFF_SECONDS = 10.0
TOKEN_MEMO_SECONDS = 30.0  # a token read from Redis is used this long without asking again

# KEYS[1] the window's sorted set; ARGV: limit, window (ms), a unique member.
# Returns 0 when a slot was taken, else the milliseconds until the oldest entry leaves.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if limit <= 0 then
  return window
end
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""

# KEYS[1] the token; ARGV[1] the refused value. Deletes only that value.
_DROP_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class _Outage:
    """Whether Redis failed to answer in the last ``backoff`` seconds (monotonic clock; shared
    by the threads of one process, so one timed-out request spares the others)."""

    def __init__(self, backoff: float) -> None:
        self.backoff = backoff
        self._lock = threading.Lock()
        self._until = 0.0
        self._kind = ""

    def check(self, what: str) -> None:
        """Raise :class:`SharedStateUnavailable` at once while the window is open."""
        if self._until and time.monotonic() < self._until:
            raise SharedStateUnavailable(
                f"Redis {what} skipped: unreachable within the last {self.backoff:g} s "
                f"({self._kind})"
            )

    def failed(self, kind: str) -> None:
        """Open the window (a connection error or timeout just happened)."""
        with self._lock:
            self._until = time.monotonic() + self.backoff
            self._kind = kind

    def down(self) -> bool:
        """True while the window is open."""
        return bool(self._until) and time.monotonic() < self._until


class RedisState:
    """:class:`~teamassist.shared_state.port.SharedState` in one Redis database.

    ``url`` is ``scale_out.redis_url`` (``redis://host:6379/0``); every name is stored under
    ``prefix`` so an install can share a Redis with other programs (give each install its
    own prefix or database). Redis errors are raised as
    :class:`~teamassist.shared_state.port.SharedStateUnavailable` (module docstring).
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = PREFIX,
        lock_seconds: float = LOCK_SECONDS,
        timeout: float = TIMEOUT_SECONDS,
        backoff: float = BACKOFF_SECONDS,
    ):
        self.prefix = prefix
        self.lock_seconds = lock_seconds
        self.outage = _Outage(backoff)
        self.client: redis.Redis = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # one wait per call (module docstring, "A hung Redis")
        )
        self._take = self.client.register_script(_TAKE)
        self._drop_if = self.client.register_script(_DROP_IF)
        self._memo: dict[str, tuple[str, float]] = {}  # token name: value, monotonic until

    def _key(self, name: str) -> str:
        return self.prefix + name

    @contextmanager
    def _reached(self, what: str) -> Iterator[None]:
        """Raise a Redis error inside the block as :class:`SharedStateUnavailable` (kind only:
        redis-py's text can carry the host and port); fail at once while Redis is down."""
        self.outage.check(what)
        try:
            yield
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self.outage.failed(type(exc).__name__)
            raise SharedStateUnavailable(f"Redis {what} failed: {type(exc).__name__}") from exc
        except RedisError as exc:
            raise SharedStateUnavailable(f"Redis {what} failed: {type(exc).__name__}") from exc

    def down(self) -> bool:
        """True while calls fail at once (a connection error or timeout less than ``backoff``
        seconds ago)."""
        return self.outage.down()

    # -- tokens --------------------------------------------------------------------------------

    def token(self, name: str, fetch: TokenFetch, *, margin: float) -> str:
        """See :meth:`SharedState.token` (the lock, its limits and the process's memo of
        ``TOKEN_MEMO_SECONDS``: module docstring)."""
        memo = self._memo.get(name)
        if memo is not None and time.monotonic() < memo[1]:
            return memo[0]
        value, kept = self._token(name, fetch, margin=margin)
        if kept:  # in Redis: it stays valid at least ``margin`` seconds past its stored life
            self._memo[name] = (value, time.monotonic() + min(TOKEN_MEMO_SECONDS, margin / 2))
        return value

    def _token(self, name: str, fetch: TokenFetch, *, margin: float) -> tuple[str, bool]:
        """The token and whether Redis holds it (a token not stored is not remembered)."""
        cached = self.get(name)
        if cached is not None:
            return cached, True
        lock = self.client.lock(
            self._key(name + ":refresh"),
            timeout=self.lock_seconds,
            blocking_timeout=self.lock_seconds,
            thread_local=False,
        )
        with self._reached("lock"):
            held = lock.acquire()
        try:
            cached = self.get(name)  # fetched by whoever held the lock before us
            if cached is not None:
                return cached, True
            if not held:
                log.warning("token refresh lock for %s not free in time; fetching anyway", name)
            value, lifetime = fetch()
            ttl = lifetime - margin
            if ttl > 0:
                try:
                    with self._reached("set"):
                        self.client.set(self._key(name), value, px=max(1, int(ttl * 1000)))
                    return value, True
                except SharedStateUnavailable as exc:  # the token is good: use it, fetch again
                    log.warning("token %s not stored in Redis: %s", name, exc)
            return value, False
        finally:
            if held:
                try:
                    lock.release()
                except LockError:  # it expired and may be someone else's now: leave it
                    log.warning("token refresh lock for %s expired before release", name)
                except RedisError as exc:  # it expires by itself
                    log.warning(
                        "token refresh lock for %s not released: %s", name, type(exc).__name__
                    )

    def drop_token(self, name: str, token: str) -> None:
        """See :meth:`SharedState.drop_token` (compare-and-delete in one script)."""
        self._memo.pop(name, None)
        with self._reached("drop_token"):
            self._drop_if(keys=[self._key(name)], args=[token])

    # -- limits --------------------------------------------------------------------------------

    def take(self, key: str, *, limit: int, window: float) -> float:
        """See :meth:`SharedState.take` (one atomic script; time from Redis)."""
        with self._reached("take"):
            answer = self._take(
                keys=[self._key("limit:" + key)],
                args=[limit, max(1, int(window * 1000)), uuid.uuid4().hex],
            )
        wait_ms = int(answer)
        return 0.0 if wait_ms == 0 else max(MIN_WAIT_SECONDS, wait_ms / 1000)

    def free(self, key: str) -> None:
        """See :meth:`SharedState.free`."""
        with self._reached("free"):
            self.client.delete(self._key("limit:" + key))

    # -- values --------------------------------------------------------------------------------

    def get(self, name: str) -> str | None:
        """See :meth:`SharedState.get`."""
        with self._reached("get"):
            value = self.client.get(self._key(name))
        return value if isinstance(value, str) else None

    def put(self, name: str, value: str, *, ttl: float, only_new: bool = False) -> bool:
        """See :meth:`SharedState.put`."""
        with self._reached("put"):
            stored = self.client.set(
                self._key(name), value, px=max(1, int(ttl * 1000)), nx=only_new
            )
        return bool(stored)

    def delete(self, name: str) -> None:
        """See :meth:`SharedState.delete`."""
        self._memo.pop(name, None)
        with self._reached("delete"):
            self.client.delete(self._key(name))

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()
