"""The order a whole run hands files to its workers (tests/support/schedule.py): every test kept
once, a file's tests together and in order, the longest files first, the browser tests in one
stretch."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support import schedule


@dataclass(frozen=True)
class FakeItem:
    nodeid: str
    markers: frozenset[str] = field(default_factory=frozenset)

    def get_closest_marker(self, name: str) -> object:
        return name if name in self.markers else None


def _items(*specs: tuple[str, int]) -> list[FakeItem]:
    return [
        FakeItem(f"{path}::test_{n}[{backend}]")
        for path, count in specs
        for n in range(count)
        for backend in ("sqlite", "postgresql", "mysql")
    ]


def _files(items: list[FakeItem]) -> list[str]:
    order: list[str] = []
    for item in items:
        path = item.nodeid.split("::")[0]
        if not order or order[-1] != path:
            order.append(path)
    return order


def test_a_slow_file_of_few_tests_goes_before_files_of_many_quick_ones() -> None:
    items = _items(
        ("tests/duty/test_commands.py", 30),
        ("tests/scaleout/test_processes.py", 1),
        ("tests/okr/test_small.py", 2),
        ("tests/okr/test_big.py", 10),
    )
    ordered = schedule.longest_first(items)
    assert sorted(i.nodeid for i in ordered) == sorted(i.nodeid for i in items)  # each once
    assert _files(ordered) == [  # each file in one stretch, its tests in their order
        "tests/scaleout/test_processes.py",  # 38 s known beside ~31 s and ~10 s estimated
        "tests/duty/test_commands.py",
        "tests/okr/test_big.py",
        "tests/okr/test_small.py",
    ]
    commands = [i.nodeid for i in ordered if "test_commands" in i.nodeid]
    assert commands == [i.nodeid for i in items if "test_commands" in i.nodeid]


def test_the_browser_tests_are_handed_out_in_one_stretch() -> None:
    browser = frozenset({"browser"})
    items = [
        FakeItem("tests/e2e/test_a.py::test_1", browser),
        FakeItem("tests/e2e/test_b.py::test_1", browser),
        FakeItem("tests/e2e/test_b.py::test_2", browser),
        *_items(("tests/feedback/test_search.py", 20)),
        FakeItem("tests/e2e/test_c.py::test_1", browser),
        FakeItem("tests/scaleout/test_processes.py::test_1", frozenset({"processes"})),
    ]
    assert _files(schedule.longest_first(items)) == [
        "tests/scaleout/test_processes.py",
        "tests/feedback/test_search.py",  # 20 × (0.24 + 0.32 + 0.47) s beside 4 × 3 s
        "tests/e2e/test_a.py",
        "tests/e2e/test_b.py",
        "tests/e2e/test_c.py",
    ]
