"""A second `/生成报告` of the same period within ten minutes renders the first pack again
instead of storing another (tester s25 F-B14: 20 `/生成报告 周报` at once made 20 identical
packs in /报告), on every backend, sent one after the other or at once."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.reports import packs
from teamassist.reports.models import ReportPack
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver
from tests.support.races import side_by_side
from tests.support.web import sign_in
from tests.team.support import demo

WEEK = (date(2026, 9, 21), date(2026, 9, 27))


def _packs(rt: Runtime) -> list[tuple[int, str]]:
    with rt.factory() as session:
        rows = session.scalars(select(ReportPack).order_by(ReportPack.id)).all()
        return [(r.id, r.title) for r in rows]


def test_a_repeat_within_ten_minutes_updates_the_first_pack(chat: ChatDriver) -> None:
    set_clock(chat.runtime, "2026-09-28 09:00")
    first = chat.text("/生成报告 周报", as_="admin")
    assert first.startswith("已生成「OKR周报2026/09/21-09/27」："), first
    [(pack_id, _title)] = _packs(chat.runtime)
    set_clock(chat.runtime, "2026-09-28 09:09")
    again = chat.text("/生成报告", as_="admin")
    assert again.startswith(
        "「OKR周报2026/09/21-09/27」10 分钟内刚生成过，已按最新数据更新，没有另建一份："
    ), again
    assert f"/reports/{pack_id}" in again
    assert [i for i, _ in _packs(chat.runtime)] == [pack_id]
    # another kind of report is its own pack; ten minutes on, the same one is new again
    assert chat.text("/生成报告 月报", as_="admin").startswith("已生成")
    set_clock(chat.runtime, "2026-09-28 09:20")
    assert chat.text("/生成报告 周报", as_="admin").startswith("已生成「OKR周报2026/09/21-09/27」")
    assert len(_packs(chat.runtime)) == 3


def test_the_same_pack_asked_at_once_is_built_once(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    now = set_clock(rt, "2026-09-28 09:00")

    def generate(session: Session) -> str | None:
        team = demo(session).team
        start, end = WEEK
        again = packs.refresh_a_repeat(
            session, team=team, kind="weekly", period_start=start, period_end=end, now=now
        )
        if again is not None:
            return "again"
        packs.build_pack(session, team, "weekly", start, end, now + timedelta(seconds=1))
        return None

    outcome = side_by_side(rt, [generate] * 4)

    # one builds; the others get that pack rendered again
    assert outcome == ["again"] * 3 + ["ok"], outcome
    assert [title for _, title in _packs(rt)] == ["OKR周报2026/09/21-09/27"]


def test_rest_answers_a_repeat_with_the_first_pack(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-09-28 09:00")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        first = client.post("/api/v1/reports/packs", json={"kind": "weekly"})
        again = client.post("/api/v1/reports/packs", json={"kind": "weekly"})
    assert first.status_code == 201, first.text
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert len(_packs(sqlite_runtime)) == 1


def _people_packs(rt: Runtime) -> dict[str, int]:
    """How many documents each occurrence key has (team pack and per-person ones)."""
    with rt.factory() as session:
        keys = session.scalars(select(ReportPack.occurrence_key)).all()
        return {key: keys.count(key) for key in keys}


def test_a_per_person_pack_asked_at_once_is_built_once(demo_runtime: Runtime) -> None:
    """Tester s26 B-24: REST's per-person ask skipped the repeat check: 10 at once, 10 packs."""
    rt = demo_runtime
    now = set_clock(rt, "2026-09-28 09:00")

    def generate(session: Session) -> str | None:
        team = demo(session).team
        start, end = WEEK
        again = packs.refresh_a_repeat(
            session,
            team=team,
            kind="weekly",
            period_start=start,
            period_end=end,
            now=now,
            per_person=True,
        )
        if again is not None:
            return "again"
        packs.build_pack(
            session, team, "weekly", start, end, now + timedelta(seconds=1), per_person=True
        )
        return None

    outcome = side_by_side(rt, [generate] * 4)

    assert outcome == ["again"] * 3 + ["ok"], outcome
    with rt.factory() as session:
        members = len(
            [m for m, _ in team_service.team_members(session, team=demo(session).team) if m.active]
        )
    [(_key, documents)] = _people_packs(rt).items()
    assert documents == 1 + members  # the team's and one per member, once


def test_rest_answers_a_per_person_repeat_with_the_first_pack(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-09-28 09:00")
    body = {"kind": "weekly", "per_person": True}
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        first = client.post("/api/v1/reports/packs", json=body)
        built = _people_packs(sqlite_runtime)
        again = client.post("/api/v1/reports/packs", json=body)
        assert first.status_code == 201, first.text
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"], again.text
        assert _people_packs(sqlite_runtime) == built
        [documents] = built.values()
        assert documents > 2
        # a team pack asked first gets its per-person documents on a per-person repeat
        plain = client.post("/api/v1/reports/packs", json={"kind": "monthly"})
        assert plain.status_code == 201, plain.text
        people = client.post("/api/v1/reports/packs", json={"kind": "monthly", "per_person": True})
        assert people.status_code == 200 and people.json()["id"] == plain.json()["id"]
    assert sorted(_people_packs(sqlite_runtime).values()) == [documents, documents]
