"""Nominations: the reviewee nominates a peer, who is asked only once the director approves;
and two submits of one request at the same moment record one answer (every backend)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.exceptions import Conflict, PermissionDenied
from teamassist.reviews import service
from teamassist.reviews.models import ReviewResponse
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from tests.conftest import load_demo
from tests.okr.support import demo
from tests.reviews.support import set_up, start


@pytest.fixture
def desk(runtime: Runtime) -> Runtime:
    load_demo(runtime)
    set_up(runtime)
    return runtime


def _newcomer(runtime: Runtime) -> None:
    """Someone who joins after the cycle started, so the default pools did not ask them."""
    with demo(runtime) as d:
        workspace = d.team.workspace_id
        ws = team_service.get_workspace_by_key(d.session, key="demo")
        assert ws is not None and ws.id == workspace
        team_service.create_member(
            d.session, workspace=ws, handle="newbie", display_name="新同事", team=d.team
        )


def test_a_nomination_waits_for_the_director(desk: Runtime) -> None:
    cycle_id = start(desk, "zhangsan")
    _newcomer(desk)
    with demo(desk) as d:
        cycle = service.get_cycle(d.session, team=d.team, cycle_id=cycle_id)
        # 张三 nominates the newcomer as a peer: nominated, not yet asked
        row = service.add_reviewer(
            d.session,
            team=d.team,
            cycle=cycle,
            reviewee=d.member("zhangsan"),
            reviewer=d.member("newbie"),
            pool="peer",
            by=d.member("zhangsan"),
            now=desk.clock(),
        )
        assert row.status == "nominated"
        request_id = row.id
        assert (
            service.pending(d.session, team=d.team, reviewer=d.member("newbie"), now=desk.clock())
            == []
        )
        # he may not nominate his own manager, nor approve
        with pytest.raises(PermissionDenied):
            service.add_reviewer(
                d.session,
                team=d.team,
                cycle=cycle,
                reviewee=d.member("zhangsan"),
                reviewer=d.member("newbie"),
                pool="manager",
                by=d.member("zhangsan"),
                now=desk.clock(),
            )
        with pytest.raises(PermissionDenied):
            service.approve(
                d.session,
                team=d.team,
                cycle=cycle,
                request_id=request_id,
                by=d.member("zhangsan"),
                now=desk.clock(),
            )
    with demo(desk) as d:
        cycle = service.get_cycle(d.session, team=d.team, cycle_id=cycle_id)
        approved = service.approve(
            d.session,
            team=d.team,
            cycle=cycle,
            request_id=request_id,
            by=d.member("lihua"),
            now=desk.clock(),
        )
        assert approved.status == "invited"
        [owed] = service.pending(
            d.session, team=d.team, reviewer=d.member("newbie"), now=desk.clock()
        )
        assert owed.reviewee.handle == "zhangsan" and owed.pool == "peer"
        with pytest.raises(Conflict):  # approving twice
            service.approve(
                d.session,
                team=d.team,
                cycle=cycle,
                request_id=request_id,
                by=d.member("lihua"),
                now=desk.clock(),
            )


def test_two_submits_at_once_record_one_answer(desk: Runtime) -> None:
    cycle_id = start(desk, "zhangsan")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(value: int) -> None:
        # SQLite serialises writers (BEGIN IMMEDIATE) before any read: wait outside the
        # transaction, so on SQLite the second simply queues; PG and MariaDB really race.
        barrier.wait(timeout=10)
        try:
            with transaction(desk.factory) as session:
                ws = team_service.get_workspace_by_key(session, key="demo")
                assert ws is not None
                team = team_service.default_team(session, workspace_id=ws.id)
                people = {
                    m.handle: m for m in team_service.get_members(session, workspace_id=ws.id)
                }
                cycle = service.get_cycle(session, team=team, cycle_id=cycle_id)
                service.submit(
                    session,
                    team=team,
                    cycle=cycle,
                    reviewee=people["zhangsan"],
                    reviewer=people["wangwu"],
                    answers={"collaboration": value},
                    now=desk.clock(),
                )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=submit, args=(v,)) for v in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    with desk.factory() as session:
        count = session.scalar(
            select(func.count())
            .select_from(ReviewResponse)
            .where(ReviewResponse.cycle_id == cycle_id)
        )
        assert count == 1
