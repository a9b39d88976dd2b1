"""The search benchmark runs end to end at a small size on SQLite (no timing assertions)."""

from __future__ import annotations

import pytest
from benchmarks import feedback_search

pytestmark = pytest.mark.bench


def test_search_benchmark_runs_small() -> None:
    figures = feedback_search.run((1500,), calls=2, backends=("sqlite",))
    labels = {label for (_backend, _size, label) in figures.samples}
    assert labels == {"search rare", "search 2 chars", "search English", "board page 1"}
    assert all(len(s) == 2 for s in figures.samples.values())
    lines = feedback_search.report(figures)
    assert lines[0].startswith("bare FastAPI endpoint") and len(lines) == 5
    assert "x bare" in lines[1]


def test_search_benchmark_data_has_what_it_searches() -> None:
    rows = feedback_search._rows(1, 1, 0, 2000)
    texts = [str(r["text"]) for r in rows]
    assert sum(feedback_search.RARE in t for t in texts) == 2  # one in a thousand
    for needle in feedback_search.QUERIES:
        assert any(needle.lower() in t.lower() for t in texts)
