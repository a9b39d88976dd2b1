"""The app's routes beyond its core path, imported and built on first use.

A server has to answer from its first second: health, readiness and metrics, ``POST
/api/v1/chat``, the platforms' webhooks, ``/openapi.json`` and ``/docs``, ``/static``. The other
~40 routers (the domains' REST API, the dashboard and sign-in pages) cost a start about as much
again (session 15: their modules 6.2 MiB and ~0.2 CPU s, building their routes 7.8 MiB and
~0.35 s), and a server that only relays chat never uses them.

:class:`LazyRoutes` builds the core routers at start, in their place, and stands last in the
app's route list, matching every request nothing before it did (any method and path, 404s
and 405s included: a core route's path with another method is not decided until every route
is there). That first request imports and builds every other router, once, in the order an
eager app has them, into a new list that then replaces the app's whole list (a request in
flight keeps iterating the list it started with), and is routed again: the same matching
order, middlewares and error handlers as if the routes had been there from the start. A
failure while building leaves the core list in place, answers 500 (the app's error handler
logs it with an id) and the next request tries again.

Whatever lists the app's routes calls :func:`load_all_routes` first: ``/openapi.json`` does
(through ``app.openapi``), so do the form guard's page lookup (``web.form_errors``) and
``url_path_for``.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from teamassist.http import route_analysis, routes
from teamassist.web.flat_routes import include_flat

# The domains' routers on the core path, by the import path their descriptors give: built at
# start. Everything else in ``runtime.web.api/pages/public`` waits for its first request.
CORE_ROUTERS = frozenset({"teamassist.chat.api:router"})


@dataclass
class _Part:
    """One router in eager order: ``ref`` to load under ``prefix``, or its ``built`` routes."""

    ref: str
    prefix: str
    built: list[BaseRoute] | None = None


class LazyRoutes(BaseRoute):
    """The routers of ``plan`` (import path, prefix) on ``router``, the core ones (``core``)
    built now at the end of its routes, the others when a request needs them (see the module
    docstring). Routes the app adds after this keep their place after these.

    Put it last with :meth:`install` once the app's other routes are added."""

    def __init__(
        self,
        router: APIRouter,
        plan: Sequence[tuple[str, str]],
        core: frozenset[str] = CORE_ROUTERS,
    ) -> None:
        self._router = router
        self._parts = [_Part(ref, prefix) for ref, prefix in plan]
        self._start = len(router.routes)
        for part in self._parts:
            if part.ref in core:
                before = len(router.routes)
                include_flat(router, routes.load(part.ref), prefix=part.prefix)
                part.built = router.routes[before:]
        self._end = len(router.routes)
        self._lock = threading.Lock()
        self.loaded = False
        self.builds = 0  # attempts to build the rest (for tests: "built once")

    def install(self, app: FastAPI) -> None:
        """Stand last in ``app``'s routes; make ``app.openapi`` load every route first."""
        self._router.routes.append(self)
        schema = app.openapi

        def openapi() -> dict[str, Any]:
            self.load()
            return schema()

        app.openapi = openapi  # type: ignore[method-assign]
        app.state.lazy_routes = self

    def load(self) -> None:
        """Import and build every router not built yet and put the app's complete route list in
        place, once; the caller waits while another thread does it. Raises what building
        raised (nothing is changed then; the next call tries again)."""
        if self.loaded:
            return
        with self._lock:
            if self.loaded:
                return
            self.builds += 1
            self._router.routes = self._complete()
            self.loaded = True

    def _complete(self) -> list[BaseRoute]:
        """The app's routes as an eager build orders them, on a new list."""
        # A copy of the router builds with its prefix, dependencies (CSRF), route class and
        # dependency-override provider, onto its own list: the app's is not touched meanwhile.
        scratch = copy.copy(self._router)
        scratch.routes = []
        with route_analysis.shared_analysis():
            for part in self._parts:
                if part.built is not None:
                    scratch.routes.extend(part.built)
                else:
                    include_flat(scratch, routes.load(part.ref), prefix=part.prefix)
        current = self._router.routes
        after = [r for r in current[self._end :] if r is not self]
        return [*current[: self._start], *scratch.routes, *after]

    # -- as a route: the last one, matching whatever the core routes did not

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        return (Match.FULL, {}) if scope["type"] in ("http", "websocket") else (Match.NONE, {})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.loaded:
            # In a worker thread: the event loop goes on answering the core path meanwhile.
            await anyio.to_thread.run_sync(self.load)
        await self._router(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        self.load()
        return self._router.url_path_for(name, **path_params)


def load_all_routes(app: FastAPI) -> None:
    """Make ``app.routes`` every route the app serves (builds what waits for a first request);
    an app built without :class:`LazyRoutes` has them already."""
    lazy: LazyRoutes | None = getattr(app.state, "lazy_routes", None)
    if lazy is not None:
        lazy.load()


def plan(api: Sequence[str], pages: Sequence[str]) -> list[tuple[str, str]]:
    """The routers in the order the app matches them: the REST API under /api/v1, then the
    pages (dashboard and public)."""
    return [*((ref, "/api/v1") for ref in api), *((ref, "") for ref in pages)]
