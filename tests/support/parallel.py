"""Run one piece of work from several threads released at the same instant (races of repeats,
double taps, claims): every thread waits at a barrier, then calls ``work``; a thread's failure is
kept as text among the results, so the test sees it instead of a silent missing answer."""

from __future__ import annotations

import threading
from collections.abc import Callable


def at_once(count: int, work: Callable[[], str], *, timeout: float = 120) -> list[str]:
    """``work()`` called by ``count`` threads at once; their answers in finishing order, a raised
    exception as ``"<Type>: <message>"``. Fails when a thread is still running after ``timeout``
    seconds (a stall, not a slow answer)."""
    ready = threading.Barrier(count, timeout=60)
    answers: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        ready.wait()
        try:
            answer = work()
        except Exception as crashed:  # a thread's failure is the test's
            answer = f"{type(crashed).__name__}: {crashed}"
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, f"{stuck} of {count} threads still running after {timeout} s"
    return answers
