"""A request's blocking unit of work in a worker thread, with one wait on the event loop.

FastAPI's ``run_in_threadpool`` (anyio's ``to_thread.run_sync``) turns the loop twice more
before the work starts (a checkpoint, then one in the thread limiter) and enters and leaves a
cancel scope: per chat request three of the loop's turns where one is needed (session 26
profile). An endpoint that waited for its database slot first (``http.deps.request_slot``)
needs no second limit either: here the work goes straight to a pool of threads and the request
waits for its result. The caller's context goes with it (the request id of log lines, the
retry flag); a cancelled request waits for its work as anyio's shielded hop does, so it holds
its database slot as long as its thread holds the connection.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# anyio's default limit: requests reach this holding a database slot, fewer than that on every
# backend. Threads start as requests need them and stay for the next ones.
MAX_THREADS = 40
_THREADS = ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix="teamassist-request")


async def in_thread(work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in a worker thread, in a copy of the caller's context."""
    context = contextvars.copy_context()
    future = asyncio.get_running_loop().run_in_executor(
        _THREADS, functools.partial(context.run, work, *args)
    )
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        while not future.done():  # the thread cannot be stopped: wait for it, then give up
            try:
                await asyncio.wait([future])
            except asyncio.CancelledError:
                continue
        raise
