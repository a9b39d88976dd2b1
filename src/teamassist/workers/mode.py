"""Whether this install runs scaled out, and what scale-out mode refuses.

Scale-out mode is on when ``[scale_out] broker_url`` or ``redis_url`` is set. It refuses SQLite:
SQLAlchemy compiles ``FOR UPDATE SKIP LOCKED`` to nothing there, so the outbox claim that keeps
two workers apart would lock nothing, and the file cannot be shared between hosts
(shared/research/celery-pitfalls.md §14; SQLite FAQ q5).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from teamassist.config import Settings

SQLITE_REFUSED = (
    "扩展模式（[scale_out]）不支持 SQLite，请改用 PostgreSQL 或 MySQL。 / "
    "scale-out mode ([scale_out] broker_url/redis_url set) needs PostgreSQL or MySQL, "
    "not SQLite: several processes cannot share one SQLite file safely."
)
NOT_SCALED_OUT = (
    "未配置扩展模式：请设置 [scale_out] broker_url 或 redis_url。 / "
    "scale-out mode is off: set [scale_out] broker_url or redis_url for workers and beat."
)
BROKER_UNREACHABLE = (
    "无法连接 Celery 的消息代理 {where}（等了 {seconds:g} 秒）：{error}。请确认它在运行，"
    "并检查 [scale_out] broker_url / redis_url。 / "
    "cannot reach the broker at {where} after {seconds:g} s: {error}. Is it running? "
    "Check [scale_out] broker_url / redis_url."
)


class ScaleOutRefused(RuntimeError):
    """The settings cannot run scaled out; ``str()`` is the operator's message."""


def enabled(settings: Settings) -> bool:
    """True when the install runs scaled out (a broker or Redis is configured)."""
    return bool(settings.scale_out.broker_url or settings.scale_out.redis_url)


def broker_url(settings: Settings) -> str:
    """The Celery broker: ``broker_url``, else ``redis_url``. Raises ``ScaleOutRefused`` when
    neither is set."""
    url = settings.scale_out.broker_url or settings.scale_out.redis_url
    if not url:
        raise ScaleOutRefused(NOT_SCALED_OUT)
    return url


def check(settings: Settings) -> None:
    """Refuse settings scale-out mode cannot run with (SQLite; no broker) before anything
    starts. Raises ``ScaleOutRefused``."""
    broker_url(settings)
    if make_url(settings.database.url).get_backend_name() == "sqlite":
        raise ScaleOutRefused(SQLITE_REFUSED)


class BrokerUnreachable(ScaleOutRefused):
    """The broker did not answer within ``broker_wait_seconds``."""


def where(url: str) -> str:
    """``url`` without its credentials, for a message: ``redis://redis:6379/0``."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def reach_broker(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Return once the broker answers; try again (0.5 s, doubling to 5 s between tries)
    until ``scale_out.broker_wait_seconds`` have passed, then raise :class:`BrokerUnreachable`.
    Without this, Celery retries an unreachable broker 100 times at start
    (``broker_connection_max_retries``, Celery configuration docs) before it gives up, for
    minutes, with a warning per try. Redis is asked with redis-py's PING; any other transport
    (``amqp://`` ...) by opening a connection through kombu, Celery's own transport layer;
    ``memory://`` lives in the process and always answers."""
    url = broker_url(settings)
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return
    answer = _redis_answer if scheme in ("redis", "rediss") else _kombu_answer
    wait = settings.scale_out.broker_wait_seconds
    deadline = clock() + wait
    delay = 0.5
    while True:
        error = answer(url)
        if error is None:
            return
        if clock() + delay > deadline:
            break
        sleep(delay)
        delay = min(delay * 2, 5.0)
    raise BrokerUnreachable(
        BROKER_UNREACHABLE.format(
            where=where(url),
            seconds=wait,
            # redis-py's texts end in a full stop, which the sentence around them has already
            error=str(error).strip().rstrip(".。") or type(error).__name__,
        )
    )


def _redis_answer(url: str) -> Exception | None:
    """None when the Redis at ``url`` answers PING (3 s to connect and to answer), else the
    error."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        return exc
    finally:
        client.close()
    return None


def _kombu_answer(url: str) -> Exception | None:
    """None when the broker at ``url`` accepts a connection (3 s to connect), else the error:
    one of the transport's ``connection_errors`` (an ``OSError`` for a refused port)."""
    from kombu.connection import Connection

    connection = Connection(url, connect_timeout=3)  # type: ignore[no-untyped-call]
    errors: tuple[type[Exception], ...] = connection.connection_errors
    try:
        connection.connect()  # type: ignore[no-untyped-call]  # kombu's stubs leave it untyped
    except errors as exc:
        return exc
    finally:
        connection.release()  # type: ignore[no-untyped-call]
    return None
