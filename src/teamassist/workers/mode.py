"""Whether this install runs scaled out, and what scale-out mode refuses.

Scale-out mode is on when ``[scale_out] broker_url`` or ``redis_url`` is set. It refuses SQLite:
SQLAlchemy compiles ``FOR UPDATE SKIP LOCKED`` to nothing there, so the outbox claim that keeps
two workers apart would lock nothing, and the file cannot be shared between hosts
(shared/research/celery-pitfalls.md §14; SQLite FAQ q5).
"""

from __future__ import annotations

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
