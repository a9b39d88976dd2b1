"""One cap on every request body, before any layer buffers it.

The retry layer (:class:`teamassist.http.retry.RetryLostLockRaces`) reads a whole body to
replay it, ahead of routing and of any token or size check: without a cap here one anonymous
1.2 GB POST took the server to 5 GB (tester s28 D-5). Two limits, by what the body is:

- ``web.max_body_bytes`` (1 MiB): JSON, webhook events, anything that is not a form. The
  largest legitimate ones are far below it (a chat message is at most 8,000 characters, a
  report template 100,000; QQ's webhook refuses above 1,000,000 bytes itself).
- ``web.max_upload_bytes`` (6 MiB): a form or a file upload (``multipart/form-data``,
  ``application/x-www-form-urlencoded``): the OKR sheet import takes 5 MiB
  (``okr.sheet_import.MAX_BYTES``) plus the multipart framing. A dashboard form is cut lower
  inside, at ``web.max_form_bytes``, where its page can be shown the reason
  (:class:`teamassist.web.form_errors.FormBodyLimit`).

A ``Content-Length`` over the limit is refused before a byte is read; a body without one
(chunked) or with a false one is counted as it arrives. The refusal is a 413 in the JSON
shape of every other API error (the error page for a browser), with ``Connection: close``
(the client is still sending).

The limit bounds one body, not how many are held at once, and a body that stops arriving
held its bytes for as long as the client kept the socket open: 100 anonymous connections
each sending 6.2 MB of a chunked upload and then stalling took the server from 222 to
736 MB (tester s28 N1). Two more bounds, by the same layer:

- ``web.max_buffered_body_bytes`` (64 MiB): the bytes of request bodies the requests in
  flight have read, all together; a body that would pass it is refused with a 503 and
  ``Retry-After`` (before a byte is read when its length is declared), and its bytes are
  given back when its request ends.
- ``web.body_read_timeout_seconds`` (30 s): how long a body may go without a byte arriving,
  as nginx's ``client_body_timeout``; past it the request is answered 408 and the
  connection closed. Only while the body is being read: a request waiting for its
  client's disconnect after it is not timed.

The budget was then one client's to take: 100 anonymous bodies filled to the byte and fed a
byte every 20 s held it for as long as they liked, and every other request with a body was
refused (tester s29 G-1). So, also:

- ``web.max_buffered_body_bytes_per_client`` (8 MiB, at least one upload): the share of the
  budget one client address may hold (uvicorn's, the forwarded one behind a trusted proxy);
  past it that client's body is refused as above, the others' are not.
- ``web.body_deadline_seconds`` (120 s): the whole body, however it trickles, arrives within
  it (a 6 MiB upload at 52 KB/s), else the same 408.

uvicorn has neither (its ``timeout_keep_alive`` times the wait between requests, not a body;
its ``limit_concurrency``, ``web.max_connections``, off by default, bounds the connections,
not their bytes, and counts idle ones too).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teamassist.http.errors import error_response
from teamassist.i18n import t

UPLOAD_TYPES = (b"multipart/form-data", b"application/x-www-form-urlencoded")
ERROR_KEY = "core.http.body_too_large"
BUSY_KEY = "core.http.bodies_busy"
STALLED_KEY = "core.http.body_stalled"
RETRY_AFTER_SECONDS = 5


class BodyTooLarge(Exception):
    """A request body grew past its limit while a layer was reading it."""


class BodiesBusy(Exception):
    """A request body would take the bodies read at once past their bound."""


class BodyStalled(Exception):
    """No byte of a request body arrived within the read timeout."""


class BodyLimit:
    """ASGI middleware: refuse (413) a request whose body is over its limit, in bytes
    (``body_bytes`` for anything but a form or upload, ``upload_bytes`` for those); refuse
    (503) one that would take the bytes of the bodies read at once past ``buffered_bytes``, or
    its client's past ``client_bytes``; answer 408 to one that sends nothing for
    ``read_timeout`` seconds or is not whole within ``deadline`` seconds."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        body_bytes: int,
        upload_bytes: int,
        buffered_bytes: int,
        read_timeout: float,
        client_bytes: int | None = None,
        deadline: float | None = None,
    ) -> None:
        self.app = app
        self.body_bytes = body_bytes
        self.upload_bytes = upload_bytes
        self.buffered_bytes = buffered_bytes
        self.read_timeout = read_timeout
        self.client_bytes = buffered_bytes if client_bytes is None else client_bytes
        self.deadline = deadline
        # The body bytes read by the requests in flight, in all and by client address (one
        # event loop: no lock; nothing awaits between a check and its count).
        self.held = 0
        self.held_by: dict[str, int] = {}

    def limit_of(self, scope: Scope) -> int:
        """The limit of ``scope``'s body, in bytes, from its Content-Type."""
        for name, value in scope.get("headers", ()):
            if name == b"content-type":
                return (
                    self.upload_bytes
                    if bytes(value).lower().lstrip().startswith(UPLOAD_TYPES)
                    else self.body_bytes
                )
        return self.body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
        peer = _peer(scope)
        if declared is not None and not self._fits(peer, declared):
            await _busy(scope, receive, send)
            return
        size = 0
        taken = 0  # of self.held (and the peer's), given back when the request ends
        read = False  # the whole body (or the client's disconnect) has arrived
        started = False
        loop = asyncio.get_running_loop()
        due = None if self.deadline is None else loop.time() + self.deadline

        async def counted() -> Message:
            nonlocal size, taken, read
            if read:  # e.g. waiting for the disconnect after the body: not timed
                return await receive()
            wait = self.read_timeout if due is None else min(self.read_timeout, due - loop.time())
            try:
                async with asyncio.timeout(max(wait, 0)):
                    message = await receive()
            except TimeoutError:
                raise BodyStalled from None
            if message["type"] != "http.request":
                read = True
                return message
            body = len(message.get("body", b""))
            size += body
            if size > limit:
                raise BodyTooLarge
            if not self._fits(peer, body):
                raise BodiesBusy
            self.held += body
            self.held_by[peer] = self.held_by.get(peer, 0) + body
            taken += body
            read = not message.get("more_body", False)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except (BodyTooLarge, BodiesBusy, BodyStalled) as exc:
            if started:  # cannot happen while the retry layer reads first; never a 2nd start
                raise
            if isinstance(exc, BodyTooLarge):
                await _refuse(scope, receive, send, limit)
            elif isinstance(exc, BodiesBusy):
                await _busy(scope, receive, send)
            else:
                await _stalled(scope, receive, send)
        finally:
            if taken:
                self.held -= taken
                left = self.held_by[peer] - taken
                if left:
                    self.held_by[peer] = left
                else:
                    del self.held_by[peer]

    def _fits(self, peer: str, size: int) -> bool:
        """Whether ``size`` more bytes stay within the budget and ``peer``'s share of it."""
        return (
            self.held + size <= self.buffered_bytes
            and self.held_by.get(peer, 0) + size <= self.client_bytes
        )


def _peer(scope: Scope) -> str:
    """The client address of ``scope`` (uvicorn's proxy layer has put the forwarded one there
    for a trusted proxy); "" when the server names none."""
    client = scope.get("client")
    return str(client[0]) if client else ""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = bytes(value).strip()
            return int(text) if text.isdigit() else None
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    message = t(ERROR_KEY, limit=f"{limit / 1_048_576:.3g}")
    await _answer(scope, receive, send, 413, ERROR_KEY, message)


async def _busy(scope: Scope, receive: Receive, send: Send) -> None:
    message = t(BUSY_KEY, seconds=RETRY_AFTER_SECONDS)
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    await _answer(scope, receive, send, 503, BUSY_KEY, message, retry)


async def _stalled(scope: Scope, receive: Receive, send: Send) -> None:
    await _answer(scope, receive, send, 408, STALLED_KEY, t(STALLED_KEY))


async def _answer(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    key: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> None:
    """The refusal, with ``Connection: close``: the client may still be sending its body."""
    response = error_response(Request(scope, receive), status, key, message, headers)
    response.headers["Connection"] = "close"
    await response(scope, receive, send)
