"""REST feedback goes to the team the caller names, and only to a team of theirs (tester s23 F7).

二队成员 (only in 第二团队) filed a bug into 开发者社区 with a body ``team_id`` and paged its
on-duty person; ``?team_id=`` was dropped without a word, so 张三 (in both teams) who named
开发者社区 as on every other router had his bug routed to 第二团队. Now ``?team_id=`` is read
as elsewhere (the body's ``team_id`` still works; the two naming different teams is refused),
and a team the caller is not in is refused, 403, nothing stored or queued."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.feedback.models import FeedbackItem
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from tests.support.web import signed_in
from tests.team.support import demo, zhangsan_in_two_teams


@pytest.fixture
def teams(demo_runtime: Runtime) -> Iterator[tuple[dict[str, TestClient], int, int]]:
    """Clients of 二队成员 and 张三 (both teams); 开发者社区's and 第二团队's ids."""
    with transaction(demo_runtime.factory) as session:
        second, _ = zhangsan_in_two_teams(session)
        session.flush()
        ids = demo(session).team.id, second.id
    with signed_in(demo_runtime, "m2", "zhangsan") as clients:
        yield clients, *ids


def _stored(runtime: Runtime) -> tuple[int, int]:
    with runtime.factory() as session:
        return (
            session.scalar(select(func.count()).select_from(FeedbackItem)) or 0,
            session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
        )


BUG = {"text": "登录页白屏", "kind": "bug"}


def test_an_outsider_files_nothing_into_another_team(
    demo_runtime: Runtime, teams: tuple[dict[str, TestClient], int, int]
) -> None:
    clients, home, _ = teams
    before = _stored(demo_runtime)
    for url, body in (
        ("/api/v1/feedback/items", {**BUG, "team_id": home}),
        (f"/api/v1/feedback/items?team_id={home}", BUG),
        (f"/api/v1/feedback/items?team_id={home}", {"text": 1}),  # refused before the body
    ):
        refused = clients["m2"].post(url, json=body)
        assert refused.status_code == 403, (url, refused.text)
        assert refused.json()["error"] == "core.error.not_in_team"
        assert "开发者社区" in refused.json()["message"]
    assert _stored(demo_runtime) == before


def test_the_named_team_gets_the_item(
    demo_runtime: Runtime, teams: tuple[dict[str, TestClient], int, int]
) -> None:
    clients, home, second = teams
    zhangsan = clients["zhangsan"]
    posts: tuple[tuple[str, dict[str, Any], int], ...] = (
        (f"/api/v1/feedback/items?team_id={home}", BUG, home),
        (f"/api/v1/feedback/items?team_id={second}", BUG, second),
        ("/api/v1/feedback/items", {**BUG, "team_id": home}, home),
    )
    for n, (url, body, team) in enumerate(posts):
        # a text of its own each time: the same one again is a repeat (feedback.repeats)
        filed = zhangsan.post(url, json={**body, "text": f"{body['text']} {n}"})
        assert filed.status_code == 201, filed.text
        assert filed.json()["team_id"] == team, url
    before = _stored(demo_runtime)
    both = zhangsan.post(f"/api/v1/feedback/items?team_id={home}", json={**BUG, "team_id": second})
    assert both.status_code == 400, both.text
    assert both.json()["error"] == "feedback.error.two_teams"
    assert _stored(demo_runtime) == before
