"""``benchmarks.chat_http`` measures a change against its base in a fair order: each of the two
checkouts goes first as often as second, and the ratio printed cancels what going first is
worth (session 26: the same main served twice read 1.20x the CPU per request first)."""

from __future__ import annotations

import socket
import sys

import pytest
from benchmarks import chat_http
from benchmarks.chat_http import Run, Target, against_line, in_turn, server

from tests.support.server import free_port


def _run(requests: int, cpu_seconds: float) -> Run:
    return Run(requests=requests, seconds=1.0, cpu_seconds=cpu_seconds)


def test_every_other_repetition_runs_the_targets_in_reverse() -> None:
    targets = [
        Target(name, 1, 1, "/", {}) for name in ("bare", "insert", "chat /帮助", "against /帮助")
    ]
    orders = [[t.name for t in in_turn(targets, rep)] for rep in range(chat_http.REPS)]
    assert chat_http.REPS % 2 == 0
    firsts = [o.index("chat /帮助") < o.index("against /帮助") for o in orders]
    assert firsts.count(True) == firsts.count(False) == chat_http.REPS // 2
    assert orders[1] == ["against /帮助", "chat /帮助", "insert", "bare"]


def test_the_same_code_reads_even_whatever_going_first_is_worth() -> None:
    # A/A: both servers equal, but whichever goes first gets 1.2x the CPU and 0.8x the rate.
    first, second = _run(80, 1.2 * 80 * 0.005), _run(100, 100 * 0.005)
    mine = [first, second, first, second]  # this checkout first in the even repetitions
    base = [second, first, second, first]
    line = against_line("/帮助", mine, base)
    assert "rate 1.00x, CPU per request 1.00x" in line
    assert "order control, going first alone: rate 0.80x, CPU 1.20x" in line


def test_a_real_difference_is_kept_apart_from_the_order() -> None:
    # this checkout does 1.5x the rate at half the CPU, and going first costs 10 % of the rate
    mine = [_run(135, 135 * 0.002), _run(150, 150 * 0.002)]
    base = [_run(100, 100 * 0.004), _run(90, 90 * 0.004)]
    line = against_line("/问题反馈", mine, base)
    assert "rate 1.50x, CPU per request 0.50x" in line
    assert "rate 0.90x, CPU 1.00x" in line


_CHATTY = """
import socket, sys
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
sys.stderr.write("x" * 200_000)  # more than a pipe holds: blocks if nobody reads it
sys.stderr.flush()
while True:
    connection, _ = listener.accept()
    connection.sendall(b"served")
    connection.close()
"""


def test_a_server_that_logs_more_than_a_pipe_holds_still_serves() -> None:
    # h-chat29a, session 29: the server's stderr was a pipe nobody read during the run
    port = free_port()
    argv = [sys.executable, "-c", _CHATTY, str(port)]
    with server(argv, {}, port), socket.create_connection(("127.0.0.1", port), 10) as probe:
        probe.settimeout(10)
        assert probe.recv(16) == b"served"


def test_a_server_that_cannot_start_says_why() -> None:
    argv = [sys.executable, "-c", "import sys; sys.exit('no such database')"]
    with (
        pytest.raises(RuntimeError, match="no such database"),
        server(argv, {}, free_port()),
    ):
        pass
