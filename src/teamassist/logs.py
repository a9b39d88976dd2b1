"""Log lines as text or JSON, with the request id and error id a line belongs to.

``configure()`` is called once by each process role (``serve``; the worker and beat roles do the
same). With ``log_format = "json"`` every line is one JSON object::

    {"time": "2026-06-01T01:00:00.123456+00:00", "level": "ERROR", "logger": "teamassist.x",
     "message": "...", "request_id": "…", "error_id": "1a2b3c4d", "exc": "Traceback …"}

``request_id`` is the id of the HTTP request being served (the caller's ``X-Request-ID`` when it
is a plain token, else a fresh one; :mod:`teamassist.http.request_id` sets it and echoes it in
the response); ``error_id`` is the short id the 500 page and a failed command's reply show, so
a person's screenshot leads to the line. Both are left out when unknown.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TextIO

# The id of the HTTP request this thread or task is serving ("" outside a request).
request_id: ContextVar[str] = ContextVar("teamassist_request_id", default="")

# Probes and scrapes every few seconds would drown the access log; their answers are in the
# metrics and the probe's own status.
QUIET_PATHS = ("/healthz", "/readyz", "/metrics")

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s %(message)s"


class ContextFilter(logging.Filter):
    """Stamp every record with the current request id (``request_tag`` for the text format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = getattr(record, "request_id", None) or request_id.get()
        record.request_id = rid
        record.request_tag = f" [{rid}]" if rid else ""
        return True


class QuietProbes(logging.Filter):
    """Drop uvicorn's access lines for the health probes and the metrics scrape."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn.access: (client, method, path with query, http version, status)
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            return args[2].split("?", 1)[0] not in QUIET_PATHS
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, and the request
    id, error id and traceback when there are any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for extra in ("request_id", "error_id"):
            value = getattr(record, extra, None)
            if value:
                line[extra] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: str = "INFO", log_format: str = "text") -> logging.StreamHandler[TextIO]:
    """Send every logger's records to stderr in ``log_format`` ("text" or "json") at ``level``;
    replaces the root logger's handlers (so calling it twice does not double lines) and quiets
    the probes in uvicorn's access log. Returns the handler (tests read what it writes)."""
    if log_format not in FORMATS:
        raise ValueError(f"log_format must be one of {FORMATS}, not {log_format!r}")
    handler: logging.StreamHandler[TextIO] = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, QuietProbes) for f in access.filters):
        access.addFilter(QuietProbes())
    # uvicorn's own loggers write through the root handler (``log_config=None`` in serve).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return handler
