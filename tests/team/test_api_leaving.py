"""``PATCH /api/v1/members/{id}`` with ``deactivate_at``: one clear contract.

Testers (session 13) found ``deactivate_at`` dropped silently without ``active: false`` or with
``active: true``, and ``active: false`` with a later date answered ``active: true`` with nothing
saying a departure was planned. Now ``deactivate_at`` plans a departure (alone or with
``active: false``), ``active: true`` with it is refused, and the answer names the leaving day.
Demo clock: Monday 2026-06-01 09:00 in Shanghai.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import sign_in
from tests.team.support import demo


@pytest.fixture
def admin(runtime: Runtime) -> Iterator[tuple[TestClient, dict[str, int]]]:
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        ids = {h: m.id for h, m in demo(session).people.items()}
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        yield client, ids


def test_a_date_alone_plans_a_departure_and_the_answer_names_the_day(
    admin: tuple[TestClient, dict[str, int]],
) -> None:
    client, ids = admin
    url = f"/api/v1/members/{ids['wangwu']}"
    planned = client.patch(url, json={"deactivate_at": "2026-06-10"})
    assert planned.status_code == 200, planned.text
    body = planned.json()
    assert body["active"] is True and body["deactivates_on"] == "2026-06-10"
    assert body["deactivated_at"].startswith("2026-06-09T16:00:00")
    assert client.get(url).json()["deactivates_on"] == "2026-06-10"
    # with active: false and a later date, the same plan, said as plainly
    later = client.patch(
        f"/api/v1/members/{ids['zhaoliu']}", json={"active": False, "deactivate_at": "2026-06-12"}
    )
    assert later.status_code == 200, later.text
    assert (later.json()["active"], later.json()["deactivates_on"]) == (True, "2026-06-12")
    # calling it off clears the day; leaving now has none either (inactive already)
    back = client.patch(url, json={"active": True})
    assert (back.json()["active"], back.json()["deactivates_on"]) == (True, None)
    gone = client.patch(url, json={"active": False})
    assert (gone.json()["active"], gone.json()["deactivates_on"]) == (False, None)


def test_active_true_with_a_date_is_refused_and_changes_nothing(
    admin: tuple[TestClient, dict[str, int]],
) -> None:
    client, ids = admin
    url = f"/api/v1/members/{ids['wangwu']}"
    before = client.get(url).json()
    refused = client.patch(
        url, json={"active": True, "deactivate_at": "2026-06-10", "display_name": "王五五"}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "people.error.active_and_leaving"
    assert "不能同时给" in refused.json()["message"]
    assert client.get(url).json() == before


def test_the_endpoint_documents_the_leaving_contract(
    admin: tuple[TestClient, dict[str, int]],
) -> None:
    client, _ids = admin
    spec = client.get("/openapi.json").json()
    description = spec["paths"]["/api/v1/members/{member_id}"]["patch"]["description"]
    assert "deactivates_on" in description and "active: true" in description
