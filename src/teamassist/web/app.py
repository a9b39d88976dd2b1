"""The FastAPI application: REST API under /api/v1, dashboard pages, web chat, platform webhooks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from teamassist import __version__, domains
from teamassist.chat.api import router as chat_router
from teamassist.http import csrf, errors
from teamassist.http.render import LoginRequired
from teamassist.http.retry import RetryLostLockRaces
from teamassist.outbox.api import router as outbox_router
from teamassist.runtime import Runtime
from teamassist.web import pages

log = logging.getLogger(__name__)


def create_app(runtime: Runtime, *, start_background: bool = True) -> FastAPI:
    """Build the app around an assembled runtime.

    ``start_background`` runs the delivery worker and the embedded scheduler (off in tests that
    drive ticks by hand).
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = None
        if start_background:
            runtime.start_worker()
            if runtime.settings.scheduler.enabled:
                from apscheduler.schedulers.background import BackgroundScheduler

                scheduler = BackgroundScheduler(timezone="UTC")
                scheduler.add_job(
                    runtime.scheduler.tick,
                    "interval",
                    seconds=runtime.settings.scheduler.tick_seconds,
                    id="teamassist.tick",
                    max_instances=1,
                    coalesce=True,
                    misfire_grace_time=None,
                )
                scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=True)
            runtime.close()

    app = FastAPI(
        title="Team Assistant API",
        version=__version__,
        description="团队助理 REST API: a chat command and its endpoint share one service.",
        lifespan=lifespan,
        # One check for every unsafe request made with the dashboard's cookie (http.csrf).
        dependencies=[Depends(csrf.protect)],
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    app.state.nav = domains.dashboard_nav()
    secret = runtime.settings.web.secret_key
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret.get_secret_value() if secret else _ephemeral_secret(),
        session_cookie="teamassist_session",
        same_site="lax",
        https_only=runtime.settings.web.public_url.startswith("https://"),
    )
    app.add_middleware(RetryLostLockRaces)  # outside the session middleware: replays it too
    errors.install(app)

    @app.exception_handler(LoginRequired)
    async def _to_login(_request: Request, _exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    api = APIRouter(prefix="/api/v1")
    api.include_router(chat_router)
    api.include_router(outbox_router)
    for router in domains.api_routers():
        api.include_router(router)
    app.include_router(api)

    app.include_router(pages.router)
    for router in domains.dashboard_routers():
        app.include_router(router)
    for router in domains.webhook_routers(runtime):
        app.include_router(router)

    static = resources.files("teamassist") / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app


def _ephemeral_secret() -> str:
    import secrets

    log.warning("web.secret_key is not set: sign-ins will not survive a restart")
    return secrets.token_urlsafe(32)
