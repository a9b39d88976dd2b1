"""lark-oapi's HTTP calls over one kept-alive ``httpx.Client`` per process.

lark-oapi (1.x, ``lark_oapi/core/http/transport.py``) sends every call with the module function
``requests.request``, which builds a throwaway ``Session`` per call: a new TCP (and, against
open.feishu.cn, TLS) connection, and the proxy/netrc environment read again, for every notice.
Measured 2026-12-01 on the shared 2-core machine (load ~12), one thread sending to the fake
Feishu in its own process: 48 sends/s through lark-oapi as shipped, 42/s with a kept-alive
``requests.Session`` (its per-call environment merge ate the gain), 162–192/s through one
``httpx.Client``.

:func:`install` points the transport module's ``requests`` name at :data:`KEEP_ALIVE`, whose
``request`` sends a JSON body through this process's client (thread-safe, environment read once,
lark-oapi's own timeout per call). A prefork child must not share its parent's sockets
(celery-pitfalls.md §12), so a client made by another process id is never used. Anything else
(a multipart upload's streaming body, any other name lark-oapi reads from ``requests``) goes to
``requests`` unchanged.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import requests
from lark_oapi.core.http import transport

# Connections kept per host: the delivery lanes of one process send at once (4 by default).
MAX_KEEPALIVE = 16


class KeepAliveRequests:
    """Stands in for the ``requests`` module inside lark-oapi's transport."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: tuple[int, httpx.Client] | None = None

    def client(self) -> httpx.Client:
        """This process's client (made on first use, and again after a fork)."""
        pid = os.getpid()
        with self._lock:
            if self._held is None or self._held[0] != pid:
                # One inherited over fork is dropped, not closed: its sockets are the parent's.
                limits = httpx.Limits(max_keepalive_connections=MAX_KEEPALIVE)
                self._held = (pid, httpx.Client(limits=limits))
            return self._held[1]

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Sequence[tuple[str, str]] | None = None,
        data: Any = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """``requests.request`` as lark-oapi calls it; answers with ``status_code``, ``headers``
        and ``content`` (all lark-oapi reads). Raises ``httpx.HTTPError`` subclasses where
        ``requests`` raised its own (callers catch every exception alike)."""
        if kwargs or not (data is None or isinstance(data, bytes)):
            return requests.request(
                method, url, headers=headers, params=params, data=data, timeout=timeout, **kwargs
            )
        return self.client().request(
            method,
            url,
            headers=dict(headers or {}),
            params=list(params or []),
            content=data,
            timeout=timeout,
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)


KEEP_ALIVE = KeepAliveRequests()


def install() -> None:
    """Make lark-oapi send over :data:`KEEP_ALIVE` (idempotent)."""
    transport.requests = KEEP_ALIVE  # a duck-typed stand-in (lark-oapi ships no types)
