"""An unhandled error's page carries the headers every other page does (session 25): the
Content-Security-Policy of ``17da3ee`` was missing from the 500 page, which Starlette's
ServerErrorMiddleware sends from outside every middleware of ours."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web import security_headers
from teamassist.web.app import create_app

HTML = {"Accept": "text/html"}


@pytest.fixture
def app(sqlite_runtime: Runtime) -> FastAPI:
    """The real app with one more route, first in line, that has a bug."""
    app = create_app(sqlite_runtime, start_background=False)

    def boom() -> None:
        raise RuntimeError("bug")

    app.add_api_route("/boom", boom)
    app.router.routes.insert(0, app.router.routes.pop())
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_the_500_page_has_the_pages_headers(client: TestClient) -> None:
    # Given a page that does carry them (the sign-in page)
    page = client.get("/login", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == security_headers.POLICY
    # When a dashboard URL's handler raises
    response = client.get("/boom", headers={**HTML, "X-Request-ID": "req-boom-1"})
    # Then the error page says so, with the same policy and the request id
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "错误编号" in response.text
    assert response.headers["content-security-policy"] == security_headers.POLICY
    assert response.headers["x-request-id"] == "req-boom-1"
    assert response.headers.get_list("content-security-policy") == [security_headers.POLICY]


def test_the_500_json_answer_is_not_given_a_page_policy(client: TestClient) -> None:
    # REST callers get JSON, which the policy is not for (as for every other JSON answer)
    response = client.get("/boom", headers={"X-Request-ID": "req-boom-2"})
    assert response.status_code == 500
    assert response.json()["error"] == "core.error.internal"
    assert "content-security-policy" not in response.headers
    assert response.headers["x-request-id"] == "req-boom-2"
