"""The search benchmark runs end to end at a small size on SQLite (no timing assertions)."""

from __future__ import annotations

import pytest
from benchmarks import feedback_search

from teamassist.feedback import grams
from tests.support.databases import require_backend

pytestmark = pytest.mark.bench


def test_search_benchmark_runs_small() -> None:
    figures = feedback_search.run((1500,), calls=2, backends=("sqlite",))
    labels = {label for (_backend, _size, label) in figures.samples}
    assert labels == {
        "search rare",
        "search 2 chars",
        "search English",
        "search 1 char",
        "board page 1",
    }
    assert all(len(s) == 2 for s in figures.samples.values())
    lines = feedback_search.report(figures)
    assert lines[0].startswith("bare FastAPI endpoint") and len(lines) == 6
    assert "x bare" in lines[1]


def test_search_benchmark_builds_the_mariadb_grams_after_the_fill() -> None:
    """The MariaDB fill drops the insert trigger, backfills, and puts everything back."""
    require_backend("mysql")
    figures = feedback_search.run((300,), calls=1, backends=("mysql",))
    lines = feedback_search.report(figures)
    # every search found its items through the grams built after the fill
    assert lines[-1].endswith("MiB") and "grams" in lines[-1]
    rows = feedback_search._rows(1, 1, 0, 300)
    expected = sum(len(grams.grams_of(str(r["text"]).lower())) for r in rows)
    assert f"{expected:,} grams" in lines[-1]


def test_search_benchmark_data_has_what_it_searches() -> None:
    rows = feedback_search._rows(1, 1, 0, 2000)
    texts = [str(r["text"]) for r in rows]
    assert sum(feedback_search.RARE in t for t in texts) == 2  # one in a thousand
    for needle in feedback_search.QUERIES:
        assert any(needle.lower() in t.lower() for t in texts)
