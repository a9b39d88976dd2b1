"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database, schema, Redis).

Both are public, unauthenticated GETs (a load balancer or orchestrator asks them without a
session), say nothing secret, and are left out of the access log (``teamassist.logs``).

``/readyz`` answers 200 ``{"status": "ready", "checks": {...}}`` or 503
``{"status": "not ready", "reason": "...", "checks": {...}}``, where each check is ``"ok"`` or
what failed: ``database`` (a ``SELECT`` of the Alembic version rows within
:data:`TIMEOUT_SECONDS`), ``migrations`` (the rows equal the heads of every domain's migration
branch: a replica started before ``teamassist db upgrade`` ran stays out of rotation), and
``redis`` (a ``PING`` within the same time, only when ``scale_out.redis_url`` is set). Redis
is advisory (:data:`ADVISORY`): down, the answer stays 200 with ``"status": "degraded"``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from teamassist.database import READ_ONLY
from teamassist.domain import Domain
from teamassist.http.routes import Routes
from teamassist.runtime import Runtime

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 1.0
# Checks reported but not failed on: without Redis a replica still serves (platform sends wait,
# the sign-in throttle counts per replica), and every replica shares the one Redis, so failing
# readiness on it would take them all out of rotation at once (a tester's finding).
ADVISORY = frozenset({"redis"})

router = Routes(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive and serving HTTP; no I/O (a restart would not fix a database)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Whether this replica can serve now; 503 with the reason when not."""
    runtime: Runtime = request.app.state.runtime
    probe: Readiness = request.app.state.readiness
    checks = probe.check(runtime)
    failed = {
        name: result for name, result in checks.items() if result != "ok" and name not in ADVISORY
    }
    if not failed:
        degraded = any(checks[name] != "ok" for name in ADVISORY if name in checks)
        return JSONResponse({"status": "degraded" if degraded else "ready", "checks": checks})
    reason = "; ".join(f"{name}: {result}" for name, result in failed.items())
    return JSONResponse(
        {"status": "not ready", "reason": reason, "checks": checks}, status_code=503
    )


class Readiness:
    """The checks behind ``/readyz``, each bounded in time.

    A check runs on a small pool and is given up after :data:`TIMEOUT_SECONDS`; while a given-up
    check still hangs (a database that stopped answering), later probes report it at once rather
    than piling threads on it. The migration heads are read from the scripts once per process.
    """

    def __init__(self, domains: Sequence[Domain], timeout: float = TIMEOUT_SECONDS) -> None:
        self._domains = domains
        self._timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")
        self._pending: dict[str, Future[str]] = {}
        self._lock = threading.Lock()
        self._heads: frozenset[str] | None = None
        self._scripts: ScriptDirectory | None = None  # built with the heads
        self._behind: dict[frozenset[str], int] = {}
        self._known: frozenset[str] | None = None

    def check(self, runtime: Runtime) -> dict[str, str]:
        """``{"database": ..., "migrations": ..., ["redis": ...]}``, ``"ok"`` or the failure."""
        checks: dict[str, str] = {}
        versions = self._bounded("database", lambda: _versions(runtime.engine))
        if versions.startswith("versions:"):
            checks["database"] = "ok"
            found = frozenset(filter(None, versions.removeprefix("versions:").split(",")))
            behind = self.behind(found)
            newer = sorted(found - self.known())
            checks["migrations"] = (
                # a newer release migrated it: `db upgrade` cannot help (tester s29 F-5)
                f"schema is ahead of this release (migrated by a newer one: {', '.join(newer)}); "
                "run that release, or restore the backup taken before it"
                if newer
                else "ok"
                if behind == 0
                else f"schema is not at head (run `teamassist db upgrade`): "
                f"{behind} branch(es) behind"
            )
        else:
            checks["database"] = versions
            checks["migrations"] = "unknown: the database did not answer"
        redis_url = runtime.settings.scale_out.redis_url
        if redis_url:
            import redis  # noqa: F401  # scale-out only; imported outside the time bound

            checks["redis"] = self._bounded("redis", lambda: _ping(redis_url, self._timeout))
        return checks

    def heads(self) -> frozenset[str]:
        """The newest revision of every migration branch of the runtime's domains."""
        if self._heads is None:
            with _quiet("alembic"):
                # only when a probe first asks; importing Alembic logs seven INFO lines of its
                # plugin set-up ("setup plugin alembic.autogenerate..."): noise in a server log
                from alembic.script import ScriptDirectory

            folders = [str(f) for d in self._domains if (f := d.folder("migrations")) is not None]
            scripts = ScriptDirectory(
                str(resources.files("teamassist") / "migrations"), version_locations=folders
            )
            self._heads = frozenset(scripts.get_heads())
            self._scripts = scripts
        return self._heads

    def known(self) -> frozenset[str]:
        """Every revision of the runtime's domains' migrations (read with the heads)."""
        if self._known is None:
            self.heads()
            assert self._scripts is not None  # built with the heads
            self._known = frozenset(script.revision for script in self._scripts.walk_revisions())
        return self._known

    def behind(self, found: frozenset[str]) -> int:
        """How many branch heads the revisions ``found`` in ``alembic_version`` do not reach.

        Not ``found == heads``: a head another branch's migration depends on (``core_0008``,
        which ``announcements_0004`` needs) is not kept in ``alembic_version`` once that one
        is applied, so a database at every head was called a branch behind (a fresh install's
        /readyz answered 503). A head counts as reached when it is a revision found or one they
        stand on; a revision the scripts do not know (a newer schema) reaches nothing."""
        heads = self.heads()
        if found == heads:
            return 0
        if found not in self._behind:
            assert self._scripts is not None  # built with the heads
            try:
                walked = self._scripts.iterate_revisions(tuple(found), "base")
                self._behind[found] = len(heads - {rev.revision for rev in walked})
            except Exception:  # alembic's resolution errors: a revision it does not know
                self._behind[found] = max(1, len(heads - found))
        return self._behind[found]

    def close(self) -> None:
        """Stop the pool without waiting for a hung check."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _bounded(self, name: str, work: Callable[[], str]) -> str:
        with self._lock:
            running = self._pending.get(name)
            if running is not None and not running.done():
                return f"unreachable: an earlier check is still waiting (>{self._timeout:g} s)"
            future = self._pending[name] = self._pool.submit(_guarded, work)
        try:
            return future.result(timeout=self._timeout)
        except FutureTimeout:
            return f"unreachable: no answer within {self._timeout:g} s"


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Drop the INFO lines of logger ``name`` inside the block (warnings still pass)."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(max(logging.WARNING, level))
    try:
        yield
    finally:
        logger.setLevel(level)


def _guarded(work: Callable[[], str]) -> str:
    try:
        return work()
    except Exception as exc:  # any driver error means "not ready"; the kind says why
        # The probe is public: the driver's text (host, port, user) goes to the log only.
        log.warning("readiness check failed: %s", exc)
        return f"unreachable: {type(exc).__name__}"


def _versions(engine: Engine) -> str:
    """``versions:<revision>,...`` (empty when there is no schema yet); raises when the
    database cannot be reached."""
    try:
        with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return "versions:" + ",".join(sorted(str(row) for row in rows))
    except DBAPIError:
        # No version table, or no database: a plain query tells which (it raises if down).
        with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            connection.execute(text("SELECT 1"))
        return "versions:"


def _ping(url: str, timeout: float) -> str:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"
