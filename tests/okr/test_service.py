"""Objectives, key results, weights, publishing, check-ins, scores and alignment (services)."""

from __future__ import annotations

from datetime import date, datetime

import chinese_calendar
import pytest
from sqlalchemy import func, select

from teamassist.exceptions import Conflict, Invalid, NotFound
from teamassist.okr import alignment, checkins, cycles, scoring
from teamassist.okr import objectives as okr
from teamassist.okr.formulas import KrKind
from teamassist.okr.models import CheckIn, Objective, ObjectiveState
from teamassist.okr.objectives import KrInput
from teamassist.okr.rollup import expectation, roll_up
from teamassist.runtime import Runtime
from teamassist.workdays import ChinaWorkdays
from tests.conftest import load_demo
from tests.okr.support import Demo, at, second_team, team_session

NOW = at("2026-11-16 09:00")


@pytest.fixture
def team_id(sqlite_runtime: Runtime) -> int:
    load_demo(sqlite_runtime)
    return second_team(sqlite_runtime)


def _spec_objective(given: Demo, weights: tuple[int, int, int] = (50, 25, 25)) -> int:
    """O-1 提升交付质量 of 张三 in 2026Q4: 缺陷数 50→10 个, 营收 100→200 万元, a binary KR."""
    q4 = cycles.by_key(given.session, team=given.team, key="2026Q4")
    owner = given.member("zhangsan")
    objective = okr.create_objective(
        given.session, team=given.team, cycle=q4, owner=owner, title="提升交付质量", now=NOW
    )
    for data in (
        KrInput("线上缺陷数", start=50, target=10, unit="个", weight=weights[0]),
        KrInput("营收", start=100, target=200, unit="万元", weight=weights[1]),
        KrInput("新版本上线", kind=KrKind.BINARY, weight=weights[2]),
    ):
        okr.add_key_result(given.session, team=given.team, objective=objective, data=data, now=NOW)
    return objective.id


def test_short_ids_are_per_team_and_cycle(sqlite_runtime: Runtime, team_id: int) -> None:
    with team_session(sqlite_runtime, team_id) as given:
        first = okr.get_objective(
            given.session, team=given.team, objective_id=_spec_objective(given)
        )
        second = okr.create_objective(
            given.session,
            team=given.team,
            cycle=cycles.by_key(given.session, team=given.team, key="2026Q4"),
            owner=given.member("lisi"),
            title="提升营收",
            now=NOW,
        )
        kr = okr.add_key_result(
            given.session, team=given.team, objective=second, data=KrInput("签约"), now=NOW
        )
        assert (first.number, second.number, kr.number) == (1, 2, 4)
        q1 = cycles.by_key(given.session, team=given.team, key="2027Q1")
        next_cycle = okr.create_objective(
            given.session, team=given.team, cycle=q1, owner=None, title="新季度", now=NOW
        )
        assert next_cycle.number == 1  # a new cycle starts again at O-1
        found = okr.find_key_result(given.session, team=given.team, ref="kr-4", today=NOW.date())
        assert found.id == kr.id
        with pytest.raises(NotFound):
            okr.find_key_result(given.session, team=given.team, ref="KR-9", today=NOW.date())
        with pytest.raises(Invalid):
            okr.find_key_result(given.session, team=given.team, ref="O-1", today=NOW.date())


def test_kind_follows_the_direction_and_bad_values_are_refused(
    sqlite_runtime: Runtime, team_id: int
) -> None:
    with team_session(sqlite_runtime, team_id) as given:
        objective_id = _spec_objective(given)
        objective = okr.get_objective(given.session, team=given.team, objective_id=objective_id)
        krs = okr.key_results(given.session, [objective_id])[objective_id]
        assert [k.kind for k in krs] == ["decrease", "increase", "binary"]
        assert (krs[2].start_value, krs[2].target_value) == (0.0, 1.0)

        def add(data: KrInput) -> None:
            okr.add_key_result(
                given.session, team=given.team, objective=objective, data=data, now=NOW
            )

        for bad, key in [
            (KrInput("x", start=10, target=10, unit="个"), "okr.error.target_equals_start"),
            (KrInput("x", kind=KrKind.MILESTONE, start=-1, target=3), "okr.error.negative"),
            (KrInput("x", start=1, target=10, weight=-10), "okr.error.negative"),
            (KrInput("x", start=1, target=10, weight=101), "okr.error.weight_range"),
            (
                KrInput("x", kind=KrKind.INCREASE, start=10, target=1),
                "okr.error.direction_increase",
            ),
            (KrInput("x", start=float("nan"), target=1), "okr.error.value_range"),
            (KrInput("  "), "okr.error.empty_title"),
        ]:
            with pytest.raises(Invalid) as refused:
                add(bad)
            assert refused.value.key == key
        assert len(okr.key_results(given.session, [objective_id])[objective_id]) == 3


