"""Feishu long connection (no public URL): lark-oapi's ``ws.Client`` in a thread of its own.

lark-oapi 1.7.5 captures an event loop at import time and ``start()`` blocks forever, so it cannot
run inside the web server's loop (upstream issues #96/#119/#133). The workaround: a daemon
thread with a fresh loop, assigned to ``lark_oapi.ws.client.loop`` before ``start()``. One app per
process (the module-level loop is shared). Message events are handed to a small worker pool so
the ACK frame goes back at once; card callbacks are answered inline (the answer rides on the ACK).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import lark_oapi.ws.client as lark_ws_client
from lark_oapi.core.enum import LogLevel

from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.inbound import FeishuInbound
from teamassist.chat.types import InboundMessage

log = logging.getLogger(__name__)


class LongConnection:
    """Receives events over Feishu's websocket and dispatches them like the webhook does."""

    def __init__(self, settings: FeishuSettings, inbound: FeishuInbound) -> None:
        self.settings = settings
        self.inbound = inbound
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="feishu-event")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Connect in the background (reconnects are lark-oapi's job)."""
        if self._thread is None:
            self._loop = asyncio.new_event_loop()  # created here so stop() can always reach it
            self._thread = threading.Thread(target=self._run, name="feishu-ws", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the loop, close the socket, let running commands finish in the background."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=False)

    def _submit(self, message: InboundMessage) -> None:
        self._pool.submit(self.inbound.dispatch, message)

    def _run(self) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        lark_ws_client.loop = loop  # the workaround: the SDK's module-level loop, ours now
        secret = self.settings.app_secret.get_secret_value() if self.settings.app_secret else ""
        client = lark_ws_client.Client(
            self.settings.app_id,
            secret,
            event_handler=self.inbound.handler(self._submit),
            domain=self.settings.domain.rstrip("/"),
            log_level=LogLevel.WARNING,
        )
        try:
            client.start()
        except RuntimeError as exc:  # "Event loop stopped before Future completed": stop()
            log.info("feishu long connection stopped: %s", exc)
        except Exception:
            log.exception("feishu long connection failed")
        finally:
            self._close(loop, client)

    @staticmethod
    def _close(loop: asyncio.AbstractEventLoop, client: lark_ws_client.Client) -> None:
        """Cancel the SDK's tasks, close the socket and the loop (no stray tasks at exit)."""
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        try:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            # The SDK has no public close; _disconnect() closes the websocket.
            loop.run_until_complete(client._disconnect())
        except Exception:
            log.debug("feishu long connection: error while closing", exc_info=True)
        finally:
            loop.close()
