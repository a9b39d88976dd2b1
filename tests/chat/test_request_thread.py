"""POST /api/v1/chat runs its unit of work in a worker thread without anyio's extra turns of the
event loop (``http.worker_threads``): the request's context goes with it, and a cancelled
request keeps waiting for its thread, which holds the database connection (given/when/then)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from teamassist import logs
from teamassist.chat import api
from teamassist.http.worker_threads import in_thread
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo

TOKEN = "request-thread-token"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """JSON logging as `serve` configures it, into a buffer; the root logger restored."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    handler = logs.configure("INFO", "json")
    buffer = io.StringIO()
    handler.setStream(buffer)
    yield buffer
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in saved[0]:
        root.addHandler(h)
    root.setLevel(saved[1])


def test_a_chat_command_logs_with_its_request_id_from_the_worker_thread(
    sqlite_runtime: Runtime, captured: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the demo workspace, the global token, and the endpoint's work writing a log line
    sqlite_runtime.settings.web.api_token = SecretStr(TOKEN)
    load_demo(sqlite_runtime)
    threads: list[str] = []
    answer = api.answer_json

    def logging_answer(*args: object) -> bytes:
        threads.append(threading.current_thread().name)
        logging.getLogger("teamassist.test").warning("in the worker thread")
        return answer(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "answer_json", logging_answer)
    app = create_app(sqlite_runtime, start_background=False)
    with TestClient(app) as client:
        # when a caller with a proxy-given request id sends /帮助
        response = client.post(
            "/api/v1/chat",
            json={"text": "/帮助"},
            headers={"authorization": f"Bearer {TOKEN}", "X-Request-ID": "lb-26.b"},
        )
    # then it is answered from a worker thread (not the event loop's)
    assert response.status_code == 200 and response.json()["handled"] is True
    assert threads and threads[0].startswith("teamassist-request")
    # and the line written there carries the request's id
    lines = [json.loads(line) for line in captured.getvalue().splitlines() if line.strip()]
    line = next(line for line in lines if line["message"] == "in the worker thread")
    assert line["request_id"] == "lb-26.b"


async def test_a_cancelled_request_waits_for_its_thread() -> None:
    # given work in a worker thread that runs until it is let go
    started, release = threading.Event(), threading.Event()
    done: list[str] = []

    def work() -> str:
        started.set()
        release.wait(10)
        done.append("finished")
        return "answer"

    task = asyncio.create_task(in_thread(work))
    await asyncio.to_thread(started.wait, 10)
    # when the request is cancelled while the thread works
    task.cancel()
    await asyncio.sleep(0.05)
    # then it is not over while its thread (and the thread's connection) still is
    assert not task.done()
    release.set()
    # and once the work is done the cancellation is delivered
    with pytest.raises(asyncio.CancelledError):
        await task
    assert done == ["finished"]


async def test_the_work_answers_and_raises_as_in_the_caller() -> None:
    # given work that answers, and work that fails
    def fails() -> None:
        raise ValueError("bad")

    # then the answer and the error come back to the awaiting request
    assert await in_thread(lambda a, b: a + b, 2, 3) == 5
    with pytest.raises(ValueError, match="bad"):
        await in_thread(fails)
