"""The order a whole run hands its test files to the workers: the longest first.

``scripts/test.sh`` runs ``-n 2 --dist loadfile --no-loadscope-reorder``: xdist gives one file
at a time to whichever worker is about to run out of tests, in the order of the collected items.
Its own order (``--loadscope-reorder``, the default) is by number of tests, most first, which
hands out last the files of one to three long tests, and the worker that takes one of those last
runs it alone while the other waits: session 26's slowest phases were such files (the quarter of
meetings, 3 tests, 64 s; the scale-out processes, 2 tests, 38 s). Here each file's time is
estimated and the files go longest first (LPT scheduling), so those handed out last are short.

An estimate only orders: a wrong or missing one costs balance, never a test. The browser tests
stay together (one Chromium per worker's run of them, ``tests/e2e/conftest.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

# Seconds a test takes on a nearly idle machine, by backend (a whole run's ~1,400 worker seconds
# for ~4,700 tests, shared in session 24's ratios of wall time per test by backend).
PER_TEST = {"none": 0.21, "sqlite": 0.24, "postgresql": 0.32, "mysql": 0.47}
# ... and by marker, for tests that start something slow.
PER_MARKED_TEST = {"processes": 15.0, "browser": 3.0}
# Files whose tests are slower than that, in worker seconds on every backend: their phases in the
# 25 slowest of session 26's whole runs (269c891, fcfbe7a), or measured since.
SLOW_FILES = {
    "tests/scaleout/test_processes.py": 38.0,
    "tests/team/test_first_run_cli.py": 30.0,
    "tests/workspace/test_feishu_workspace.py": 28.0,
    "tests/meetings/test_quarter.py": 20.0,  # 65 s until its ticks ran the meetings' jobs alone
    "tests/storage/test_concurrency.py": 20.0,
    "tests/scaleout/test_roles.py": 15.0,
    "tests/web/test_team_walk.py": 12.0,
    "tests/web/test_flat_routes.py": 12.0,
    "tests/house/test_catalogue_keys.py": 8.0,
}
TOGETHER = ("tests/e2e/",)  # packages whose files are handed out one after the other

_BACKEND = re.compile(r"\[(sqlite|postgresql|mysql)\b")


class Item(Protocol):
    """What the ordering reads of a collected test (a ``pytest.Item``)."""

    @property
    def nodeid(self) -> str: ...

    def get_closest_marker(self, name: str) -> object: ...


ItemT = TypeVar("ItemT", bound=Item)


def cost(item: Item) -> float:
    """The estimated seconds of one test."""
    for marker, seconds in PER_MARKED_TEST.items():
        if item.get_closest_marker(marker) is not None:
            return seconds
    found = _BACKEND.search(item.nodeid)
    return PER_TEST[found.group(1) if found else "none"]


def group_of(nodeid: str) -> str:
    """The unit that is ordered: a file, or a package kept together."""
    path = nodeid.split("::", 1)[0]
    return next((package for package in TOGETHER if path.startswith(package)), path)


def longest_first(items: Sequence[ItemT]) -> list[ItemT]:
    """``items`` with their files (and kept-together packages) longest first; a file's tests,
    and the files of a package, stay in their order. Ties keep the collection's order."""
    groups: dict[str, list[ItemT]] = {}
    files: dict[str, float] = {}
    for item in items:
        groups.setdefault(group_of(item.nodeid), []).append(item)
        path = item.nodeid.split("::", 1)[0]
        files[path] = files.get(path, 0.0) + cost(item)
    estimate: dict[str, float] = {}
    for path, seconds in files.items():
        group = group_of(path)
        estimate[group] = estimate.get(group, 0.0) + max(seconds, SLOW_FILES.get(path, 0.0))
    order = sorted(groups, key=lambda group: -estimate[group])  # stable: ties as collected
    return [item for group in order for item in groups[group]]
