"""A fake WeCom group-robot webhook: records messages per key, fails on demand."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from tests.platforms.fakes.serving import RunningServer, serve


@dataclass
class RobotMessage:
    """One message a robot posted."""

    key: str
    body: dict[str, Any]

    @property
    def markdown(self) -> str:
        return str(self.body["markdown"]["content"])


class FakeWeCom:
    """``POST /cgi-bin/webhook/send?key=KEY`` with WeCom's errcode answers."""

    stall_once: float  # set in reset()

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys
        self.app = FastAPI()
        self.lock = threading.Lock()
        self.running: RunningServer | None = None
        self.reset()

        @self.app.post("/cgi-bin/webhook/send")
        async def send(request: Request, key: str = "") -> Response:
            # The body is read before the lock: awaiting it while holding a thread lock let a
            # second request on the same event loop block the loop for good (two lanes at once).
            body = await request.json()
            with self.lock:
                if self.down:
                    return PlainTextResponse("bad gateway", status_code=502)
                if self.failures:
                    status, answer = self.failures.pop(0)
                    return JSONResponse(answer, status)
                if key not in self.keys:
                    return JSONResponse(
                        {"errcode": 93000, "errmsg": "invalid webhook url, hint: [x]"}
                    )
                content = body.get("markdown", {}).get("content", "")
                if len(content.encode()) > 4096:
                    return JSONResponse(
                        {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
                    )
                self.received.append(RobotMessage(key, body))
                stall, self.stall_once = self.stall_once, 0.0
            if stall:  # took the message, answers after the client gave up
                await asyncio.sleep(stall)
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

    def reset(self) -> None:
        self.received: list[RobotMessage] = []
        self.failures: list[tuple[int, dict[str, Any]]] = []
        self.down = False
        self.stall_once = 0.0  # seconds to wait before answering the next accepted message

    def fail_next(self, errcode: int, errmsg: str = "error", status: int = 200) -> None:
        self.failures.append((status, {"errcode": errcode, "errmsg": errmsg}))

    @property
    def url(self) -> str:
        assert self.running is not None
        return self.running.url

    def start(self) -> FakeWeCom:
        self.running = serve(self.app)
        return self

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