def test_weights_total_100_to_publish_and_even_split(sqlite_runtime: Runtime, team_id: int) -> None:
    with team_session(sqlite_runtime, team_id) as given:
        objective_id = _spec_objective(given, weights=(40, 40, 30))
        objective = okr.get_objective(given.session, team=given.team, objective_id=objective_id)
        q4 = cycles.by_key(given.session, team=given.team, key="2026Q4")
        with pytest.raises(Invalid) as refused:
            okr.publish(given.session, team=given.team, cycle=q4, chosen=[objective], now=NOW)
        text = refused.value.message()
        assert "O-1 的KR权重合计 110%，应为 100%（KR-1 40%、KR-2 40%、KR-3 30%）" in text
        assert objective.state == ObjectiveState.DRAFT.value
        with pytest.raises(Invalid) as wrong:
            okr.set_weights(given.session, objective=objective, weights=[50, -10, 60])
        assert wrong.value.key == "okr.error.negative"
        with pytest.raises(Invalid) as wrong:
            okr.set_weights(given.session, objective=objective, weights=[50, 50])
        assert wrong.value.key == "okr.error.weights_count"
        with pytest.raises(Invalid) as wrong:
            okr.set_weights(given.session, objective=objective, weights=[50, 30, 19])
        assert wrong.value.key == "okr.error.weights_sum"
        krs = okr.key_results(given.session, [objective_id])[objective_id]
        assert [k.weight for k in krs] == [40, 40, 30]  # nothing changed on refusals
        okr.even_weights(given.session, objective=objective)
        assert [k.weight for k in krs] == [34, 33, 33]
        okr.publish(given.session, team=given.team, cycle=q4, chosen=[objective], now=NOW)
        assert objective.state == ObjectiveState.PUBLISHED.value
        with pytest.raises(Invalid) as published:  # a published O keeps 100%
            okr.add_key_result(
                given.session,
                team=given.team,
                objective=objective,
                data=KrInput("再加一个", start=0, target=5, unit="个", weight=10),
                now=NOW,
            )
        assert published.value.key == "okr.error.weights_sum"


def test_publish_checks_give_every_reason(sqlite_runtime: Runtime, team_id: int) -> None:
    with team_session(sqlite_runtime, team_id) as given:
        q4 = cycles.by_key(given.session, team=given.team, key="2026Q4")
        objective = okr.create_objective(
            given.session, team=given.team, cycle=q4, owner=given.member("lisi"), title="O", now=NOW
        )
        okr.add_key_result(
            given.session,
            team=given.team,
            objective=objective,
            data=KrInput("没有单位", start=1, target=5, weight=100),
            now=NOW,
        )
        with pytest.raises(Invalid) as refused:
            okr.publish(given.session, team=given.team, cycle=q4, chosen=[objective], now=NOW)
        text = refused.value.message()
        assert "O-1 有 1 个KR，应为 2–5 个" in text
        assert "KR-1 缺少单位" in text
        okr.add_key_result(
            given.session, team=given.team, objective=objective, data=KrInput("无数值"), now=NOW
        )
        with pytest.raises(Invalid) as refused:
            okr.publish(given.session, team=given.team, cycle=q4, chosen=[objective], now=NOW)
        assert "KR-2 缺少起始值或目标值" in refused.value.message()
        for i in range(5):
            okr.create_objective(
                given.session,
                team=given.team,
                cycle=q4,
                owner=given.member("lisi"),
                title=f"{i}",
                now=NOW,
            )
        with pytest.raises(Invalid) as refused:
            okr.publish(given.session, team=given.team, cycle=q4, chosen=[objective], now=NOW)
        assert "现在有 6 个" in refused.value.message()


def _check_in(
    given: Demo, ref: str, value: float, now: datetime, confidence: int | None = None
) -> CheckIn:
    kr = okr.find_key_result(
        given.session, team=given.team, ref=ref, today=cycles.today_of(given.team, now)
    )
    return checkins.check_in(
        given.session,
        team=given.team,
        key_result=kr,
        author=given.member("zhangsan"),
        value=value,
        confidence=confidence,
        comment="",
        now=now,
    )


