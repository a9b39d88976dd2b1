"""What every platform webhook needs: strict input parsing and the 2-second acknowledgement.

Webhooks are unauthenticated until their signature is checked, so everything read before that
(headers, numbers, the JSON body) is parsed strictly here: a value that is not exactly what the
platform sends is refused with a reason, never turned into a traceback. ``int("²")`` and
``float("nan")`` are the kind of lenient conversions this module exists to avoid.

Platforms want an answer within a few seconds (QQ and Feishu redeliver otherwise).
:func:`record_then_ack` answers only once the event is in the inbox, and waits for its handling
at most ``ACK_SECONDS`` in all: a slow command is acknowledged and finishes on its own, and a
crash afterwards is replayed from the inbox row. An event acknowledged before its row existed
was lost when the process stopped (a tester's 40 events to a replica stopped with SIGTERM:
20 never handled).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

log = logging.getLogger(__name__)

ACK_SECONDS = 2.0
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")  # ASCII digits only: str.isdigit() accepts "²"


class BadInput(ValueError):
    """A webhook input that is not what the platform sends; the message says why (in English,
    for the platform's delivery log and ours)."""


def unix_seconds(value: str | None, *, name: str) -> int:
    """A header holding a unix time in whole seconds (ASCII digits only), or :class:`BadInput`."""
    if value is None:
        raise BadInput(f"missing {name}")
    if not _UNIX_SECONDS.fullmatch(value):
        raise BadInput(f"{name} is not a unix time")
    return int(value)


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object of valid Unicode, or :class:`BadInput`.

    ``json.loads`` accepts ``"\\ud800"`` (a lone surrogate) and yields a string that cannot be
    encoded again: it would fail later, in a log line, the database or a JSON answer.
    """
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInput("body is not JSON") from exc
    if not isinstance(parsed, dict):
        raise BadInput("body is not a JSON object")
    if not valid_unicode(parsed):
        raise BadInput("body holds text that is not valid Unicode (a lone surrogate)")
    return parsed


def valid_unicode(value: Any) -> bool:
    """Can every string in a decoded JSON value be encoded as UTF-8?"""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def record_then_ack(
    executor: Executor,
    *,
    record: Callable[[], int | None],
    process: Callable[[int], object],
    what: str,
    seconds: float | None = None,
) -> BaseException | None:
    """Put an event in the inbox, then handle it in ``executor``, within ``seconds`` in all.

    ``record`` (the inbox row: its id, or None for a redelivery) runs on the event loop's own
    thread pool, never queued behind slow handling, and the answer waits for it: its exception,
    or :class:`TimeoutError` when no row came within ``seconds``, is returned and the caller
    answers 5xx, so the platform sends the event again (a row written late makes that
    redelivery a duplicate). Once the row exists the event is the inbox's: ``process(row_id)``
    runs in ``executor`` and is waited for the rest of ``seconds``; a failure or a process that
    dies is replayed from the row, so None is returned (acknowledge) whatever it does.
    """
    limit = ACK_SECONDS if seconds is None else seconds
    started = time.monotonic()
    recording = asyncio.get_running_loop().run_in_executor(None, record)
    recording.add_done_callback(_retrieve)
    done, _ = await asyncio.wait({recording}, timeout=limit)
    if not done:
        return TimeoutError(f"{what} was not in the inbox within {limit:g} s")
    error = recording.exception()
    if error is not None:
        return error
    row_id = recording.result()
    if row_id is None:
        return None  # a redelivery: the first delivery is (or was) being handled
    future: Future[object] = executor.submit(process, row_id)
    waiting = asyncio.wrap_future(future)
    waiting.add_done_callback(_retrieve)
    left = max(0.0, limit - (time.monotonic() - started))
    handled, _ = await asyncio.wait({waiting}, timeout=left)
    if not handled:
        log.info("%s still being handled; acknowledged (it is in the inbox)", what)
    future.add_done_callback(lambda f: _log_failure(f, what))
    return None


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _log_failure(future: Future[object], what: str) -> None:
    error = future.exception()
    if error is not None:
        log.error("%s failed after it was recorded (the inbox replays it): %r", what, error)
