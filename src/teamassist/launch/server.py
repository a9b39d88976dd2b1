"""``teamassist serve``: the settings with the listener, the socket bound first, the runtime and
the app built with the garbage collector held back, then uvicorn.

Typer-free: :mod:`teamassist.__main__` calls :func:`serve` for a plain ``serve`` command line,
and the Typer command of :mod:`teamassist.cli.core` calls the same function.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from teamassist.launch.build import build
from teamassist.launch.refusal import fail
from teamassist.launch.schema import require_schema
from teamassist.launch.settings import load

if TYPE_CHECKING:
    from fastapi import FastAPI

    from teamassist.config import Settings


def serve(host: str | None = None, port: int | None = None) -> None:
    """Serve the dashboard, web chat, REST API and platform webhooks on ``host``:``port``
    (None: the settings'), until uvicorn is stopped; a refusal is one line and an exit code
    (2 settings, 3 database or port)."""
    import uvicorn

    from teamassist.config import listener_url
    from teamassist.launch import listener

    # The settings import pydantic: inside the block too (a full collection ran there once
    # Typer no longer imported it first).
    with start_collector():
        settings = serve_settings(host, port)
        require_schema(settings)  # an unreachable database is said whatever the port
        # Bound before the runtime starts: a taken port is said at once, not after the start.
        sock = listener.bind(settings.web.host, settings.web.port)
        web_app = serve_app(settings)
    config = uvicorn.Config(
        web_app,
        host=settings.web.host,
        port=settings.web.port,
        proxy_headers=True,
        forwarded_allow_ips=settings.web.forwarded_allow_ips,
        limit_concurrency=connection_limit(settings),
        log_level=settings.log_level.lower(),
        log_config=None,  # uvicorn's lines go through logs.configure() (text or JSON)
    )
    # uvicorn says where it listens only for sockets it binds itself.
    logging.getLogger("uvicorn.error").info(
        "listening on %s (Press CTRL+C to quit)",
        listener_url(settings.web.host, settings.web.port),
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        # The template render host (started by the first report or plan render) goes with the
        # runtime, not later at the interpreter's exit.
        from teamassist import documents

        documents.stop_sandbox()


def connection_limit(settings: Settings) -> int | None:
    """uvicorn's ``limit_concurrency`` from ``web.max_connections``: None (no limit) for 0,
    the default. uvicorn counts every open connection, idle ones and ones still sending their
    headers too, and has no header timeout: with 1,000 as the default, 1,010 anonymous
    sockets sending a header line every 10 s made every request of everyone a bare 503 for as
    long as they stayed (tester s29 G-7). Stalled and trickling bodies are bounded by the app
    (``http.body_limit``); a limit here is for a proxy in front that times out headers."""
    return settings.web.max_connections or None


def assemble(host: str | None, port: int | None) -> tuple[Settings, FastAPI]:
    """The settings and the app ``serve`` runs, or a refusal (exit 2); what they loaded is
    moved out of the garbage collector's reach (:func:`start_collector`)."""
    with start_collector():
        settings = serve_settings(host, port)
        return settings, serve_app(settings)


@contextmanager
def start_collector() -> Iterator[None]:
    """Collect garbage as usual while the block runs, except for full collections; at its end,
    collect the young generations and freeze what survives.

    The start makes ~190,000 objects that live as long as the process (modules, mappers,
    routes, adapters): each full collection walks all made so far, and three ran during a
    start, plus the one before the freeze: 0.3-0.6 s in-process at load 7 (a third of that
    quiet). With the young generations still running, that last full collection found nothing
    (0 objects, SQLite install, 2026-12-02), so it is left out too; the start's short-lived
    cycles are freed as before (turning the collector off instead left 1.6 MiB more resident).
    Frozen objects are never walked again: that takes most GC pauses out of the p99.
    """
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, _NO_FULL_COLLECTION)
    try:
        yield
        gc.collect(1)
        gc.freeze()
    finally:
        gc.set_threshold(young, middle, full)


# A generation-2 threshold the start never reaches: it counts generation-1 collections, of
# which a start makes ~40.
_NO_FULL_COLLECTION = 1_000_000


_MAX_PORT = 65535  # TCP ports are 16-bit (RFC 793); 0 asks the system for any


def serve_settings(host: str | None, port: int | None) -> Settings:
    """The settings of ``serve`` with its listener, or a refusal (exit 2)."""
    from teamassist.workers import mode as workers_mode

    settings = load()
    if port is not None and not 1 <= port <= _MAX_PORT:
        # 99999 ended in an OverflowError traceback, 0 served quietly on the configured port
        # (tester F3, session 21); web.port has the same bounds
        fail(f"--port 应为 1–{_MAX_PORT} 之间的整数 / must be 1–{_MAX_PORT}: {port}", code=2)
    settings.web.listen(host, port)  # before the runtime: chat replies carry the public URL
    exposure = settings.web.demo_exposure()
    if exposure is not None:
        fail(f"refusing to serve: {exposure}", code=2)
    if workers_mode.enabled(settings):
        try:
            workers_mode.check(settings)
        except workers_mode.ScaleOutRefused as exc:
            fail(str(exc), code=2)
    return settings


def serve_app(settings: Settings) -> FastAPI:
    """The runtime and the app of ``serve``."""
    from teamassist import logs
    from teamassist.team.setup_pages import announce_setup
    from teamassist.web.app import create_app
    from teamassist.workers import mode as workers_mode

    scaled_out = workers_mode.enabled(settings)
    runtime = build(settings)
    logs.configure(settings.log_level, settings.log_format)
    if scaled_out:
        # Workers deliver and run the jobs; this replica only asks them to after its commits.
        from teamassist.workers import celery_app

        runtime.kicker.worker = celery_app.Nudger(celery_app.make_celery(settings), runtime)
    web_app = create_app(runtime, start_background=not scaled_out)
    announce_setup(web_app)  # a fresh install: the one-time /setup link goes to the log
    return web_app
