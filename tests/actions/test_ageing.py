"""The ageing series on every backend: items by age bucket now, and the overdue count at the
end of each past day replayed from the history (extension, done, reopen, close)."""

from __future__ import annotations

from teamassist.actions import ageing, service
from teamassist.actions.models import ActionItem
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from tests.okr.support import at


def test_buckets_and_the_replayed_line(runtime: Runtime) -> None:
    with transaction(runtime.factory) as session:
        ws = team_service.create_workspace(session, key="w", name="W")
        team = team_service.create_team(
            session, workspace=ws, key="t", name="T", timezone="Asia/Shanghai"
        )
        boss = team_service.create_member(
            session, workspace=ws, handle="boss", display_name="Boss", team=team
        )
        doer = team_service.create_member(
            session, workspace=ws, handle="doer", display_name="Doer", team=team
        )

        def item(title: str, opened: str, due: str) -> ActionItem:
            return service.create(
                session,
                team=team,
                requester=boss,
                owner=doer,
                title=title,
                due_at=at(due),
                now=at(opened),
            )

        # A: opened 11-01, due 11-20 18:00, still open: overdue from 11-20's end.
        item("A", "2026-11-01 09:00", "2026-11-20 18:00")
        # B: opened 11-10, due 11-18, extended on 11-19 to 11-25, done 11-24, reopened 11-26.
        b = item("B", "2026-11-10 09:00", "2026-11-18 18:00")
        service.extend(
            session,
            team=team,
            item=b,
            actor=doer,
            admin=False,
            due_at=at("2026-11-25 18:00"),
            reason="等评审",
            now=at("2026-11-19 10:00"),
        )
        service.mark_done(session, item=b, actor=doer, now=at("2026-11-24 10:00"))
        service.reopen(
            session,
            team=team,
            item=b,
            actor=boss,
            admin=False,
            now=at("2026-11-26 10:00"),
        )
        # C: opened 11-28, due 12-04: on time; D: closed long ago, never counted now.
        item("C", "2026-11-28 09:00", "2026-12-04 18:00")
        d = item("D", "2026-11-02 09:00", "2026-11-05 18:00")
        service.mark_done(session, item=d, actor=doer, now=at("2026-11-03 10:00"))
        service.confirm(
            session,
            team=team,
            item=d,
            actor=boss,
            admin=False,
            now=at("2026-11-04 10:00"),
        )
    with runtime.factory() as session:
        team = session.merge(team)
        found = ageing.of_team(session, team=team, now=at("2026-11-30 09:00"), days=14)
    assert found.buckets == ["0-3", "4-7", "8-14", "15-30", "31+"]
    # Ages on 11-30: A 29 days (overdue), B 20 days (overdue again since the reopen), C 2 days.
    assert found.on_time == [1, 0, 0, 0, 0]
    assert found.overdue == [0, 0, 0, 2, 0]
    assert found.days[0] == "2026-11-17" and found.days[-1] == "2026-11-30"
    by_day = dict(zip(found.days, found.overdue_by_day, strict=True))
    assert by_day["2026-11-17"] == 0
    assert by_day["2026-11-18"] == 1  # B past 11-18 18:00
    assert by_day["2026-11-19"] == 0  # B extended to 11-25 that morning
    assert by_day["2026-11-20"] == 1  # A past due
    assert by_day["2026-11-24"] == 1  # B done
    assert by_day["2026-11-25"] == 1  # B done: waits on the requester, not overdue
    assert by_day["2026-11-26"] == 2  # B reopened, past its 11-25 due time
    assert by_day["2026-11-30"] == 2
