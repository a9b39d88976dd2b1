"""A person of another team cannot write into a team by naming it (tester s23 F3): 二队成员,
only in 第二团队, created an objective and a KR in 开发者社区 with ``?team_id=`` and wrote a
weekly report entry there. Now OKR changes and one's own report entry or reading mark need a
member of the named team (403 ``core.error.not_in_team``, nothing stored); OKR reads stay open
to the workspace on purpose (docs/okr.md), and the team's own people still write."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.okr.models import KeyResult, Objective
from teamassist.reports.models import ReadingMark, WeeklyEntry
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from tests.support.web import signed_in
from tests.team.support import second_team

NOT_IN_TEAM = "你不在「开发者社区」里：这里只对这个团队的成员开放，没有做任何改动。"


@pytest.fixture
def people(demo_runtime: Runtime) -> Iterator[tuple[dict[str, TestClient], int]]:
    """Clients of 二队成员 (m2, only in 第二团队) and 张三 (开发者社区), and 开发者社区's id."""
    with transaction(demo_runtime.factory) as session:
        second_team(session)
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        home = team_service.default_team(session, workspace_id=ws.id).id
    with signed_in(demo_runtime, "m2", "zhangsan") as clients:
        yield clients, home


def _stored(runtime: Runtime) -> tuple[int, int, int, int]:
    with runtime.factory() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Objective, KeyResult, WeeklyEntry, ReadingMark)
        )


def test_an_outsider_writes_nothing_into_a_team_it_names(
    demo_runtime: Runtime, people: tuple[dict[str, TestClient], int]
) -> None:
    clients, home = people
    outsider = clients["m2"]
    before = _stored(demo_runtime)
    with demo_runtime.factory() as session:
        theirs = session.scalars(select(Objective.id).where(Objective.team_id == home)).first()
    assert theirs is not None
    refused = [
        outsider.post(f"/api/v1/okr/objectives?team_id={home}", json={"title": "外队的目标"}),
        outsider.post(
            f"/api/v1/okr/objectives/{theirs}/key-results?team_id={home}",
            json={"title": "外队的KR", "start": 0, "target": 10, "unit": "个", "weight": 100},
        ),
        outsider.put(f"/api/v1/reports/entries/me?team_id={home}", json={"done": "外队的周报"}),
        outsider.post(f"/api/v1/reports/reading/read?team_id={home}"),
    ]
    for response in refused:
        assert response.status_code == 403, (response.request.url, response.text)
        assert response.json()["message"] == NOT_IN_TEAM, response.text
    assert _stored(demo_runtime) == before


def test_a_teams_own_people_still_write_and_everyone_reads(
    demo_runtime: Runtime, people: tuple[dict[str, TestClient], int]
) -> None:
    clients, home = people
    mine = clients["zhangsan"].post(
        f"/api/v1/okr/objectives?team_id={home}", json={"title": "本队的目标"}
    )
    assert mine.status_code in (200, 201), mine.text
    entry = clients["zhangsan"].put(
        f"/api/v1/reports/entries/me?team_id={home}", json={"done": "本队的周报"}
    )
    assert entry.status_code == 200 and entry.json()["done"] == ["本队的周报"], entry.text
    # OKRs are read across the workspace (alignment needs them): the outsider sees the new O
    listed = clients["m2"].get(f"/api/v1/okr/objectives?team_id={home}")
    assert listed.status_code == 200
    assert "本队的目标" in [o["title"] for o in listed.json()["objectives"]]
