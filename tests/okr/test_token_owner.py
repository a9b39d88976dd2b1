"""The global API token's objectives (tester s27 C-4): an O it created had no owner, which the
10-minute repeat guard skipped, so a retrying script doubled it and twenty at once made twenty
(PostgreSQL and MariaDB; SQLite alike). Now the token's O is owned by the member it speaks as
(as in chat and for its action items), the guard holds, and a refusal about someone else's O
names them rather than saying 「你…」 (C-9)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.enums import Role
from teamassist.okr.models import Objective
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo, make_runtime
from tests.okr.support import demo, set_clock
from tests.support.server import serve

TOKEN = "okr-token-owner-token"
HEADERS = {"authorization": f"Bearer {TOKEN}"}


def _owners(runtime: Runtime, title: str) -> list[int | None]:
    with runtime.factory() as session:
        return list(session.scalars(select(Objective.owner_id).where(Objective.title == title)))


def _member_id(runtime: Runtime, handle: str) -> int:
    with demo(runtime) as given:
        return given.member(handle).id


@pytest.fixture
def served(db_url: str, clock: FrozenClock) -> Iterator[tuple[Runtime, str]]:
    """The demo workspace on 2026-11-16 (2026Q4) behind a real server, on every backend."""
    runtime = make_runtime(db_url, clock, web={"api_token": TOKEN})
    load_demo(runtime)
    set_clock(runtime, "2026-11-16 09:00")
    with serve(create_app(runtime)) as base:
        yield runtime, base
    runtime.close()


def test_twenty_token_creates_at_once_make_one_objective(served: tuple[Runtime, str]) -> None:
    runtime, base = served
    with httpx.Client(base_url=base, headers=HEADERS, timeout=120) as client:

        def create(_n: int) -> tuple[int, dict[str, Any]]:
            answer = client.post("/api/v1/okr/objectives", json={"title": "令牌目标"})
            return answer.status_code, answer.json()

        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(create, range(20)))

    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * 19, statuses
    [made] = [body for status, body in answers if status == 201]
    assert made["owner_name"] == "王管理", made
    refusals = [body for status, body in answers if status == 409]
    assert {r["error"] for r in refusals} == {"okr.error.objective_repeat_for"}, refusals
    # said of the owner the token speaks as, naming the first O, never 「你…」
    assert all(
        r["message"].startswith("王管理 ") and f"{made['ref']}「令牌目标」" in r["message"]
        for r in refusals
    ), refusals[0]
    assert _owners(runtime, "令牌目标") == [_member_id(runtime, "admin")]


@pytest.fixture
def token_api(sqlite_url: str, clock: FrozenClock) -> Iterator[TestClient]:
    runtime = make_runtime(sqlite_url, clock, web={"api_token": TOKEN})
    load_demo(runtime)
    set_clock(runtime, "2026-11-16 09:00")
    with TestClient(create_app(runtime, start_background=False), headers=HEADERS) as client:
        yield client
    runtime.close()


def _runtime(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def test_a_repeat_of_another_owners_objective_names_them(token_api: TestClient) -> None:
    body = {"title": "李四的目标", "owner": "lisi"}
    first = token_api.post("/api/v1/okr/objectives", json=body)
    assert first.status_code == 201, first.text
    again = token_api.post("/api/v1/okr/objectives", json=body)
    assert again.status_code == 409, again.text
    message = again.json()["message"]
    assert message.startswith("李四 10 分钟内") and "「李四的目标」" in message, message
    assert _owners(_runtime(token_api), "李四的目标") == [_member_id(_runtime(token_api), "lisi")]


def test_a_team_the_token_owner_is_not_in_needs_an_owner(token_api: TestClient) -> None:
    runtime = _runtime(token_api)
    with demo(runtime) as given:
        team = team_service.create_team(
            given.session,
            workspace=given.team.workspace,
            key="no-admin",
            name="无管理员组",
            timezone="Asia/Shanghai",
        )
        team_service.set_role(
            given.session, team=team, member=given.member("zhangsan"), role=Role.MEMBER
        )
        team_id = team.id
    path = f"/api/v1/okr/objectives?team_id={team_id}"
    refused = token_api.post(path, json={"title": "无主目标"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "okr.error.voice_not_in_team"
    assert "王管理" in refused.json()["message"] and "owner" in refused.json()["message"]
    assert _owners(runtime, "无主目标") == []
    named = token_api.post(path, json={"title": "无主目标", "owner": "zhangsan"})
    assert named.status_code == 201, named.text
    assert _owners(runtime, "无主目标") == [_member_id(runtime, "zhangsan")]
