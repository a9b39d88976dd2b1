"""Routers copied in as plain routes (web.flat_routes) serve what include_router serves; the
domains' routers (http.routes.Routes) are built once, on the app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from pydantic import BaseModel

from teamassist.http import routes
from teamassist.http.routes import Declared, Routes
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from teamassist.web.flat_routes import include_flat
from teamassist.web.lazy_routes import load_all_routes


async def _app_wide(request: Request) -> None:
    request.state.seen = [*getattr(request.state, "seen", []), "app"]


async def _router_wide(request: Request) -> None:
    request.state.seen = [*getattr(request.state, "seen", []), "router"]


class Item(BaseModel):
    """An item."""

    id: int
    name: str


def _tree(kind: type[APIRouter] = APIRouter) -> list[tuple[APIRouter, str]]:
    """Routers of ``kind`` shaped like the domains': a prefix, a nested router under it,
    schema-less pages, a router-wide dependency, a response model, a status code; with the
    prefix to include at."""
    items = kind(prefix="/items", tags=["items"], dependencies=[Depends(_router_wide)])

    @items.get("/{item_id}", response_model=Item)
    def get_item(item_id: int, request: Request) -> dict[str, Any]:
        """Read one item."""
        return {"id": item_id, "name": ",".join(request.state.seen), "extra": "dropped"}

    @items.post("", status_code=201)
    def add_item(item: Item) -> Item:
        return item

    settings = kind()

    @settings.get("/settings")
    def item_settings() -> dict[str, str]:
        return {"page": "settings"}

    items.include_router(settings)  # nested: /items/settings, after /items/{item_id}
    pages = kind(include_in_schema=False)
    screens = kind(prefix="/screens")

    @screens.get("/today")
    def today() -> dict[str, str]:
        return {"page": "today"}

    pages.include_router(screens)
    return [(items, "/api/v1"), (pages, "")]


def _app(flat: bool, kind: type[APIRouter] = APIRouter) -> FastAPI:
    app = FastAPI(dependencies=[Depends(_app_wide)])
    for router, prefix in _tree(kind):
        if flat:
            include_flat(app.router, router, prefix=prefix)
        else:
            app.include_router(router, prefix=prefix)
    return app


@pytest.mark.parametrize("kind", [APIRouter, Routes])
def test_flat_routes_serve_and_document_what_included_routers_do(kind: type[APIRouter]) -> None:
    # given the same routers included the FastAPI way, and copied in flat (plain routers) or
    # built flat from their declarations (Routes)
    nested, flat = _app(flat=False), _app(flat=True, kind=kind)
    # then the flat app holds only plain routes, and its OpenAPI document is the same
    served = [r for r in flat.router.routes if getattr(r, "path", "").startswith(("/api", "/s"))]
    assert [type(r) for r in served] == [APIRoute] * 4
    assert flat.openapi() == nested.openapi()
    # and every request is answered the same (order, dependencies, model, status, 404/405)
    with TestClient(nested) as before, TestClient(flat) as after:
        for method, path, body in [
            ("GET", "/api/v1/items/7", None),
            ("GET", "/api/v1/items/settings", None),  # the path parameter route comes first
            ("POST", "/api/v1/items", {"id": 1, "name": "a"}),
            ("POST", "/api/v1/items", {"id": "x"}),
            ("GET", "/screens/today", None),
            ("DELETE", "/screens/today", None),
            ("GET", "/items/7", None),
        ]:
            old = before.request(method, path, json=body)
            new = after.request(method, path, json=body)
            assert (new.status_code, new.json()) == (old.status_code, old.json()), path
    assert after.get("/api/v1/items/7").json() == {"id": 7, "name": "app,router"}


def test_a_router_with_a_mount_is_included_the_usual_way(tmp_path: Any) -> None:
    # given a router holding a static mount beside its routes
    router = APIRouter()
    router.mount("/files", StaticFiles(directory=str(tmp_path)), name="files")
    (tmp_path / "a.txt").write_text("hello")
    app = FastAPI()
    # when it is included flat
    include_flat(app.router, router, prefix="/x")
    # then FastAPI includes it (nothing copied), and it serves under the prefix
    assert not any(isinstance(r, APIRoute) for r in app.router.routes)
    assert TestClient(app).get("/x/files/a.txt").text == "hello"


def test_the_app_holds_no_nested_router(sqlite_runtime: Runtime) -> None:
    # given the assembled app, every route loaded
    app = create_app(sqlite_runtime, start_background=False)
    load_all_routes(app)
    # then every domain route sits on the app's router itself (what routing costs per request)
    kinds = {type(route).__name__ for route in app.router.routes}
    assert kinds == {"APIRoute", "Route", "Mount"}, kinds
    assert sum(isinstance(route, APIRoute) for route in app.router.routes) > 200


def test_a_router_with_a_lifespan_and_no_routes_still_starts_and_stops() -> None:
    # Given a router that only runs code at start-up and shutdown (as Feishu's long connection
    # does: flattening dropped it and the connection never started, CI of session 11)
    ran: list[str] = []

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        ran.append("start")
        yield
        ran.append("stop")

    app = FastAPI()
    include_flat(app.router, APIRouter(lifespan=lifespan))
    # When the app starts and stops, then its lifespan ran
    with TestClient(app):
        assert ran == ["start"]
    assert ran == ["start", "stop"]


def test_routes_declare_without_building_and_refuse_what_they_cannot_flatten() -> None:
    # given routers declared on Routes
    (items, _), (pages, _) = _tree(Routes)
    assert isinstance(items, Routes)
    # then they hold declarations only (nothing built), nested ones under the parent's prefix
    assert all(isinstance(r, Declared) for r in [*items.routes, *pages.routes])
    assert [(r.path, r.methods) for r in items.declared()] == [
        ("/items/{item_id}", {"GET"}),
        ("/items", {"POST"}),
        ("/items/settings", {"GET"}),
    ]
    # and including with arguments, or a plain router, is refused rather than half done
    with pytest.raises(TypeError):
        items.include_router(Routes(), prefix="/x")
    with pytest.raises(TypeError):
        items.include_router(APIRouter())


def test_the_app_builds_each_route_once(
    sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the domains' routers, imported: they hold declarations, no built route; no app
    # built before in this process (a later app copies the first's routes: see below)
    routes.forget_built()
    parts = sqlite_runtime.web
    for ref in [*parts.api, *parts.pages, *parts.public]:
        assert all(isinstance(r, Declared) for r in routes.load(ref).routes), ref
    built: list[APIRoute] = []
    build = APIRoute.__init__

    def counted(self: APIRoute, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        build(self, *args, **kwargs)

    monkeypatch.setattr(APIRoute, "__init__", counted)
    # When the app is built, every route loaded
    app = create_app(sqlite_runtime, start_background=False)
    load_all_routes(app)
    # Then every route it serves was built once, and nothing else was built (661 builds for
    # ~280 routes before session 12)
    served = [r for r in app.router.routes if isinstance(r, APIRoute)]
    assert len(served) > 200
    assert sorted(map(id, built)) == sorted(map(id, served))


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[APIRoute]:
    """The routes APIRoute builds from here on (each signature analysed, adapters made)."""
    built: list[APIRoute] = []
    build = APIRoute.__init__

    def counted(self: APIRoute, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        build(self, *args, **kwargs)

    monkeypatch.setattr(APIRoute, "__init__", counted)
    return built


def test_a_second_app_copies_the_first_apps_routes(
    sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one app of the product built, every route loaded, in a process that built none
    routes.forget_built()
    built = _counting(monkeypatch)
    first = create_app(sqlite_runtime, start_background=False)
    load_all_routes(first)
    served_first = [r for r in first.router.routes if isinstance(r, APIRoute)]
    assert len(built) == len(served_first) > 200
    # When a second app is built on the same runtime's settings
    built.clear()
    second = create_app(sqlite_runtime, start_background=False)
    load_all_routes(second)
    served = [r for r in second.router.routes if isinstance(r, APIRoute)]
    # Then only the app's own /docs route was built (its endpoint a closure over the app, as
    # are a platform's webhook routes when one is on)
    assert [r.path for r in built] == ["/docs"]
    # and each of its routes is its own object, bound to it, serving what the first's serves
    assert [(r.path, r.methods, r.name) for r in served] == [
        (r.path, r.methods, r.name) for r in served_first
    ]
    assert not {id(r) for r in served} & {id(r) for r in served_first}
    assert all(r.dependency_overrides_provider is second for r in served)
    assert all(r.dependency_overrides_provider is first for r in served_first)
    assert second.openapi() == first.openapi()


def _who() -> str:
    return "declared"


def _tagged_router() -> Routes:
    router = Routes(prefix="/who")

    @router.get("")
    def who(name: str = Depends(_who)) -> dict[str, str]:
        return {"name": name}

    return router


def test_copied_routes_take_their_own_apps_overrides_and_dependencies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given one declared route, built on a first app
    routes.forget_built()
    router = _tagged_router()
    built = _counting(monkeypatch)
    first, second = FastAPI(), FastAPI()
    include_flat(first.router, router)
    # When a second app of the same shape includes it, and overrides its dependency
    include_flat(second.router, router)
    second.dependency_overrides[_who] = lambda: "overridden"
    # Then it was built once, and each app answers with its own overrides
    assert len(built) == 1
    assert TestClient(first).get("/who").json() == {"name": "declared"}
    assert TestClient(second).get("/who").json() == {"name": "overridden"}
    # When an app with another app-wide dependency includes it, then it is built for that app
    third = FastAPI(dependencies=[Depends(_app_wide)])
    include_flat(third.router, router, prefix="/v2")
    assert len(built) == 2
    assert [r.path for r in third.routes if isinstance(r, APIRoute)] == ["/v2/who"]
    assert [d.dependency for d in third.routes[-1].dependencies] == [_app_wide]  # type: ignore[attr-defined]
    assert TestClient(third).get("/v2/who").json() == {"name": "declared"}


# FastAPI's own way, in a fresh interpreter: Routes behave as plain routers (each route built
# where declared, nested routers included by reference), the app includes them, and every
# dependency and field is analysed per route (no http.route_analysis).
_FASTAPI_WAY = """
import contextlib, json, sys
import fastapi
from teamassist.http import route_analysis, routes
route_analysis.shared_analysis = contextlib.nullcontext
routes.Routes.add_api_route = fastapi.APIRouter.add_api_route
routes.Routes.include_router = fastapi.APIRouter.include_router
from teamassist.web import app as web_app
web_app.include_flat = lambda app, router, prefix="": app.include_router(router, prefix=prefix)
from teamassist.web import lazy_routes
lazy_routes.include_flat = web_app.include_flat
from teamassist.bootstrap import build_runtime
from teamassist.config import Settings
runtime = build_runtime(Settings(database={"url": "sqlite://"}))
app = web_app.create_app(runtime, start_background=False)
print(json.dumps(app.openapi(), ensure_ascii=False))
runtime.close()
"""


def test_the_api_document_is_what_fastapi_includes_would_give(tmp_path: Path) -> None:
    # Given the product's app built FastAPI's way in a fresh interpreter
    env = {**os.environ, "TEAMASSIST_CONFIG": os.devnull}
    out = subprocess.run(
        [sys.executable, "-c", _FASTAPI_WAY],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=600,
    ).stdout
    # When it is built here, each declared route built once on the app
    from teamassist.bootstrap import build_runtime
    from teamassist.config import Settings

    runtime = build_runtime(Settings(database={"url": "sqlite://"}))
    try:
        app = create_app(runtime, start_background=False)
        ours = json.dumps(app.openapi(), ensure_ascii=False)
    finally:
        runtime.close()
    # Then the OpenAPI documents are the same, byte for byte
    assert len(ours) > 100_000
    assert ours == out.strip().splitlines()[-1]
