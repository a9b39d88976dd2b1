"""The OKR team benchmark runs end to end at a small size (no timing assertions): the team page
lists every O, and the roll-up and the page run a fixed number of statements whatever the size
(one query per table, not one per O)."""

from __future__ import annotations

import pytest
from benchmarks import okr_team

pytestmark = pytest.mark.bench


def test_okr_benchmark_runs_small_with_statements_independent_of_size() -> None:
    small = okr_team.run(2, calls=1, reps=1)
    larger = okr_team.run(5, calls=1, reps=1)
    assert (larger.objectives, larger.key_results, larger.check_ins) == (15, 60, 720)
    assert set(larger.rounds) == {"bare", "roll-up", "KR views", "team page"}
    assert larger.statements == small.statements
    assert larger.statements["roll-up"] <= 5
    assert larger.statements["KR views"] <= 5
    lines = okr_team.report(larger)
    assert lines[0].startswith("5 people · 15 Os · 60 KRs · 720 check-ins")
    assert "x bare" in lines[2] and lines[2].startswith("roll-up")