def test_check_ins_roll_up_by_weight(sqlite_runtime: Runtime, team_id: int) -> None:
    with team_session(sqlite_runtime, team_id) as given:
        objective_id = _spec_objective(given)
        objective = okr.get_objective(given.session, team=given.team, objective_id=objective_id)
        q4 = cycles.by_key(given.session, team=given.team, key="2026Q4")
        _check_in(given, "KR-1", 30, NOW, confidence=7)
        _check_in(given, "KR-2", 160, NOW, confidence=6)
        expected = expectation(ChinaWorkdays(), q4, NOW.date())
        [view] = roll_up(given.session, team=given.team, objectives=[objective], expected=expected)
        assert [round(k.raw, 4) for k in view.krs] == [0.5, 0.6, 0.0]
        assert view.progress == pytest.approx(0.40)
        assert view.confidence == pytest.approx((50 * 7 + 25 * 6) / 75)
        assert view.lowest_confidence == 6
        _check_in(given, "KR-1", 5, NOW)
        [view] = roll_up(given.session, team=given.team, objectives=[objective], expected=expected)
        assert view.krs[0].raw == pytest.approx(1.125) and view.krs[0].over
        assert view.progress == pytest.approx(0.65)
        # 2026Q4 has 62 working days, 28 before 11-16: 国庆 10-01..10-07 off, Sat 10-10 on.
        assert (expected.done, expected.total) == (28, 62)
        assert expected.done == len(
            chinese_calendar.get_workdays(q4.start_date, date(2026, 11, 15))
        )


def test_check_ins_after_close_are_refused_and_late_ones_flagged(
    sqlite_runtime: Runtime, team_id: int
) -> None:
    with team_session(sqlite_runtime, team_id) as given:
        q3 = cycles.by_key(given.session, team=given.team, key="2026Q3")
        objective = okr.create_objective(
            given.session,
            team=given.team,
            cycle=q3,
            owner=given.member("zhangsan"),
            title="Q3",
            now=at("2026-07-02 10:00"),
        )
        for title in ("a", "b"):
            okr.add_key_result(
                given.session,
                team=given.team,
                objective=objective,
                data=KrInput(title, start=0, target=100, unit="%", weight=50),
                now=at("2026-07-02 10:00"),
            )
        kr = okr.key_results(given.session, [objective.id])[objective.id][0]

        def check_in(now: datetime) -> CheckIn:
            return checkins.check_in(
                given.session,
                team=given.team,
                key_result=kr,
                author=None,
                value=80,
                confidence=None,
                comment="",
                now=now,
            )

        assert not check_in(at("2026-09-30 23:30")).late  # still Q3 in Beijing
        assert check_in(at("2026-10-01 00:30")).late  # the grading window: 补登
        cycles.close(
            given.session, team=given.team, cycle=q3, actor=None, now=at("2026-10-09 12:00")
        )
        before = given.session.scalar(select(func.count()).select_from(CheckIn))
        with pytest.raises(Conflict) as refused:
            check_in(at("2026-10-10 09:00"))
        assert refused.value.key == "okr.error.cycle_closed"
        assert "2026Q3 已于10月9日关闭" in refused.value.message()
        assert "/重开周期 2026Q3" in refused.value.message()
        assert given.session.scalar(select(func.count()).select_from(CheckIn)) == before
        with pytest.raises(Conflict) as early:
            q1 = cycles.by_key(given.session, team=given.team, key="2027Q1")
            o = okr.create_objective(
                given.session, team=given.team, cycle=q1, owner=None, title="x", now=NOW
            )
            future = okr.add_key_result(
                given.session,
                team=given.team,
                objective=o,
                data=KrInput("y", start=0, target=1, unit="个"),
                now=NOW,
            )
            checkins.check_in(
                given.session,
                team=given.team,
                key_result=future,
                author=None,
                value=1,
                confidence=None,
                comment="",
                now=NOW,
            )
        assert early.value.key == "okr.error.cycle_not_started"


def test_check_in_values_are_checked(sqlite_runtime: Runtime, team_id: int) -> None:
    with team_session(sqlite_runtime, team_id) as given:
        _spec_objective(given)
        before = given.session.scalar(select(func.count()).select_from(CheckIn))
        for ref, value, confidence, key in [
            ("KR-3", -1, None, "okr.error.binary_value"),  # KR-1 may go below zero
            ("KR-1", 3, 11, "okr.error.confidence_range"),
            ("KR-1", 3, -1, "okr.error.negative"),
            ("KR-3", 0.5, None, "okr.error.binary_value"),
        ]:
            with pytest.raises(Invalid) as refused:
                _check_in(given, ref, value, NOW, confidence=confidence)
            assert refused.value.key == key
        assert given.session.scalar(select(func.count()).select_from(CheckIn)) == before


