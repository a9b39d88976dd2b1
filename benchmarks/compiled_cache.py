"""A demo test's CPU with a compiled-statement cache per engine and with the shared one.

Each round is what a chat test does: an emptied database, a runtime on a new engine, the demo
copied in, five commands, the runtime closed. Both ways alternate, twice, in one process (the
same load for both); the figure is this process's CPU per round (``tests/support/compiled.py``).

Run from the repository's root with the test servers' URLs set
(``TEAMASSIST_TEST_PG_URL``, ``TEAMASSIST_TEST_MYSQL_URL``):
``PYTHONPATH=src .venv/bin/python -m benchmarks.compiled_cache sqlite 8``.
"""

from __future__ import annotations

import os
import sys
import time

from tests import conftest
from tests.support import compiled
from tests.support.chat import ChatDriver

from teamassist.clock import FrozenClock

COMMANDS = (
    "/销项 @lisi 完成接口文档 2026-06-04",
    "/我的销项",
    "/今日值班",
    "/问题反馈 打印机坏了",
    "/我是谁",
)


def run(backend: str, rounds: int) -> None:
    """Print CPU ms per round for each way, alternating twice."""
    database = conftest.migrated(backend)
    clock = FrozenClock(conftest.DEFAULT_NOW)

    def one(per_engine: bool) -> None:
        runtime = conftest.make_runtime(database.fresh_url(demo_next=True), clock)
        if per_engine:  # a cache of its own, as an engine has without the shared one
            runtime.engine.update_execution_options(compiled_cache=compiled.SharedCompiledCache())
        conftest.load_demo(runtime)
        chat = ChatDriver(runtime)
        for text in COMMANDS:
            chat.text(text, as_="zhangsan")
        runtime.close()

    try:
        one(False)  # the session's real demo load
        for _ in range(2):
            for way, per_engine in (("per engine", True), ("shared", False)):
                one(per_engine)
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(rounds):
                    one(per_engine)
                cpu = (time.process_time() - cpu) / rounds * 1000
                wall = (time.perf_counter() - wall) / rounds * 1000
                load = os.getloadavg()[0]
                print(
                    f"{backend} {way}: CPU {cpu:.0f} ms, wall {wall:.0f} ms a round, "
                    f"load {load:.1f}"
                )
    finally:
        database.drop()


if __name__ == "__main__":
    run(
        sys.argv[1] if len(sys.argv) > 1 else "sqlite", int(sys.argv[2]) if len(sys.argv) > 2 else 8
    )
