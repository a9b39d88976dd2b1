"""Every id a request carries (path, query, form, body) is an ``http.deps.Id``: one rule, in
one place, on every backend (tester s26 B-3: ``?team_id=2147483648`` answered 404 on SQLite
and 422 「超出了可以保存的范围」 on PostgreSQL; page routes took a plain ``int``)."""

from __future__ import annotations

import re
import typing
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from teamassist.database import MAX_STORED_ID
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from teamassist.web.lazy_routes import load_all_routes
from tests.conftest import load_demo
from tests.support.web import BROWSER, sign_in


def _id_like(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_ids"))


def _the_bound(metadata: Any) -> bool:
    """``Id``'s bound among ``metadata``: at most what the id columns hold."""
    return any(getattr(m, "le", None) == MAX_STORED_ID for m in metadata)


def _bounded(info: FieldInfo) -> bool:
    return _the_bound(info.metadata) or any(
        _bounded_type(arg) for arg in typing.get_args(info.annotation)
    )


def _bounded_type(annotation: Any) -> bool:
    """``list[Id]``, ``Id | None``: an ``Annotated`` inside carrying the bound."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _the_bound(annotation.__metadata__)
    return any(_bounded_type(arg) for arg in typing.get_args(annotation))


def _ints(annotation: Any) -> bool:
    if annotation is int:
        return True
    return any(_ints(arg) for arg in typing.get_args(annotation))


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _model_ids(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[tuple[str, bool]]:
    if model in seen:
        return []
    seen.add(model)
    found = []
    for name, info in model.model_fields.items():
        if _id_like(info.alias or name) and _ints(info.annotation):
            found.append((f"body.{info.alias or name}", _bounded(info)))
        for inner in _models(info.annotation):
            found.extend(_model_ids(inner, seen))
    return found


def _params(dependant: Dependant) -> list[tuple[str, Any]]:
    """The path, query and body parameters of a route and of all its dependencies."""
    found: list[tuple[str, Any]] = [
        *(("path", p) for p in dependant.path_params),
        *(("query", p) for p in dependant.query_params),
        *(("body", p) for p in dependant.body_params),
    ]
    for inner in dependant.dependencies:
        found.extend(_params(inner))
    return found


def route_ids(route: APIRoute) -> list[tuple[str, bool]]:
    """Each id-named integer a route reads, and whether it is bounded like ``Id``."""
    found: list[tuple[str, bool]] = []
    for where, param in _params(route.dependant):
        if True:
            info = param.field_info
            annotation = info.annotation
            if _id_like(param.alias) and _ints(annotation):
                found.append((f"{where}.{param.alias}", _bounded(info)))
            for model in _models(annotation):
                found.extend(_model_ids(model, set()))
    return found


def test_every_id_a_route_reads_is_bounded(sqlite_runtime: Runtime) -> None:
    app = create_app(sqlite_runtime, start_background=False)
    load_all_routes(app)
    loose = sorted(
        {
            (route.path, where)
            for route in app.router.routes
            if isinstance(route, APIRoute)
            for where, bounded in route_ids(route)
            if not bounded
        }
    )
    checked = [
        w for r in app.router.routes if isinstance(r, APIRoute) for w, b in route_ids(r) if b
    ]
    assert loose == [], "\n".join(f"{path} {where}" for path, where in loose)
    assert len(checked) > 100


BIG = 2**31  # one past the largest id an INTEGER column holds on PostgreSQL and MariaDB


def test_the_tester_s_requests_answer_alike_on_every_backend(runtime: Runtime) -> None:
    """Tester s26 B-3's requests: an id too large for the columns and one below 1 are refused
    alike, naming the parameter and the bound (422), on SQLite, PostgreSQL and MariaDB; a
    browser's form post goes back to its page saying so. (The large one was a generic 404
    「找不到「#2147483648」」 where an unused id gets the route's own words, and chat refuses
    it as no id: one rule now.)"""
    load_demo(runtime)
    with TestClient(create_app(runtime, start_background=False)) as client:
        token = sign_in(client)
        big_team = client.post(f"/api/v1/okr/objectives?team_id={BIG}", json={"title": "x"})
        big_parent = client.post(
            "/api/v1/okr/alignments?team_id=1",
            json={"child_type": "objective", "child_id": 1, "parent_id": BIG},
        )
        for answer, loc in ((big_team, ["query", "team_id"]), (big_parent, ["body", "parent_id"])):
            assert answer.status_code == 422, answer.text
            [detail] = answer.json()["details"]
            assert detail["loc"] == loc and detail["type"] == "less_than_equal", detail
            assert "不能大于 2147483647" in detail["msg"], detail
        for wrong in (0, -1):
            small = client.post(f"/api/v1/okr/objectives?team_id={wrong}", json={"title": "x"})
            assert small.status_code == 422, small.text
            assert small.json()["details"][0]["loc"] == ["query", "team_id"]
        flashes = []
        for wrong in (BIG, 0):
            moved = client.post(
                f"/meetings/{wrong}/move?team=1",
                data={"csrf_token": token, "day": "2026-06-10", "time": "10:00"},
                headers=BROWSER,
                follow_redirects=False,
            )
            assert moved.status_code == 303, moved.text
            shown = client.get(moved.headers["location"], headers=BROWSER).text
            flashes.append(re.findall(r'data-testid="flash"[^>]*>([^<]*)', shown))
        assert flashes[0] == flashes[1] and "「occurrence_id」" in flashes[0][0], flashes
        pair = client.post(
            f"/one-on-ones/1/meetings/{BIG}/cancel?team=1",
            data={"csrf_token": token},
            headers=BROWSER,
            follow_redirects=False,
        )
        assert pair.status_code == 303, pair.text
