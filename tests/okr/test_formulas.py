"""The OKR arithmetic: the spec's worked cases, then properties (direction, clamping, weights,
working-day expectation) over generated inputs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from teamassist.okr import formulas
from teamassist.okr.formulas import KrKind, Status
from teamassist.workdays import ChinaWorkdays

WORKDAYS = ChinaWorkdays()
values = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)


def test_decreasing_kr_and_weighted_roll_up_of_the_spec() -> None:
    # okr-wave-spec case 3: 缺陷数 50→10 (w 50), 营收 100→200 (w 25), binary (w 25).
    defects = formulas.progress(KrKind.DECREASE, start=50, target=10, current=30)
    revenue = formulas.progress(KrKind.INCREASE, start=100, target=200, current=160)
    binary = formulas.progress(KrKind.BINARY, start=0, target=1, current=None)
    assert defects == pytest.approx(0.5)
    assert revenue == pytest.approx(0.6)
    assert formulas.weighted([defects, revenue, binary], [50, 25, 25]) == pytest.approx(0.40)
    over = formulas.progress(KrKind.DECREASE, start=50, target=10, current=5)
    assert over == pytest.approx(1.125)  # shown as 112.5%
    assert formulas.weighted([over, revenue, binary], [50, 25, 25]) == pytest.approx(0.65)


def test_anchor_worked_example_weighted_and_equal() -> None:
    # anchors-okr D6: weights 2:1:1 are 50/25/25 in whole percents.
    p = [0.6, 0.5, 0.0]
    assert formulas.weighted(p, [50, 25, 25]) == pytest.approx(0.425)
    assert formulas.mean(p) == pytest.approx(0.3667, abs=1e-4)


def test_stay_kinds_are_inclusive_and_binary_is_zero_or_one() -> None:
    assert formulas.progress(KrKind.STAY_ABOVE, start=0, target=99.9, current=99.9) == 1
    assert formulas.progress(KrKind.STAY_ABOVE, start=0, target=99.9, current=99.8) == 0
    assert formulas.progress(KrKind.STAY_BELOW, start=0, target=200, current=200) == 1
    assert formulas.progress(KrKind.STAY_BELOW, start=0, target=200, current=201) == 0
    assert formulas.progress(KrKind.BINARY, start=0, target=1, current=1) == 1
    assert formulas.progress(KrKind.MILESTONE, start=0, target=4, current=3) == 0.75


def test_even_split_is_largest_remainder() -> None:
    assert formulas.even_split(3) == [34, 33, 33]
    assert formulas.even_split(4) == [25, 25, 25, 25]
    assert formulas.even_split(6) == [17, 17, 17, 17, 16, 16]
    assert formulas.largest_remainder([2, 1, 1]) == [50, 25, 25]


def test_scores_round_half_up_to_one_decimal() -> None:
    assert formulas.one_decimal(0.25) == 0.3  # Python's round() would give 0.2
    assert formulas.one_decimal(0.65) == 0.7
    assert formulas.suggested_kr_score(KrKind.INCREASE, 1.125) == 1.0
    assert formulas.suggested_kr_score(KrKind.INCREASE, 0.6) == 0.6
    assert formulas.suggested_kr_score(KrKind.INCREASE, -0.4) == 0.0
    assert formulas.suggested_kr_score(KrKind.BINARY, 0.0) == 0.0
    assert formulas.suggested_objective_score([1.0, 0.6, 0.0], [50, 25, 25]) == 0.7  # 0.65 up
    assert formulas.is_score(0.8) and not formulas.is_score(0.75) and not formulas.is_score(1.2)


def test_status_thresholds() -> None:
    assert formulas.status(0.57, 0.6) is Status.ON_TRACK  # 0.95·E = 0.57
    assert formulas.status(0.45, 0.6) is Status.AT_RISK  # 0.75·E = 0.45
    assert formulas.status(0.44, 0.6) is Status.OFF_TRACK
    assert formulas.status(0.44, 0.6, on_track=0.8, at_risk=0.5) is Status.AT_RISK
    assert formulas.status(0.0, 0.0) is Status.ON_TRACK  # nothing expected yet


def test_spring_festival_does_not_make_everyone_look_behind() -> None:
    q1 = {"start": date(2026, 1, 1), "end": date(2026, 3, 31)}
    before = formulas.expected(WORKDAYS, today=date(2026, 2, 15), **q1)
    after = formulas.expected(WORKDAYS, today=date(2026, 2, 24), **q1)
    assert before.share == after.share  # 02-15..02-23 are all days off
    assert after.total == sum(
        WORKDAYS.is_workday(date(2026, 1, 1) + timedelta(days=i)) for i in range(90)
    )
    assert after.provisional_years == ()


def test_a_year_without_official_data_is_provisional() -> None:
    q1 = formulas.expected(
        WORKDAYS, start=date(2027, 1, 1), end=date(2027, 3, 31), today=date(2027, 2, 1)
    )
    assert q1.provisional_years == (2027,)
    # Monday–Friday of 2027 Q1 (63) less the statutory days the law fixes even without
    # official data: 元旦 01-01, 春节 除夕 02-05 and 初三 02-08, and the 补假 02-09/02-10 for
    # 初一/初二 on the weekend
    assert q1.total == 59


# -- properties ------------------------------------------------------------------------------


@given(start=values, target=values, current=values)
def test_progress_reads_either_direction(start: float, target: float, current: float) -> None:
    assume(abs(target - start) > 1e-6)
    kind = KrKind.INCREASE if target > start else KrKind.DECREASE
    there = formulas.progress(kind, start=start, target=target, current=target)
    assert there == pytest.approx(1.0)
    assert formulas.progress(kind, start=start, target=target, current=start) == 0.0
    forward = formulas.progress(kind, start=start, target=target, current=current)
    backward = formulas.progress(kind, start=target, target=start, current=current)
    # The mirror KR: together they make 1 (within rounding of numbers as large as they are).
    assert forward + backward == pytest.approx(1.0, abs=1e-9 * max(1.0, abs(forward)))


@given(start=values, target=values, a=values, b=values)
def test_progress_grows_toward_the_target(start: float, target: float, a: float, b: float) -> None:
    assume(abs(target - start) > 1e-6)
    kind = KrKind.INCREASE if target > start else KrKind.DECREASE
    nearer, farther = sorted((a, b), key=lambda v: abs(target - v))
    assume((nearer - farther) * (target - start) >= 0)  # nearer lies on the target's side
    p_near = formulas.progress(kind, start=start, target=target, current=nearer)
    p_far = formulas.progress(kind, start=start, target=target, current=farther)
    assert p_near >= p_far - 1e-9


raw_progress = st.floats(min_value=-5, max_value=5, allow_nan=False)
weight_lists = st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=8)


@given(data=st.data(), weights=weight_lists)
def test_roll_up_clamps_but_keeps_the_order(data: st.DataObject, weights: list[int]) -> None:
    raws = data.draw(st.lists(raw_progress, min_size=len(weights), max_size=len(weights)))
    value = formulas.weighted(raws, weights)
    assert 0.0 <= value <= 1.0
    inside = [formulas.clamp(r) for r in raws]
    assert value == pytest.approx(formulas.weighted(inside, weights))
    raised = [r + 1 for r in raws]  # everyone moves forward: the O never goes back
    assert formulas.weighted(raised, weights) >= value - 1e-9


@given(progress=st.floats(min_value=0, max_value=1), weights=weight_lists)
def test_equal_progress_rolls_up_to_itself(progress: float, weights: list[int]) -> None:
    assert formulas.weighted([progress] * len(weights), weights) == pytest.approx(progress)


@given(shares=st.lists(st.floats(min_value=0, max_value=1000), min_size=1, max_size=12))
def test_largest_remainder_totals_exactly(shares: list[float]) -> None:
    split = formulas.largest_remainder(shares)
    assert sum(split) == 100
    whole = sum(shares)
    for share, part in zip(shares, split, strict=True):
        quota = 100 * share / whole if whole > 0 else 100 / len(shares)
        assert quota - 1 < part < quota + 1  # never more than a unit from its quota


@given(count=st.integers(min_value=1, max_value=50))
def test_even_split_differs_by_at_most_one(count: int) -> None:
    split = formulas.even_split(count)
    assert sum(split) == 100 and max(split) - min(split) <= 1
    assert split == sorted(split, reverse=True)  # the extra units go to the first KRs


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
# The provisional years' tables (and lunar_python's 0.3 s import) are built once per process:
# built here, not inside a timed example of the property below.
for _year in (2027, 2028):
    WORKDAYS.is_workday(date(_year, 1, 1))


@given(first=days, length=st.integers(min_value=0, max_value=370), a=days, b=days)
def test_expectation_counts_working_days(first: date, length: int, a: date, b: date) -> None:
    end = first + timedelta(days=length)
    early, late = sorted((a, b))
    e1 = formulas.expected(WORKDAYS, start=first, end=end, today=early)
    e2 = formulas.expected(WORKDAYS, start=first, end=end, today=late)
    assert 0.0 <= e1.share <= e2.share <= 1.0  # never goes back
    assert formulas.expected(WORKDAYS, start=first, end=end, today=first).share == 0.0
    after = formulas.expected(WORKDAYS, start=first, end=end, today=end + timedelta(days=1))
    assert after.share == 1.0
    if first <= early <= end:
        working = sum(
            WORKDAYS.is_workday(first + timedelta(days=i)) for i in range((early - first).days)
        )
        assert e1.done == working
    expected_years = tuple(y for y in range(first.year, end.year + 1) if y >= 2027)
    assert e1.provisional_years == expected_years  # chinesecalendar 1.11 knows up to 2026
