"""The feedback benchmark's builder runs end to end at a small size (no timing assertions)."""

from __future__ import annotations

import pytest
from benchmarks import feedback_submit

pytestmark = pytest.mark.bench


def test_feedback_benchmark_runs_small() -> None:
    figures = feedback_submit.run(submissions=30, items=300, days=10, queries=20)
    assert figures.submissions == 30
    assert len(figures.submit_latencies) == 30
    assert figures.items_in_db == 4 + 30 + 300  # the demo's four, the submitted, the bulk
    # each item is announced to the internal channel and to the webhook robot
    assert figures.notices_queued >= 2 * 30
    assert figures.day_queries == 20 and sum(figures.day_rows) > 0
    lines = feedback_submit.report(figures)
    assert lines[1].startswith("submit: 30 commands")
    assert "p99" in lines[2]
