"""A report renders with no transaction open (tester s28 E-14): the pack's unit held SQLite's
one write lock (and, on every backend, its lock on the team's row) from its first statement to
its commit, so every write of the install waited while any report rendered, up to the 30 s
batch cap. The render is made slow here by holding the team's one render place
(``Pool._place``), which the pack then waits for as a slow render's neighbours do: no sleep
in the server, no CPU spent."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from teamassist.database import transaction
from teamassist.documents import sandbox
from teamassist.reports.models import ReportPack
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.web import sign_in
from tests.team.support import demo

RENAMED = "改名后的开发者社区"


def _until(check: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _team_id(rt: Runtime) -> int:
    with rt.factory() as session:
        return demo(session).team.id


def _rename(rt: Runtime, team_id: int) -> None:
    """A write from another connection, to the very row the pack locks."""
    with transaction(rt.factory) as session:
        session.execute(update(Team).where(Team.id == team_id).values(name=RENAMED))


def _markdowns(rt: Runtime) -> list[str]:
    with rt.factory() as session:
        return list(session.scalars(select(ReportPack.markdown).order_by(ReportPack.id)))


def _while_the_pack_waits(rt: Runtime, team_id: int, ask: Callable[[], object]) -> object:
    """Ask for the pack while its render waits for a place; rename the team meanwhile, which
    must be done before the render is; the pack's answer."""
    pool = sandbox.pool()
    with ThreadPoolExecutor(2) as threads:
        with pool._place(("team", team_id)):  # the team's render place (one per team)
            waiting = pool.waiting
            pack = threads.submit(ask)
            _until(lambda: pool.waiting > waiting or pack.done())
            renamed = threads.submit(_rename, rt, team_id)
            renamed.result(timeout=15)  # before: waited for the render (the lock, the row)
            assert not pack.done()
        return pack.result(timeout=60)


def test_a_write_goes_through_while_a_chat_pack_renders(chat: ChatDriver) -> None:
    rt = chat.runtime
    set_clock(rt, "2026-09-28 09:00")
    team_id = _team_id(rt)

    reply = _while_the_pack_waits(rt, team_id, lambda: chat.text("/生成报告 周报", as_="admin"))

    assert isinstance(reply, str) and reply.startswith("已生成「OKR周报2026/09/21-09/27」"), reply
    # one pack, made from what was committed when it was stored: the render made before the
    # rename was not used, so the rename is not lost under an older read
    [markdown] = _markdowns(rt)
    assert f"{RENAMED} · 2026-09-21 — 2026-09-27" in markdown


def test_a_write_goes_through_while_a_rest_pack_renders(sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    load_demo(rt)
    set_clock(rt, "2026-09-28 09:00")
    team_id = _team_id(rt)
    with TestClient(create_app(rt, start_background=False)) as client:
        sign_in(client)
        answer = _while_the_pack_waits(
            rt,
            team_id,
            lambda: client.post(
                f"/api/v1/reports/packs?team_id={team_id}", json={"kind": "weekly"}
            ),
        )
    assert answer.status_code == 201, answer.text  # type: ignore[attr-defined]
    [markdown] = _markdowns(rt)
    assert RENAMED in markdown


def test_a_render_host_that_stopped_answering_is_told_kindly(
    sqlite_chat: ChatDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tester s28 E-6: the person got an internal-error id (the host itself: test_sandbox.py)
    def stuck(*_args: object, **_kwargs: object) -> list[str]:
        raise sandbox.HostGone(reason="the render host stopped answering")

    monkeypatch.setattr(sandbox, "render", stuck)
    set_clock(sqlite_chat.runtime, "2026-09-28 09:00")
    reply = sqlite_chat.text("/生成报告 周报", as_="admin")
    assert reply.startswith("生成文档的服务这次没有响应，文档没有生成，也没有保存或改动任何内容"), (
        reply
    )
    assert _markdowns(sqlite_chat.runtime) == []
