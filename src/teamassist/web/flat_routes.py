"""Include the domains' routers as plain routes of the app, not as nested routers.

FastAPI 0.165 keeps an included router by reference and resolves its routes on each request:
every match walks the included-router tree to check that no route was added since
(``_get_routes_version``: 81 calls per request over this app's 73 inclusions) and matches
through one level per inclusion; each included route is also built a second time (its
"effective route") on first use. The app's routes never change after start-up, so
:func:`include_flat` copies each route onto the parent router once, as FastAPI did before
0.160: the same path, dependencies, tags and OpenAPI fields, matched in the same order.
Measured on ``POST /api/v1/chat`` ``/帮助`` (session 11, in-process): routing was ~7 % of a
command's CPU time before.

The domains' routers are :class:`teamassist.http.routes.Routes`: their routes are declared, not
built, so each is built here once. A plain router's routes are built already and are copied
(built a second time); only the platforms' webhook routers, a handful of routes, are plain.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from teamassist.http.routes import Routes, keep_lifespan


def include_flat(parent: APIRouter, router: APIRouter, *, prefix: str = "") -> None:
    """Add every route of ``router`` (and of the routers it includes) to ``parent`` under
    ``prefix``, as ``parent.include_router(router, prefix=prefix)`` would serve them.

    ``parent``'s own prefix, tags, dependencies and schema flag apply as in
    ``include_router`` (through ``parent.add_api_route``). A router holding anything but
    FastAPI routes and included routers (a mount, a websocket, a plain Starlette route) is
    included the usual way instead. ``router`` itself is left as it was.
    """
    if isinstance(router, Routes):
        for declared in router.declared():
            declared.build_on(parent, prefix)
        keep_lifespan(parent, router)
        return
    routes = _api_routes(router)
    if routes is None:
        parent.include_router(router, prefix=prefix)
        return
    for route in routes:
        _copy(parent, route, prefix)
    keep_lifespan(parent, router)


def _api_routes(router: APIRouter) -> list[APIRoute] | None:
    """``router``'s routes in matching order, nested inclusions flattened into it; None when
    one of them is not an :class:`APIRoute` (or an inclusion FastAPI adds arguments to)."""
    found: list[APIRoute] = []
    for route in router.routes:
        if isinstance(route, APIRoute):
            found.append(route)
            continue
        child = _included(router, route)
        if child is None:
            return None
        nested = _api_routes(child)
        if nested is None:
            return None
        # what router.include_router(child) gave: router's prefix, tags, dependencies, ...
        holder = APIRouter(
            prefix=router.prefix,
            tags=list(router.tags),
            dependencies=list(router.dependencies),
            responses=dict(router.responses),
            callbacks=list(router.callbacks),
            deprecated=router.deprecated,
            include_in_schema=router.include_in_schema,
            default_response_class=router.default_response_class,
            generate_unique_id_function=router.generate_unique_id_function,
            strict_content_type=router.strict_content_type,
            max_body_size=router.max_body_size,
        )
        for inner in nested:
            _copy(holder, inner, "")
        found.extend(r for r in holder.routes if isinstance(r, APIRoute))
    return found


def _included(router: APIRouter, route: BaseRoute) -> APIRouter | None:
    """The router a plain ``router.include_router(child)`` (no arguments) put here, else None.

    FastAPI records the inclusion's context: ``router``'s own prefix, tags, dependencies, ...
    combined with the arguments; with no arguments it is ``router``'s settings alone."""
    child = getattr(route, "original_router", None)
    context = getattr(route, "include_context", None)
    if not isinstance(child, APIRouter) or context is None:
        return None
    plain = (
        context.prefix == router.prefix
        and list(context.tags) == list(router.tags)
        and list(context.dependencies) == list(router.dependencies)
        and dict(context.responses) == dict(router.responses)
        and list(context.callbacks) == list(router.callbacks)
        and bool(context.deprecated) == bool(router.deprecated)
        and context.include_in_schema == router.include_in_schema
        and context.max_body_size == router.max_body_size
        and not context.form_limits
    )
    return child if plain and not child.form_limits and not router.form_limits else None


def _copy(parent: APIRouter, route: APIRoute, prefix: str) -> None:
    parent.add_api_route(
        prefix + route.path,
        route.endpoint,
        response_model=route.response_model,
        status_code=route.status_code,
        tags=list(route.tags),
        dependencies=list(route.dependencies),
        summary=route.summary,
        description=route.description,
        response_description=route.response_description,
        responses=dict(route.responses),
        deprecated=route.deprecated,
        methods=route.methods,
        operation_id=route.operation_id,
        response_model_include=route.response_model_include,
        response_model_exclude=route.response_model_exclude,
        response_model_by_alias=route.response_model_by_alias,
        response_model_exclude_unset=route.response_model_exclude_unset,
        response_model_exclude_defaults=route.response_model_exclude_defaults,
        response_model_exclude_none=route.response_model_exclude_none,
        include_in_schema=route.include_in_schema,
        response_class=route.response_class,
        name=route.name,
        route_class_override=type(route),
        callbacks=list(route.callbacks or []),
        openapi_extra=route.openapi_extra,
        generate_unique_id_function=route.generate_unique_id_function,
        strict_content_type=route.strict_content_type,
        max_body_size=route.max_body_size,
        form_limits=route.form_limits,
    )
