"""Run an ASGI app on a real loopback port, in a thread, for the length of a test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import uvicorn


@dataclass
class RunningServer:
    """A server on ``url``; ``stop()`` shuts it down."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


def serve(app: Callable[..., Any]) -> RunningServer:
    """Start ``app`` (an ASGI app, FastAPI or bare) on 127.0.0.1 at a free port; wait until it
    accepts connections."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # Idle keep-alive connections are held for the whole test: uvicorn's default 5 s let the
    # fake close a pooled connection just as a slow (loaded) test reused it, and the client saw
    # "server disconnected" — a spurious failed attempt no platform under test caused.
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        ws="none",
        access_log=False,
        timeout_keep_alive=600,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("fake server did not start")
        time.sleep(0.01)
    return RunningServer(url=f"http://127.0.0.1:{port}", server=server, thread=thread)