def test_scores_suggested_and_overridden_with_a_reason(
    sqlite_runtime: Runtime, team_id: int
) -> None:
    with team_session(sqlite_runtime, team_id) as given:
        objective_id = _spec_objective(given)
        objective = okr.get_objective(given.session, team=given.team, objective_id=objective_id)
        _check_in(given, "KR-1", 30, NOW)
        _check_in(given, "KR-2", 160, NOW)
        kr2 = okr.find_key_result(given.session, team=given.team, ref="KR-2", today=NOW.date())
        assert scoring.suggested_kr(kr2) == 0.6
        with pytest.raises(Invalid) as refused:
            scoring.score_key_result(
                given.session, team=given.team, key_result=kr2, value=0.8, reason=None, now=NOW
            )
        assert refused.value.key == "okr.error.score_needs_reason"
        assert (
            okr.get_key_result(given.session, team=given.team, key_result_id=kr2.id).score is None
        )
        scoring.score_key_result(
            given.session,
            team=given.team,
            key_result=kr2,
            value=0.8,
            reason="大客户合同已签",
            now=NOW,
        )
        assert (kr2.score, kr2.score_reason) == (0.8, "大客户合同已签")
        for text in ("1.2", "0.75", "abc", "-0.1"):
            with pytest.raises(Invalid) as bad:
                scoring.parse_score(text)
            assert "0–1，保留一位小数" in bad.value.message()
        [o_score] = scoring.objective_scores(given.session, [objective])
        # KR-1 0.5 (w 50), KR-2 0.8 (w 25), KR-3 0 (w 25) → 0.45 → 0.5 (half up)
        assert o_score.suggested == 0.5 and o_score.final == 0.5
        # a draft is no part of the cycle's result (tester s29 F-11); published, it is
        assert scoring.cycle_score([o_score]) is None
        cycle = cycles.get(given.session, team=given.team, cycle_id=objective.cycle_id)
        okr.publish(given.session, team=given.team, cycle=cycle, chosen=[objective], now=NOW)
        assert scoring.cycle_score([o_score]) == 0.5


def test_alignment_refuses_loops_and_reports(sqlite_runtime: Runtime, team_id: int) -> None:
    with team_session(sqlite_runtime, team_id) as given:
        o1 = okr.get_objective(given.session, team=given.team, objective_id=_spec_objective(given))
        q4 = o1.cycle_id
        cycle = cycles.get(given.session, team=given.team, cycle_id=q4)
        o2 = okr.create_objective(
            given.session,
            team=given.team,
            cycle=cycle,
            owner=given.member("lisi"),
            title="二",
            now=NOW,
        )
        o3 = okr.create_objective(
            given.session,
            team=given.team,
            cycle=cycle,
            owner=given.member("lisi"),
            title="三",
            now=NOW,
        )

        def link(child_type: str, child_id: int, label: str, parent: Objective) -> None:
            alignment.align(
                given.session,
                child_type=child_type,
                child_id=child_id,
                child_label=label,
                parent=parent,
                actor=None,
                now=NOW,
            )

        link("objective", o2.id, "O-2", o1)
        link("objective", o3.id, "O-3", o2)
        link("objective", o3.id, "O-3", o1)  # several parents
        for child_type, child_id, label, parent in [
            ("objective", o1.id, "O-1", o3),  # O-1 ← O-2 ← O-3 ← O-1
            ("objective", o1.id, "O-1", o1),
            ("key_result", okr.key_results(given.session, [o1.id])[o1.id][0].id, "KR-1", o2),
        ]:
            with pytest.raises(Conflict) as refused:
                link(child_type, child_id, label, parent)
            assert refused.value.key == "okr.error.alignment_cycle"
        with pytest.raises(Conflict):
            link("objective", o2.id, "O-2", o1)
        given.member("lisi").active = False
        found = alignment.report(given.session, objectives=[o1, o2, o3])
        assert [o.number for o in found.unaligned] == [1]
        assert [o.number for o in found.unsupported] == [3]
        assert [o.number for o in found.orphaned] == [2, 3]
        assert len(found.links) == 3
