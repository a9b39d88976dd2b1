"""A fake Feishu long-connection server: websocket frames (pbbp2.Frame) carrying events, and the
client's ACK frames recorded."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import uuid
from typing import Any

from lark_oapi.ws.pb.pbbp2_pb2 import Frame
from websockets.asyncio.server import ServerConnection, serve

_DATA = 1  # frame method: data (control frames are 0)


def data_frame(payload: dict[str, Any], seq_id: int, service_id: int = 7) -> bytes:
    """One event frame, as Feishu pushes it."""
    frame = Frame()
    frame.SeqID, frame.LogID, frame.service, frame.method = seq_id, 0, service_id, _DATA
    headers = {
        "type": "event",
        "message_id": uuid.uuid4().hex,
        "trace_id": "trace",
        "sum": "1",
        "seq": "0",
    }
    for key, value in headers.items():
        item = frame.headers.add()
        item.key, item.value = key, value
    frame.payload = json.dumps(payload, ensure_ascii=False).encode()
    data: bytes = frame.SerializeToString()
    return data


class FakeFeishuWs:
    """Pushes ``events`` to each client that connects; records ACK payloads by SeqID."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self.acks: dict[int, dict[str, Any]] = {}
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Future[None] | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws?device_id=dev-1&service_id=7"

    def start(self) -> FakeFeishuWs:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake websocket server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(timeout=5)

    async def _handler(self, connection: ServerConnection) -> None:
        for seq, event in enumerate(self.events, start=1):
            await connection.send(data_frame(event, seq))
        async for raw in connection:
            frame = Frame()
            frame.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
            if frame.method != _DATA:
                continue  # pings
            answer = json.loads(frame.payload)
            if answer.get("data"):
                answer["data"] = json.loads(base64.b64decode(answer["data"]))
            self.acks[frame.SeqID] = answer

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = self._loop.create_future()
            async with serve(self._handler, "127.0.0.1", 0) as server:
                self.port = next(iter(server.sockets)).getsockname()[1]
                self._ready.set()
                await self._stop

        asyncio.run(main())
