"""The report page's numbers on a scenario worked out by hand: items per day by type, medians
of the time to acknowledge and to resolve (wall clock and working time), load per person."""

from __future__ import annotations

from datetime import UTC, date, datetime

from teamassist.database import transaction
from teamassist.feedback import service as feedback_service
from teamassist.feedback import stats as feedback_stats
from teamassist.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from teamassist.feedback.service import Origin
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member
from teamassist.workdays import ChinaWorkdays
from tests.conftest import load_demo


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """June 2026, Asia/Shanghai wall clock, as UTC."""
    return datetime(2026, 6, day, hour - 8, minute, tzinfo=UTC)


def test_report_aggregates_and_chart_data(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        # a team of its own, so the demo's items stay out of the numbers
        team = team_service.create_team(
            session, workspace=workspace, key="report", name="报表", timezone="Asia/Shanghai"
        )

        def who(handle: str) -> Member:
            member = team_service.get_member_by_handle(
                session, workspace_id=workspace.id, handle=handle
            )
            assert member is not None
            return member

        lihua, zhaoliu = who("lihua"), who("zhaoliu")

        def item(kind: FeedbackKind, at: datetime, owner: Member | None) -> FeedbackItem:
            return feedback_service.submit(
                session,
                team=team,
                reporter=None,
                kind=kind,
                text="x",
                origin=Origin(),
                owner=owner,
                now=at,
            )

        def ack(it: FeedbackItem, at: datetime) -> None:
            feedback_service.acknowledge(session, item=it, actor=None, now=at)

        def close(it: FeedbackItem, status: FeedbackStatus, at: datetime) -> None:
            feedback_service.close(session, item=it, status=status, actor=None, now=at)

        # A: Mon 09:00, acknowledged 09:30, resolved 11:00 — all inside working hours
        a = item(FeedbackKind.BUG, _at(1, 9), lihua)
        ack(a, _at(1, 9, 30))
        close(a, FeedbackStatus.RESOLVED, _at(1, 11))
        # B: Mon 17:00, acknowledged Tue 10:00 (17 h; working 1 h + 1 h), resolved Tue 12:00
        b = item(FeedbackKind.BUG, _at(1, 17), lihua)
        ack(b, _at(2, 10))
        close(b, FeedbackStatus.RESOLVED, _at(2, 12))
        # C: Tue 10:00, acknowledged 10:10, declined 10:20 (not a resolution)
        c = item(FeedbackKind.SUGGESTION, _at(2, 10), zhaoliu)
        ack(c, _at(2, 10, 10))
        close(c, FeedbackStatus.WONT_FIX, _at(2, 10, 20))
        # D: Wed 08:00, nobody follows it, still open
        item(FeedbackKind.SUGGESTION, _at(3, 8), None)

        data = feedback_stats.aggregate(
            session,
            team=team,
            date_from=date(2026, 6, 1),
            date_to=date(2026, 6, 4),
            workdays=ChinaWorkdays(),
        )

    assert data.total == 4
    non_zero = {
        day: {kind: n for kind, n in counts.items() if n}
        for day, counts in data.per_day.items()
        if any(counts.values())
    }
    assert non_zero == {
        "2026-06-01": {"bug": 2},
        "2026-06-02": {"suggestion": 1},
        "2026-06-03": {"suggestion": 1},
    }
    assert data.by_status == {"resolved": 2, "wont_fix": 1, "open": 1}
    # acknowledge: A 30 min, B 17 h, C 10 min → 30 min; working: 30 min, 2 h, 10 min → 30 min
    assert data.median_acknowledge_wall == 1800
    assert data.median_acknowledge_work == 1800
    # resolve (resolved only): A 2 h, B 19 h → 10.5 h; working: A 2 h, B 1 h + 3 h → 3 h
    assert data.median_resolve_wall == 37800
    assert data.median_resolve_work == 10800

    charts = feedback_stats.chart_data(data)
    assert charts["days"] == ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04"]
    series = {s["kind"]: s["counts"] for s in charts["per_day"]}
    assert series == {"bug": [2, 0, 0, 0], "suggestion": [0, 1, 1, 0]}
    assert [s["label"] for s in charts["per_day"]] == ["缺陷", "需求"]
    assert charts["medians"]["wall"] == [0.5, 10.5]
    assert charts["medians"]["work"] == [0.5, 3.0]
    assert charts["load"]["names"] == ["李华", "（无人跟进）", "赵六"]
    assert charts["load"]["open"] == [0, 1, 0]
    assert charts["load"]["resolved"] == [2, 0, 0]
    assert charts["load"]["other"] == [0, 0, 1]  # the declined one
    assert charts["by_status"]["wont_fix"] == {"label": "不予处理", "count": 1}


def test_chart_data_of_an_empty_period() -> None:
    empty = feedback_stats.Aggregates(date_from=date(2026, 6, 1), date_to=date(2026, 6, 1))
    charts = feedback_stats.chart_data(empty)
    assert charts["days"] == ["2026-06-01"]
    assert charts["medians"]["wall"] == [None, None]
    assert charts["load"]["names"] == []
