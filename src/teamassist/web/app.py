"""The FastAPI application: REST API under /api/v1, dashboard pages, web chat, platform webhooks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.abc import Traversable

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from teamassist import __version__
from teamassist.http import csrf, errors, query, route_analysis
from teamassist.http.body_limit import BodyLimit
from teamassist.http.render import LoginRequired, make_templates
from teamassist.http.request_id import RequestId
from teamassist.http.retry import RetryLostLockRaces
from teamassist.runtime import Runtime
from teamassist.web import form_errors, health, metrics_endpoint, security_headers
from teamassist.web.chat_fast_path import ChatFastPath
from teamassist.web.flat_routes import include_flat
from teamassist.web.lazy_routes import LazyRoutes, plan

log = logging.getLogger(__name__)

SWAGGER = "/static/vendor/swagger-ui"  # copied from npm's swagger-ui-dist by `make vendor`


def create_app(runtime: Runtime, *, start_background: bool = True) -> FastAPI:
    """Build the app around an assembled runtime; what it mounts comes from ``runtime.web``
    (gathered from the domains and platforms by ``teamassist.bootstrap``).

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
            app.state.readiness.close()
            runtime.close()

    app = FastAPI(
        title="Team Assistant API",
        version=__version__,
        description="团队助理 REST API: a chat command and its endpoint share one service.",
        lifespan=lifespan,
        # One check for every unsafe request made with the dashboard's cookie (http.csrf), and
        # one rule for every REST read's query (http.query).
        dependencies=[Depends(csrf.protect), Depends(query.api_query_rule)],
        # /docs is served below from the vendored Swagger UI (no CDN); ReDoc has no offline copy.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    app.state.readiness = health.Readiness(runtime.domains)
    app.state.outbox_gauges = metrics_endpoint.OutboxGauges(runtime)
    parts = runtime.web
    app.state.nav = list(parts.nav)
    app.state.templates = make_templates(parts.templates)
    secret = runtime.settings.web.secret_key
    # Inside the session middleware: a refused form's reason is flashed in the session.
    app.add_middleware(form_errors.FormBodyLimit, limit=runtime.settings.web.max_form_bytes)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret.get_secret_value() if secret else _ephemeral_secret(runtime),
        session_cookie="teamassist_session",
        same_site="lax",
        https_only=runtime.settings.web.public_url.startswith("https://"),
    )
    # A script's chat request skips the session, the routing and the dependency solving.
    app.add_middleware(ChatFastPath)
    app.add_middleware(RetryLostLockRaces)  # outside the session middleware: replays it too
    errors.install(app)  # with its JSON guard, which reads a JSON body whole
    security_headers.cover_crashes(app)  # the 500 page is sent from outside the middleware
    form_errors.install(app)  # a refused dashboard form goes back to its page with the reason
    # Outside every layer that reads a body (the JSON guard, the retry layer buffer it whole;
    # tester s28 D-5, E-2): added after them, so it runs before them.
    app.add_middleware(
        BodyLimit,
        body_bytes=runtime.settings.web.max_body_bytes,
        upload_bytes=runtime.settings.web.max_upload_bytes,
        buffered_bytes=runtime.settings.web.max_buffered_body_bytes,
        read_timeout=runtime.settings.web.body_read_timeout_seconds,
        client_bytes=runtime.settings.web.max_buffered_body_bytes_per_client,
        deadline=runtime.settings.web.body_deadline_seconds,
    )
    app.add_middleware(RequestId)  # outermost of ours: every log line of the request has it
    # outside the error handlers too: an error page is a page
    app.add_middleware(security_headers.ContentSecurityPolicy)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """The API docs, working offline: Swagger UI vendored from npm like htmx and Chart.js."""
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} · docs",
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
            # the default validator badge is fetched from validator.swagger.io
            swagger_ui_parameters={"validatorUrl": None},
        )
        return security_headers.with_script_hashes(page)

    @app.exception_handler(LoginRequired)
    async def _to_login(_request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(exc.location, status_code=303)

    # Copied in as plain routes, not nested routers: see teamassist.web.flat_routes. Shared
    # dependencies and field types analysed once: see teamassist.http.route_analysis.
    with route_analysis.shared_analysis():
        include_flat(app.router, health.router)
        include_flat(app.router, metrics_endpoint.router)
        # The core path's routers now, the others on the first request that needs them:
        # see teamassist.web.lazy_routes.
        lazy = LazyRoutes(app.router, plan(parts.api, [*parts.pages, *parts.public]))
        for build in parts.webhooks:
            include_flat(app.router, build())
    app.mount("/static", _static_files(parts.static), name="static")
    lazy.install(app)
    return app


def _static_files(folders: Sequence[Traversable]) -> StaticFiles:
    """One ``/static`` mount that looks in every domain's ``static/`` folder, in domain order.

    One mount rather than ``/static/<key>/`` per domain keeps every asset URL as it was (pages,
    bookmarks and browser caches), and the shell's vendored scripts serve every domain. Two
    domains shipping the same file name is refused at start-up instead of shadowing silently.
    """
    seen: dict[str, Traversable] = {}
    for folder in folders:
        for path in _files(folder):
            if path in seen:
                raise ValueError(f"static file {path!r} is shipped by two domains")
            seen[path] = folder
    files = StaticFiles(directory=str(folders[0]) if folders else None, check_dir=False)
    files.all_directories = [str(folder) for folder in folders]
    return files


def _files(folder: Traversable, prefix: str = "") -> list[str]:
    found: list[str] = []
    for item in folder.iterdir():
        name = f"{prefix}{item.name}"
        found.extend(_files(item, f"{name}/") if item.is_dir() else [name])
    return found


def _ephemeral_secret(runtime: Runtime) -> str:
    import secrets

    if runtime.settings.scale_out.redis_url:
        log.error(
            "web.secret_key is not set in scale-out mode: a sign-in holds only on the replica "
            "that made it; give every replica the same TEAMASSIST_WEB__SECRET_KEY"
        )
    else:
        log.warning("web.secret_key is not set: sign-ins will not survive a restart")
    return secrets.token_urlsafe(32)
