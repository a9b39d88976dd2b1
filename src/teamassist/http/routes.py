"""Routers that declare their routes and leave building them to the app, which builds each once.

FastAPI builds a route in ``add_api_route``: it inspects the endpoint's and every dependency's
signature (evaluating string annotations), and makes a pydantic adapter per parameter and
response. The domains' routers built their ~330 routes when their modules were imported, and
:func:`teamassist.web.flat_routes.include_flat` built each a second time on the app, under its
prefix and the app's dependencies: 661 builds, ~2.8 s of an 11.5 s start-up profile (session 12,
cProfile of import, runtime and app). A :class:`Routes` router records what it would build, with
its own prefix, tags, dependencies, responses ... applied by FastAPI's own code, and the app
builds each route once. A process that never serves HTTP (worker, beat, CLI) builds none.

Domain descriptors name their routers by import path (``"teamassist.duty.api:router"``), read
with :func:`load` by the web app only, so those processes do not import the router modules either.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from enum import Enum
from functools import partial
from importlib import import_module
from typing import Any, cast

import fastapi.routing
from fastapi import APIRouter, params
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

# The argument route classes take and add_api_route does not: the including router sets it.
_NOT_FOR_ADD = ("dependency_overrides_provider",)
# How APIRoute.__init__ ends: its ASGI handler made from get_route_handler. If FastAPI stops
# naming these, every route is built as before (tests/web/test_flat_routes.py then fails).
_request_response = getattr(fastapi.routing, "request_response", None)
_with_body_limit = getattr(fastapi.routing, "wrap_app_with_body_limit", None)
# Declared route -> (path, the route class's arguments but the provider) and the route built
# from them, its provider and handler removed: the templates later apps' routes copy.
_built: dict[Declared, list[tuple[tuple[str, dict[str, Any]], APIRoute]]] = {}


class Declared(BaseRoute):
    """One declared route: the arguments its route class is to be built with (``path`` has the
    declaring router's prefix, ``options`` its merged tags, dependencies, responses ...). Only
    the route built from it serves: asked to match a request, it raises RuntimeError (its
    router was included with FastAPI's ``include_router`` instead of ``include_flat``)."""

    def __init__(
        self,
        path: str,
        *,
        route_class: type[APIRoute],
        endpoint: Callable[..., Any],
        **options: Any,
    ) -> None:
        self.path = path
        self.route_class = route_class
        self.endpoint = endpoint
        self.options = options

    @property
    def methods(self) -> set[str]:
        """The HTTP methods, upper case, as the built route will have them (GET when none)."""
        return {m.upper() for m in self.options.get("methods") or ["GET"]}

    @property
    def dependencies(self) -> list[params.Depends]:
        """The route's dependencies, the declaring router's first."""
        return list(self.options.get("dependencies") or [])

    @property
    def tags(self) -> list[str | Enum]:
        return list(self.options.get("tags") or [])

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        raise RuntimeError(f"{self.path} is declared, not built: include it with include_flat")

    def build_on(self, parent: APIRouter, prefix: str = "") -> None:
        """Add the route to ``parent`` under ``prefix``, as ``parent.add_api_route`` (its own
        prefix, tags, dependencies ... first): the one time it is built when ``parent`` is a
        plain router, another declaration when it is a :class:`Routes`."""
        options = {k: v for k, v in self.options.items() if k not in _NOT_FOR_ADD}
        reusable = (
            not isinstance(parent, Routes)
            and self.route_class is APIRoute
            and _request_response is not None
            and _with_body_limit is not None
        )
        route_class = cast(type[APIRoute], self._route) if reusable else self.route_class
        parent.add_api_route(
            prefix + self.path, self.endpoint, route_class_override=route_class, **options
        )

    def _route(self, path: str, **arguments: Any) -> APIRoute:
        """The route ``APIRoute(path, **arguments)`` builds: a copy of an equal one built
        before in this process, or built now (and kept as a template)."""
        provider = arguments.pop("dependency_overrides_provider", None)
        key = (path, arguments)
        for built_key, template in tuple(_built.get(self, ())):
            if _equal(built_key, key):
                return _bound(template, provider)
        route = APIRoute(path, dependency_overrides_provider=provider, **arguments)
        template = copy.copy(route)
        template.dependency_overrides_provider = None  # a template holds no app alive
        del template.app  # its handler reads the provider: each copy makes its own
        _built.setdefault(self, []).append((key, template))
        return route


def _equal(a: Any, b: Any) -> bool:
    """Whether two builds' arguments are equal (an argument that cannot compare: not)."""
    try:
        return bool(a == b)
    except Exception:
        return False


def _bound(template: APIRoute, provider: Any) -> APIRoute:
    """A copy of ``template`` serving with ``provider``'s dependency overrides, as
    ``APIRoute.__init__`` would have made it: its own handler, its own lists and dicts."""
    assert _request_response is not None and _with_body_limit is not None
    route = copy.copy(template)
    route.dependency_overrides_provider = provider
    route.tags = list(template.tags)
    route.dependencies = list(template.dependencies)
    route.responses = dict(template.responses)
    route.callbacks = list(template.callbacks) if template.callbacks is not None else None
    route.methods = set(template.methods or ())
    route.app = _with_body_limit(_request_response(route.get_route_handler()), route.max_body_size)
    return route


def forget_built() -> None:
    """Build every route anew from here on (for tests that count builds)."""
    _built.clear()


class Routes(APIRouter):
    """An ``APIRouter`` whose routes are :class:`Declared`, built once where it is included
    (:func:`teamassist.web.flat_routes.include_flat`). Declare routes on it as on any router
    (``@router.get(...)``, ``add_api_route``); it includes only other :class:`Routes`, with no
    arguments (give the child its own prefix)."""

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        route_class_override: type[APIRoute] | None = None,
        **options: Any,
    ) -> None:
        # FastAPI's add_api_route merges this router's settings into the route's and calls the
        # route class with the result: record that call instead of building.
        record = partial(Declared, route_class=route_class_override or self.route_class)
        super().add_api_route(
            path, endpoint, route_class_override=cast(type[APIRoute], record), **options
        )

    def include_router(self, router: APIRouter, **arguments: Any) -> None:
        """Declare ``router``'s routes here, as a plain ``include_router(router)`` serves them;
        its start-up handlers and lifespan run with this router's.

        Raises TypeError for arguments or a router that is not a :class:`Routes`."""
        if arguments or not isinstance(router, Routes):
            raise TypeError("a Routes includes another Routes, with no arguments")
        for route in router.declared():
            route.build_on(self)
        keep_lifespan(self, router)

    def declared(self) -> list[Declared]:
        """The routes in matching order."""
        return [r for r in self.routes if isinstance(r, Declared)]


def keep_lifespan(parent: APIRouter, router: APIRouter) -> None:
    """What ``include_router`` does besides the routes: ``router``'s start-up and shutdown
    handlers and its lifespan (already merged with those of the routers it includes) run with
    ``parent``'s. Feishu's long connection is a router with a lifespan and no routes: copying
    the routes alone left it unconnected."""
    for handler in router.on_startup:
        parent.add_event_handler("startup", handler)
    for handler in router.on_shutdown:
        parent.add_event_handler("shutdown", handler)
    parent.lifespan_context = fastapi.routing._merge_lifespan_context(
        parent.lifespan_context, router.lifespan_context
    )


def load(ref: str) -> APIRouter:
    """The router a descriptor names as ``"package.module:attribute"``, its module imported now.

    Raises ImportError or AttributeError for a name that does not exist, TypeError when it is
    not a router."""
    module, _, attribute = ref.partition(":")
    router = getattr(import_module(module), attribute or "router")
    if not isinstance(router, APIRouter):
        raise TypeError(f"{ref} is not an APIRouter")
    return router


def load_all(refs: Sequence[str]) -> list[APIRouter]:
    return [load(ref) for ref in refs]
