"""Issue 16: ``log_format = "json"`` writes one JSON object a line (time, level, logger, message)
with the request id and the error id the 500 answer shows."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from teamassist import logs
from teamassist.config import Settings
from teamassist.http import errors
from teamassist.http.request_id import RequestId


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """JSON logging configured as `serve` does, written to a buffer; the root logger restored."""
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


def _lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def _boom_app() -> FastAPI:
    app = FastAPI()
    errors.install(app)
    app.add_middleware(RequestId)

    @app.get("/api/v1/boom")
    def boom() -> None:
        logging.getLogger("teamassist.test").warning("about to fail")
        raise RuntimeError("bug")

    return app


def test_a_500_logs_its_error_id_and_request_id_as_json(captured: io.StringIO) -> None:
    # given JSON logs and a route with a bug
    with TestClient(_boom_app(), raise_server_exceptions=False) as client:
        # when a caller with a proxy-given request id hits it
        response = client.get("/api/v1/boom", headers={"X-Request-ID": "lb-7f3a.1"})
    # then the answer shows an error id, and echoes the request id
    assert response.status_code == 500
    shown = re.search(r"错误编号 ([0-9a-f]{8})", response.json()["message"])
    assert shown is not None
    assert response.headers["x-request-id"] == "lb-7f3a.1"
    lines = _lines(captured)
    # and the route's own line and the error line carry the same request id
    warning = next(line for line in lines if line["message"] == "about to fail")
    assert warning["request_id"] == "lb-7f3a.1"
    assert warning["level"] == "WARNING" and warning["logger"] == "teamassist.test"
    error = next(line for line in lines if line.get("error_id"))
    assert error["error_id"] == shown.group(1)
    assert error["request_id"] == "lb-7f3a.1"
    assert error["level"] == "ERROR"
    assert error["logger"] == "teamassist.http.errors"
    assert str(error["message"]).startswith(f"unhandled error {shown.group(1)} on GET /api/v1/boom")
    assert "RuntimeError: bug" in str(error["exc"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", str(error["time"]))


def test_a_forged_request_id_is_replaced(captured: io.StringIO) -> None:
    with TestClient(_boom_app(), raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom", headers={"X-Request-ID": 'x" injected=1'})
    given = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", given)
    warning = next(line for line in _lines(captured) if line["message"] == "about to fail")
    assert warning["request_id"] == given


def test_outside_a_request_a_line_has_no_request_id(captured: io.StringIO) -> None:
    logging.getLogger("teamassist.job").info("tick: %d ran", 3)
    (line,) = _lines(captured)
    assert set(line) == {"time", "level", "logger", "message"}
    assert line["message"] == "tick: 3 ran"


def test_text_format_tags_the_request_id() -> None:
    record = logging.LogRecord("teamassist.x", logging.INFO, __file__, 1, "hello", None, None)
    token = logs.request_id.set("r-1")
    try:
        logs.ContextFilter().filter(record)
    finally:
        logs.request_id.reset(token)
    assert (
        logging.Formatter(logs.TEXT_FORMAT).format(record).endswith("INFO teamassist.x [r-1] hello")
    )


def test_log_format_setting_is_text_or_json() -> None:
    assert Settings().log_format == "text"
    assert Settings(log_format="json").log_format == "json"
    with pytest.raises(ValueError):
        Settings(log_format="xml")
    with pytest.raises(ValueError):
        logs.configure("INFO", "xml")
