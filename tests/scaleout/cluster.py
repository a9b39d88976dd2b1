"""The scale-out topology as real local processes for a test: two ``teamassist serve``, two
``teamassist worker``, two ``teamassist beat`` on one PostgreSQL database and one Redis DB, all
reading "now" from one clock file (``TEAMASSIST_TEST_CLOCK_FILE``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from teamassist.clock import TEST_CLOCK_ENV
from tests.support.server import free_port

TEAMASSIST = str(Path(sys.executable).with_name("teamassist"))


@dataclass
class Process:
    """One started role: its process (the leader of its own process group) and log."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the role and its children (a prefork worker's pool)."""
        os.killpg(self.popen.pid, sig)

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


@dataclass
class Cluster:
    """The processes of one test and the clock they share."""

    folder: Path
    env: dict[str, str]
    processes: list[Process] = field(default_factory=list)

    @property
    def clock_file(self) -> Path:
        return self.folder / "now"

    def set_clock(self, instant: datetime) -> None:
        """Move every process's "now" to ``instant`` (written whole, then renamed over)."""
        staging = self.folder / "now.next"
        staging.write_text(instant.isoformat())
        staging.replace(self.clock_file)

    def start(self, name: str, *args: str, port: int | None = None) -> Process:
        log = self.folder / f"{name}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(
            [TEAMASSIST, *args],
            env=self.env,
            cwd=self.folder,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the pool along
        )
        handle.close()
        process = Process(name, popen, log, port)
        self.processes.append(process)
        return process

    def serve(self, name: str) -> Process:
        port = free_port()
        return self.start(name, "serve", "--host", "127.0.0.1", "--port", str(port), port=port)

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until every serve answers and every worker and beat has logged that it started."""
        deadline = time.monotonic() + timeout
        for process in self.processes:
            while not self._ready(process):
                if process.popen.poll() is not None:
                    raise RuntimeError(f"{process.name} exited:\n{process.text()[-3000:]}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{process.name} not ready:\n{process.text()[-3000:]}")
                time.sleep(0.2)

    @staticmethod
    def _ready(process: Process) -> bool:
        if process.port is not None:
            try:
                return httpx.get(process.url + "/login", timeout=2).status_code < 500
            except httpx.HTTPError:
                return False
        text = process.text()
        return " ready." in text or "beat: Starting" in text

    def stop(self) -> None:
        """Kill whatever is still running (a test's end, passed or failed)."""
        for process in self.processes:
            if process.popen.poll() is None:
                try:
                    process.signal(signal.SIGCONT)
                    process.signal(signal.SIGKILL)
                except ProcessLookupError:
                    pass
            process.popen.wait(timeout=10)

    def logs(self) -> str:
        """The tail of every log (for a failure's message)."""
        return "\n".join(f"== {p.name}\n{p.text()[-2000:]}" for p in self.processes)


def role_env(settings: Mapping[str, str], clock_file: Path) -> dict[str, str]:
    """The environment of every role: this one without TEAMASSIST_ settings, then ``settings``
    (``TEAMASSIST_``-prefixed names) and the shared clock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMASSIST_")}
    env.update(settings)
    env[TEST_CLOCK_ENV] = str(clock_file)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll ``condition`` until true; ``TimeoutError`` naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.2)
