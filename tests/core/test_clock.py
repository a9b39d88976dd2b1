"""One HH:MM parser for every local time of day (job times, quiet windows, hand-offs)."""

from __future__ import annotations

from datetime import time

import pytest

from teamassist.clock import is_hhmm, parse_hhmm
from teamassist.feedback.worktime import WorkHours


@pytest.mark.parametrize(
    ("text", "expected"),
    [("00:00", time(0, 0)), ("09:05", time(9, 5)), ("23:59", time(23, 59)), ("18:00", time(18))],
)
def test_reads_valid_times(text: str, expected: time) -> None:
    assert parse_hhmm(text) == expected
    assert is_hhmm(text)


@pytest.mark.parametrize(
    "text",
    [
        "24:00",
        "9:5x",
        "",
        "12:60",
        "9:00",
        "12",
        "12:5",
        "12:000",
        " 12:00",
        "12:00\n",
        "１２:００",
        "-1:00",
    ],
)
def test_refuses_bad_times(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_hhmm(text)
    assert not is_hhmm(text)


def test_refuses_non_strings() -> None:
    assert not is_hhmm(900)
    with pytest.raises(ValueError):
        parse_hhmm(900)  # type: ignore[arg-type]


def test_work_hours_with_a_bad_time_fall_back_to_the_default() -> None:
    assert WorkHours.parse(["09:00", "24:00"]) == WorkHours()
    assert WorkHours.parse(["10:00", "16:30"]) == WorkHours(time(10), time(16, 30))
