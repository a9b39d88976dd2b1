"""Ids in URLs and bodies (issue #11 hardening): one rule for every route, on every backend.

A whole number that no table can hold is refused as 0 is (422 naming the bound, as chat refuses
it); something that is not a whole number ("1.0", "1e0", 1.0 in JSON) is a malformed request
(422), never read as 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo

TOKEN = "path-id-token"
LARGEST = 2**63 - 1


@pytest.fixture
def api(runtime: Runtime) -> Iterator[TestClient]:
    load_demo(runtime)
    runtime.settings.web.api_token = SecretStr(TOKEN)
    with TestClient(create_app(runtime, start_background=False)) as client:
        client.headers["Authorization"] = f"Bearer {TOKEN}"
        yield client


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/members/{LARGEST}",
        f"/api/v1/members/{2**31}",
        f"/api/v1/teams/{LARGEST}/members",
        f"/api/v1/duty/rotations/{LARGEST}/versions",
        f"/api/v1/okr/objectives/{LARGEST}",
    ],
)
def test_an_id_no_table_holds_is_refused_as_0_is(api: TestClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 422, response.text
    [detail] = response.json()["details"]
    assert detail["type"] == "less_than_equal" and "2147483647" in detail["msg"], detail
    below = api.get(re.sub(r"[0-9]{10,}", "0", path))
    assert below.status_code == 422 and below.json()["details"][0]["loc"] == detail["loc"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/members/1.0",
        "/api/v1/members/1e0",
        "/api/v1/members/0x1",
        "/api/v1/teams/1.0/members",
        "/api/v1/duty/rotations/1.0/versions",
    ],
)
def test_an_id_that_is_not_a_whole_number_is_refused(api: TestClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "core.error.invalid_request"


def test_a_float_id_in_a_json_body_is_refused(api: TestClient) -> None:
    refused = api.post("/api/v1/members/1/merge", json={"source_id": 2.0})
    assert refused.status_code == 422, refused.text
    assert api.get("/api/v1/members/2").json()["merged_into_id"] is None


def test_a_real_id_still_works(api: TestClient) -> None:
    assert api.get("/api/v1/members/1").json()["handle"] == "admin"
    assert api.get("/api/v1/members/+1").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/feedback/items", "/api/v1/feedback/report"])
def test_a_team_id_in_the_query_follows_the_same_rule(api: TestClient, path: str) -> None:
    assert api.get(path, params={"team_id": "1.0"}).status_code == 422
    too_large = api.get(path, params={"team_id": str(LARGEST)})
    assert too_large.status_code == 422, too_large.text
    assert too_large.json()["details"][0]["loc"] == ["query", "team_id"]
    assert api.get(path, params={"team_id": "1"}).status_code == 200
