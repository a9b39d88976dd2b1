"""A domain added by one line works end to end; without the line nothing of it is left.

The toy domain (``tests/house/toy``) brings a model and its own Alembic branch, a chat command,
an interval job, a REST router, a dashboard page with a navigation entry, a static file, a
catalogue file, and a port requirement (``Roster``, provided by duty).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from teamassist import migrate
from teamassist.bootstrap import DOMAINS, build_runtime
from teamassist.clock import FrozenClock
from teamassist.config import Settings
from teamassist.database import make_engine, transaction
from teamassist.ports import PortMissing, Roster
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo, make_runtime
from tests.house.toy.domain import DOMAIN as TOY
from tests.house.toy.models import ToyNote
from tests.support.chat import ChatDriver

WITH_TOY = [*DOMAINS, TOY]  # the one line


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture
def toy_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'toy.db'}"
    migrate.upgrade(url, domains=WITH_TOY)
    return url


@pytest.fixture
def toy(toy_url: str, clock: FrozenClock) -> Iterator[Runtime]:
    runtime = make_runtime(toy_url, clock, domains=WITH_TOY, web={"demo_mode": True})
    load_demo(runtime)
    yield runtime
    runtime.close()


def test_its_migration_creates_its_table_on_its_own_branch(toy_url: str) -> None:
    assert "toy_note" in _tables(toy_url)
    migrate.downgrade(toy_url, "toy@base", domains=WITH_TOY)
    assert "toy_note" not in _tables(toy_url)
    assert "duty_rotation" in _tables(toy_url)  # the other branches stay


def test_its_command_answers_in_chat_through_the_roster_port(toy: Runtime) -> None:
    with transaction(toy.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        on_duty = [
            m.display_name
            for m in toy.ports.get(Roster).on_duty(session, team=team, at=toy.clock())
        ]
    assert on_duty  # the demo has people on duty on Monday morning
    answer = ChatDriver(toy).text("/玩具 第一条", as_="zhangsan")
    assert answer == f"已记下第 1 条笔记。现在值班：{'、'.join(on_duty)}"
    assert ChatDriver(toy).text("/toy 第二条", as_="lisi").startswith("已记下第 2 条笔记")
    assert "/玩具 <内容>" in ChatDriver(toy).text("/帮助", as_="zhangsan")


def test_its_job_runs_on_a_tick(toy: Runtime) -> None:
    toy.scheduler.tick()
    with toy.factory() as session:
        assert [n.text for n in session.query(ToyNote)] == ["sweep"]


def test_its_router_page_nav_static_and_catalogue_are_served(toy: Runtime) -> None:
    ChatDriver(toy).text("/玩具 页面上的笔记", as_="zhangsan")
    with TestClient(create_app(toy, start_background=False)) as client:
        page = client.get("/toy")
        assert page.status_code == 200, page.text
        assert "<h1>玩具笔记</h1>" in page.text  # the catalogue text
        assert "页面上的笔记" in page.text
        assert 'href="/toy"' in page.text and ">玩具<" in page.text  # the nav entry
        assert 'href="/duty"' in page.text  # the other domains' entries stay
        assert client.get("/static/toy.css").text.startswith(".toy-note")
        assert client.get("/api/v1/toy/notes").json() == ["页面上的笔记"]


def test_without_the_line_nothing_of_it_is_left(sqlite_url: str, clock: FrozenClock) -> None:
    runtime = make_runtime(sqlite_url, clock, web={"demo_mode": True})
    try:
        load_demo(runtime)
        assert runtime.registry.get("玩具") is None
        assert not [j for j in runtime.scheduler.interval_jobs if j.key.startswith("toy.")]
        assert "toy_note" not in _tables(sqlite_url)
        with TestClient(create_app(runtime, start_background=False)) as client:
            assert client.get("/toy").status_code == 404
            assert client.get("/api/v1/toy/notes").status_code == 404
            assert client.get("/static/toy.css").status_code == 404
            assert 'href="/toy"' not in client.get("/duty").text
    finally:
        runtime.close()


def test_a_missing_required_port_is_a_start_up_error(sqlite_url: str, clock: FrozenClock) -> None:
    without_duty = [d for d in DOMAINS if d.key not in ("duty", "feedback")] + [TOY]
    settings = Settings(database={"url": sqlite_url})
    with pytest.raises(PortMissing, match=r"'toy' domain requires the Roster port"):
        build_runtime(settings, clock=clock, domains=without_duty)
