"""Issue 9 (cold start, idle RSS): the app starts with its core path built and builds the other
routers on the first request that needs them (``teamassist.web.lazy_routes``). A freshly made
app must answer every request as an app with all its routes from the start does."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import SecretStr

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from teamassist.web.lazy_routes import CORE_ROUTERS, LazyRoutes, load_all_routes
from tests.conftest import load_demo, make_runtime
from tests.support.server import serve
from tests.support.web import BROWSER

TOKEN = "lazy-routes-root-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def demo(sqlite_url: str, clock: object) -> Iterator[Runtime]:
    """The demo workspace in demo mode (pages sign in as the admin) with a root API token."""
    runtime = make_runtime(
        sqlite_url,
        clock,  # type: ignore[arg-type]
        web={"demo_mode": True, "api_token": SecretStr(TOKEN)},
    )
    load_demo(runtime)
    yield runtime
    runtime.close()


def _fresh(runtime: Runtime) -> FastAPI:
    return create_app(runtime, start_background=False)


def _eager(runtime: Runtime) -> FastAPI:
    app = create_app(runtime, start_background=False)
    load_all_routes(app)
    return app


def _lazy(app: FastAPI) -> LazyRoutes:
    lazy = app.state.lazy_routes
    assert isinstance(lazy, LazyRoutes)
    return lazy


class _Answered(Protocol):
    """A response of TestClient or httpx."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...


def _answer(response: _Answered) -> tuple[int, str]:
    # A page's form token is the session's own; everything else must be the same.
    return response.status_code, re.sub(
        r'(csrf-token" content=|"X-CSRF-Token": |name="csrf_token" value=)"[^"]*"',
        "",
        response.text,
    )


def test_a_fresh_app_has_its_core_path_only(demo: Runtime) -> None:
    # Given a freshly made app and one with every route
    fresh, eager = _fresh(demo), _eager(demo)
    paths = {getattr(r, "path", None) for r in fresh.router.routes}
    # Then the fresh one has the core path: health, chat, webhooks, docs, static
    assert {"/healthz", "/readyz", "/api/v1/chat", "/openapi.json", "/docs", "/static"} <= paths
    assert not {"/api/v1/members", "/login", "/"} & paths
    assert len(fresh.router.routes) < len(eager.router.routes) / 4
    assert _lazy(fresh).builds == 0


def test_first_requests_answer_as_with_every_route_built(demo: Runtime) -> None:
    requests = [
        ("GET", "/api/v1/members", BEARER),  # a domain's REST route
        ("GET", "/duty", {}),  # a dashboard page
        ("GET", "/", {}),
        ("GET", "/no-such-page", {}),  # 404
        ("GET", "/api/v1/no-such-thing", BEARER),  # 404 under the API
        ("DELETE", "/api/v1/members", BEARER),  # 405 on a lazy route
        ("GET", "/api/v1/chat", BEARER),  # 405 on a core route's path
        ("GET", "/api/v1/members/", BEARER),  # a trailing slash: the redirect
    ]
    with TestClient(_eager(demo)) as client:
        expected = [
            _answer(client.request(m, p, headers=h, follow_redirects=False)) for m, p, h in requests
        ]
    assert [status for status, _ in expected] == [200, 200, 200, 404, 404, 405, 405, 307]
    for index, (method, path, headers) in enumerate(requests):
        # Given a freshly made app whose first request is this one
        app = _fresh(demo)
        with TestClient(app) as client:
            # When it is sent
            answer = client.request(method, path, headers=headers, follow_redirects=False)
            # Then it answers as the app with every route did, having built them once
            assert _answer(answer) == expected[index], (method, path)
            assert _lazy(app).builds == 1


def test_core_path_answers_without_building_the_rest(demo: Runtime) -> None:
    app = _fresh(demo)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        chat = client.post("/api/v1/chat", json={"text": "/我是谁"}, headers=BEARER)
        assert chat.status_code == 200 and chat.json()["handled"] is True
        assert client.get("/docs").status_code == 200
        assert client.get("/static/vendor/htmx.min.js").status_code in (200, 404)
    assert _lazy(app).builds == 0


