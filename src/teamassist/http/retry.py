"""Re-run a request whose transaction lost a lock race (deadlock, serialization failure, SQLite
busy), as the transaction boundary of every request.

A request is one unit of work (one transaction, committed before the response starts), so when
its transaction failed with a retryable error nothing of it was kept and the whole request can
run again: the body is buffered and replayed, a bounded number of times, and never once the
response has started. The same for work a request asked to have done with no transaction
open (:class:`teamassist.database.WorkOutside`, a template render): it is done, then the
request runs again and finds it.
"""

from __future__ import annotations

import anyio
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teamassist.database import (
    RETRY_ATTEMPTS,
    WorkOutside,
    is_retryable,
    outside_scope,
    retry_delay,
)
from teamassist.http.deps import retrying
from teamassist.http.worker_threads import in_thread


class RetryLostLockRaces:
    """ASGI middleware: run the request again after a retryable database error."""

    def __init__(self, app: ASGIApp, attempts: int = RETRY_ATTEMPTS) -> None:
        self.app = app
        self.attempts = attempts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        with outside_scope():
            attempt = 1
            while True:
                token = retrying.set(attempt > 1)
                try:
                    await self.app(dict(scope), _replay(body, receive), tracked)
                    return
                except WorkOutside as asked:
                    if started:
                        raise
                    # The request's session is rolled back and closed: no lock, no connection.
                    await in_thread(asked.run)
                    continue
                except DBAPIError as exc:
                    if started or attempt == self.attempts or not is_retryable(exc):
                        raise
                finally:
                    retrying.reset(token)
                await anyio.sleep(retry_delay(attempt))
                attempt += 1


async def read_body(receive: Receive) -> list[Message]:
    """Every ``http.request`` message of a request's body, to replay it (a retried request, a
    request handed on from a layer that read it first)."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()  # then wait for the disconnect, as the server would tell it

    return replay
