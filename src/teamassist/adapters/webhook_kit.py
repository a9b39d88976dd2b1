"""What every platform webhook needs: strict input parsing and the 2-second acknowledgement.

Webhooks are unauthenticated until their signature is checked, so everything read before that
(headers, numbers, the JSON body) is parsed strictly here: a value that is not exactly what the
platform sends is refused with a reason, never turned into a traceback. ``int("²")`` and
``float("nan")`` are the kind of lenient conversions this module exists to avoid.

Platforms want an answer within a few seconds (QQ and Feishu redeliver otherwise).
:func:`ack_within` runs the handling in a worker thread and waits for it at most
``ACK_SECONDS``: by then the event is in the inbox (a crash afterwards is replayed by the
scheduler), so a slow command is acknowledged and finishes on its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
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


async def ack_within(
    executor: Executor,
    work: Callable[[], None],
    *,
    what: str,
    seconds: float | None = None,
) -> BaseException | None:
    """Run ``work`` in ``executor`` and wait at most ``seconds`` for it.

    Returns the exception when the work failed within the wait (the event may not even be in the
    inbox: answer 5xx so the platform redelivers), None when it finished or is still running
    (acknowledge; a later failure is logged, and the inbox replays it).
    """
    future: Future[None] = executor.submit(work)
    waiting = asyncio.wrap_future(future)
    waiting.add_done_callback(_retrieve)  # a late failure is logged by the callback below
    done, _ = await asyncio.wait({waiting}, timeout=ACK_SECONDS if seconds is None else seconds)
    if not done:
        log.info("%s still being handled; acknowledged", what)
        future.add_done_callback(lambda f: _log_late_failure(f, what))
        return None
    return future.exception()


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


def _log_late_failure(future: Future[None], what: str) -> None:
    error = future.exception()
    if error is not None:
        log.error("%s failed after the acknowledgement: %r", what, error)
