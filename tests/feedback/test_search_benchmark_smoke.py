"""The search benchmark runs end to end at a small size on SQLite (no timing assertions)."""

from __future__ import annotations

import tempfile
from pathlib import Path

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
        "search fixed 20",
        "search fixed 20, 2 chars",
        "search no hit",
        "search no hit, frequent parts",
        "board page 1",
    }
    assert all(len(s) == 2 for s in figures.samples.values())
    hits = {label: n for (_b, _s, label), n in figures.hits.items()}
    assert hits["search fixed 20"] == hits["search fixed 20, 2 chars"] == 20
    assert hits["search no hit"] == hits["search no hit, frequent parts"] == 0
    assert hits["search rare"] == 2 and hits["board page 1"] == 1001
    assert all(n > 0 for n in figures.statements.values())
    lines = feedback_search.report(figures)
    assert lines[0].startswith("bare FastAPI endpoint") and len(lines) == 10
    assert "x bare" in lines[1] and "statements" in lines[1]


def test_search_benchmark_keeps_and_reuses_its_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first = feedback_search.run((300,), calls=1, backends=("sqlite",), keep=True)
    assert (tmp_path / "ta-search-keep" / f"{feedback_search.kept_name(300)}.db").exists()
    again = feedback_search.run((300,), calls=1, backends=("sqlite",), keep=True)
    assert ("sqlite", 300) in first.fill_seconds and not again.fill_seconds  # not filled again
    assert again.hits == first.hits


def test_search_benchmark_builds_the_mariadb_grams_after_the_fill() -> None:
    """The MariaDB fill drops the insert trigger, backfills, and puts everything back."""
    require_backend("mysql")
    figures = feedback_search.run((300,), calls=1, backends=("mysql",))
    lines = feedback_search.report(figures)
    # every search found its items through the grams built after the fill
    assert lines[-1].endswith("MiB") and "grams" in lines[-1]
    rows = feedback_search._rows(1, 1, 0, 300, 300)
    expected = sum(len(grams.grams_of(str(r["text"]).lower())) for r in rows)
    assert f"{expected:,} grams" in lines[-1]


def test_search_benchmark_data_has_what_it_searches() -> None:
    rows = feedback_search._rows(1, 1, 0, 2000, 2000)
    texts = [str(r["text"]) for r in rows]
    assert sum(feedback_search.RARE in t for t in texts) == 2  # one in a thousand
    for needle in feedback_search.QUERIES:
        assert any(needle.lower() in t.lower() for t in texts)


@pytest.mark.parametrize("size", [1000, 10_000, 100_000])
def test_the_fixed_phrase_has_the_same_hits_at_every_size(size: int) -> None:
    fixed = [
        n
        for start in range(0, size, 20_000)
        for n, row in enumerate(
            feedback_search._rows(1, 1, start, min(20_000, size - start), size), start
        )
        if feedback_search.FIXED in str(row["text"])
    ]
    assert len(fixed) == feedback_search.FIXED_HITS
    assert fixed[0] < size // 20 and fixed[-1] > size - size // 20  # spread over the ids
