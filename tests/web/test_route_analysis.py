"""Routes built inside http.route_analysis.shared_analysis reuse equal analyses and adapters,
and serve exactly what routes built the stock way serve."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import fastapi._compat.v2 as fastapi_v2
import fastapi.dependencies.utils as fastapi_deps
import fastapi.utils as fastapi_utils
import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel

from teamassist.http import route_analysis, routes
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from teamassist.web.lazy_routes import load_all_routes


class Out(BaseModel):
    """A response."""

    team: int
    page: int


def _team(team_id: int | None = None) -> int:
    """Shared by every route below: a path parameter where the path names it, else a query
    parameter with a default."""
    return team_id if team_id is not None else 7


TeamId = Annotated[int, Depends(_team)]


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/teams/{team_id}/a", response_model=Out)
    def in_path(team: TeamId, page: int = 1) -> Out:
        return Out(team=team, page=page)

    @app.get("/a", response_model=Out)
    def in_query(team: TeamId, page: int = 2) -> Out:
        return Out(team=team, page=page)

    @app.get("/b", response_model=Out)
    def bounded(team: TeamId, page: Annotated[int, Query(ge=5)] = 5) -> Out:
        return Out(team=team, page=page)

    @app.get("/teams/{team_id}/b", response_model=Out)
    def in_path_again(team: TeamId, page: int = 1) -> Out:
        return Out(team=team, page=page)

    return app


def _answers(app: FastAPI) -> list[tuple[int, object]]:
    client = TestClient(app)
    asked = ["/teams/3/a", "/teams/3/a?page=9", "/a", "/a?team_id=4", "/teams/x/a"]
    asked += ["/b", "/b?page=4", "/teams/5/b?team_id=1", "/a?page=x"]
    return [(r.status_code, r.json()) for r in map(client.get, asked)]


def test_shared_routes_serve_and_document_what_stock_routes_do() -> None:
    # Given the same routes built the stock way and inside shared_analysis
    stock = _app()
    with route_analysis.shared_analysis() as counts:
        shared = _app()
    # Then the shared dependency was analysed once per use of the path (in it, not in it) and
    # equal field types got one adapter
    assert counts.dependants == 2
    assert counts.dependants_reused == 2
    assert counts.adapters_reused >= 2
    # and every request gets the same answer, errors included, and the documents are equal
    assert _answers(shared) == _answers(stock)
    assert shared.openapi() == stock.openapi()
    # (the default of `page` differs per route, and /b's bound is its own)
    assert _answers(shared)[2] == (200, {"team": 7, "page": 2})
    assert _answers(shared)[6][0] == 422


def test_a_pydantic_v1_model_is_still_refused_in_a_shared_build() -> None:
    # FastAPI's check is asked only once pydantic.v1 is imported (a v1 model needs it)
    from fastapi.exceptions import PydanticV1NotSupportedError
    from pydantic import v1

    class Old(v1.BaseModel):
        name: str

    with route_analysis.shared_analysis(), pytest.raises(PydanticV1NotSupportedError):
        FastAPI().get("/old", response_model=Old)(lambda: {"name": "x"})


def test_fastapi_is_left_as_it_was_after_the_build() -> None:
    # Given FastAPI's globals before a build
    names = [(fastapi_deps, "get_dependant"), (fastapi_deps, "_get_signature")]
    names.append((fastapi_v2, "TypeAdapter"))
    names.append((fastapi_utils, "annotation_is_pydantic_v1"))
    before = [getattr(module, name) for module, name in names]
    # When routes are built inside shared_analysis, even one that fails
    try:
        with route_analysis.shared_analysis():
            _app()
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    # Then the globals are FastAPI's own again
    assert [getattr(module, name) for module, name in names] == before


def test_the_app_analyses_its_shared_dependencies_once(
    sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the product's app, its build's counts recorded, no app built before in this
    # process (a later app copies the first's routes: http.routes)
    routes.forget_built()
    seen: list[route_analysis.Analysis] = []
    shared = route_analysis.shared_analysis

    @contextmanager
    def recorded() -> Iterator[route_analysis.Analysis]:
        with shared() as counts:
            yield counts
        seen.append(counts)

    monkeypatch.setattr(route_analysis, "shared_analysis", recorded)
    # When it is built: the core path at start, the rest on first use (web.lazy_routes)
    load_all_routes(create_app(sqlite_runtime, start_background=False))
    # Then the ~14 shared dependencies were analysed a few times, not per route (3,587
    # analyses and 785 adapters for 281 routes before; session 13: 17 and 354)
    core, rest = seen
    counts = route_analysis.Analysis(
        *(getattr(core, f) + getattr(rest, f) for f in vars(core)),
    )
    assert counts.dependants < 40
    assert counts.dependants_reused > 1_000
    assert counts.adapters < 450
    assert counts.adapters_reused > 200