def test_openapi_of_a_fresh_app_lists_every_route(demo: Runtime) -> None:
    eager = _eager(demo)
    with TestClient(eager) as client:
        expected = client.get("/openapi.json").json()
    app = _fresh(demo)
    with TestClient(app) as client:
        schema = client.get("/openapi.json").json()
    assert len(schema["paths"]) > 100
    assert schema == expected
    # and the routes in the same matching order as the eager app's
    assert [_key(r) for r in app.router.routes] == [_key(r) for r in eager.router.routes]


def test_a_too_large_form_first_goes_back_to_the_page_an_eager_app_finds(demo: Runtime) -> None:
    # A body over web.max_form_bytes is refused before routing, back to the nearest page that
    # answers GET: that lookup must see every route, not the core path and the last route.
    def refused(app: FastAPI) -> str:
        with TestClient(app) as client:
            sent = client.post(
                "/duty/no-such-form",
                data={"body": "x" * 1_100_000},
                headers=BROWSER,
                follow_redirects=False,
            )
        assert sent.status_code == 303
        return sent.headers["location"]

    assert refused(_fresh(demo)) == refused(_eager(demo)) == "/duty"


def _key(route: object) -> tuple[str, str]:
    methods = sorted(getattr(route, "methods", None) or [])
    return getattr(route, "path", type(route).__name__), ",".join(methods)


def _lazy_gets(demo: Runtime) -> list[str]:
    """Paths of GET routes without parameters that the fresh app does not have."""
    fresh = {getattr(r, "path", None) for r in _fresh(demo).router.routes}
    found = [
        r.path
        for r in _eager(demo).router.routes
        if isinstance(r, APIRoute) and "GET" in (r.methods or ()) and "{" not in r.path
        if r.path not in fresh and r.path not in ("/logout", "/setup")
    ]
    return found


def test_concurrent_first_requests_build_once_and_all_answer(demo: Runtime) -> None:
    paths = _lazy_gets(demo)[:: max(1, len(_lazy_gets(demo)) // 16)][:16]
    assert len(paths) == 16
    with TestClient(_eager(demo)) as client:
        expected = {
            p: _answer(client.get(p, headers=BEARER, follow_redirects=False)) for p in paths
        }
    app = _fresh(demo)
    answers: dict[str, tuple[int, str]] = {}
    barrier = threading.Barrier(len(paths))

    def first(base: str, path: str) -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            barrier.wait()
            answers[path] = _answer(http.get(path, headers=BEARER, follow_redirects=False))

    # When 16 first requests to different lazy routes arrive at once
    with serve(app) as base:
        threads = [threading.Thread(target=first, args=(base, p)) for p in paths]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    # Then each answers as with every route built, and the routes were built once
    assert answers == expected
    assert _lazy(app).builds == 1


FLAKY = """
from pathlib import Path
from teamassist.http.routes import Routes

if Path(__file__).with_name("broken").exists():
    raise RuntimeError("cannot build this router today")

router = Routes()


@router.get("/flaky")
def flaky() -> dict[str, str]:
    return {"built": "yes"}
"""


def test_a_failed_build_answers_500_and_the_next_request_tries_again(
    demo: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a page router that fails to import the first time
    (tmp_path / "lazy_flaky_pages.py").write_text(FLAKY)
    (tmp_path / "broken").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lazy_flaky_pages", raising=False)
    web = replace(demo.web, pages=[*demo.web.pages, "lazy_flaky_pages:router"])
    app = _fresh(replace(demo, web=web))
    with TestClient(app, raise_server_exceptions=False) as client:
        # When the first lazy request comes
        failed = client.get("/flaky")
        # Then it answers 500 in the app's error shape, and the core path still answers
        assert failed.status_code == 500
        assert "error_id" in failed.text or "错误" in failed.text
        assert client.get("/healthz").status_code == 200
        # and once the cause is gone, the next request builds and answers
        (tmp_path / "broken").unlink()
        assert client.get("/flaky").json() == {"built": "yes"}
        assert client.get("/api/v1/members", headers=BEARER).status_code == 200
    assert _lazy(app).builds == 2 and _lazy(app).loaded


def test_the_core_routers_are_named_by_their_descriptors(demo: Runtime) -> None:
    # A core router renamed in its descriptor would silently become lazy.
    assert set(demo.web.api) >= CORE_ROUTERS
