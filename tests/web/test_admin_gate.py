"""Issue 11, found by a tester: a member who is no admin got 422 for a bad body on an admin
route (the body was validated before the handler's ``require_admin``), which told them the
route's shape. Admin routes now declare the admin gate, which runs before the body is parsed:
the walk below sends every gated route a malformed body, as a member (403, the one error shape)
and as an admin (422: validation, not permission). Every REST handler that calls an admin check
unconditionally must carry the gate."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from teamassist.http.admin import admin_gate
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from teamassist.web.lazy_routes import load_all_routes
from tests.conftest import load_demo
from tests.support.web import sign_in
from tests.web.test_member_scope import Walked, _walk, member_client

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# A handler that refuses non-admins before doing anything (4-space indent: not in a branch).
_UNCONDITIONAL = re.compile(r"^    (require_admin|_require_admin|require_people_admin)\(", re.M)


def _gated(route: Walked) -> bool:
    return any(d.dependency is admin_gate for d in route.dependencies)


def api_routes(runtime: Runtime) -> list[tuple[str, str, Walked]]:
    found = []
    for router in runtime.web.api:
        for path, route in _walk(router):
            for method in sorted(route.methods or ()):
                found.append((method, "/api/v1" + path, route))
    return found


@pytest.fixture
def demo_app(sqlite_runtime: Runtime) -> Runtime:
    load_demo(sqlite_runtime)
    return sqlite_runtime


def test_every_unconditional_admin_handler_is_gated(demo_app: Runtime) -> None:
    ungated = [
        (method, path)
        for method, path, route in api_routes(demo_app)
        if _UNCONDITIONAL.search(inspect.getsource(route.endpoint)) and not _gated(route)
    ]
    assert ungated == []
    assert len([r for r in api_routes(demo_app) if _gated(r[2])]) >= 25


def test_a_member_gets_403_before_the_body_and_an_admin_422(demo_app: Runtime) -> None:
    with demo_app.factory() as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        team_id = team_service.default_team(session, workspace_id=ws.id).id
    member = member_client(demo_app, "wangwu")
    app = create_app(demo_app, start_background=False)
    load_all_routes(app)
    admin = TestClient(app)
    sign_in(admin)
    built = {
        (m, r.path): r
        for r in app.router.routes
        if isinstance(r, APIRoute)
        for m in r.methods or ()
    }
    gated = [(m, p, r) for m, p, r in api_routes(demo_app) if _gated(r)]
    assert gated
    checked = 0
    for method, path, _route in gated:
        url = path.replace("{team_id}", str(team_id))
        url = re.sub(r"\{day\}", "2026-06-01", url)
        url = re.sub(r"\{[a-z_]+\}", "1", url)
        has_body = built[method, path].body_field is not None
        bad: dict[str, Any] = {"json": {"no such field": ["x"] * 3}} if has_body else {}
        refused = member.request(method, url, **bad)
        assert refused.status_code == 403, (method, path, refused.status_code, refused.text)
        assert refused.json()["error"] == "core.error.forbidden", (method, path)
        if has_body:
            invalid = admin.request(method, url, **bad)
            assert invalid.status_code == 422, (method, path, invalid.status_code, invalid.text)
            checked += 1
    assert checked >= 15
