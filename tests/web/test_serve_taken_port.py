"""``serve`` on a port another process holds stops at once with one Chinese line naming the
settings to change (exit 3). uvicorn binds only after the app's start-up: a tester's server
started the runtime, the scheduler and a delivery pass (~6-10 s) and then ended with uvicorn's
English "[Errno 98] error while attempting to bind", after "Application startup complete"."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

TEAMASSIST = str(Path(sys.executable).with_name("teamassist"))
CHILD_SECONDS = 600  # a fresh interpreter on a loaded machine; only guards against a hang


def _serve(
    port: int, tmp_path: Path, sqlite_url: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TEAMASSIST_DATABASE__URL": sqlite_url,
        "TEAMASSIST_CONFIG": str(tmp_path / "teamassist.toml"),
    }
    return subprocess.run(
        [TEAMASSIST, "serve", "--port", str(port), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_SECONDS,
        cwd=tmp_path,
    )


def test_a_taken_port_is_said_before_anything_starts(sqlite_url: str, tmp_path: Path) -> None:
    # Given a port another process listens on
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        # When the server is asked to serve on it
        done = _serve(port, tmp_path, sqlite_url)
    # Then it stops with exit 3 and one line that names the port and the settings to change
    assert done.returncode == 3, done.stderr
    said = done.stderr.strip().splitlines()
    assert said == [said[-1]] and f"端口 {port} 已被占用" in said[0], done.stderr
    assert "TEAMASSIST_WEB__PORT" in said[0] and "--port" in said[0]
    # and nothing was started first
    assert "startup" not in done.stderr and "Scheduler" not in done.stderr
    assert "Errno" not in done.stderr and "Traceback" not in done.stderr


def test_an_address_the_machine_does_not_have_is_said(sqlite_url: str, tmp_path: Path) -> None:
    # 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a local address
    done = _serve(8999, tmp_path, sqlite_url, "--host", "192.0.2.7")
    assert done.returncode == 3, done.stderr
    assert "无法在地址 192.0.2.7 上监听" in done.stderr and "web.host" in done.stderr
    assert "Traceback" not in done.stderr
